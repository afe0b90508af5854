"""The API's request and response models of evidence: what its routes take and answer."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from service.inputs import Line, Paragraph, SaneDateTime


class CustodyOut(BaseModel):
    event: str
    at: datetime
    recorded_at: datetime
    actor: str
    holder: str
    note: str
    officers: list[str] = Field(
        description="the officers who handled it (ids); none on links recorded before they were named"
    )


class EvidenceOut(BaseModel):
    id: uuid.UUID
    kind: str
    sha256: str
    size: int
    filename: str
    media_type: str
    description: str
    collected_at: datetime
    collected_by: list[str]
    custody: str
    custody_history: list[CustodyOut] = Field(default_factory=list)


class CustodyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    event: Line = Field(max_length=40, description="preserved, transferred, returned or destroyed")
    holder: Line = Field(min_length=1, max_length=200)
    note: Paragraph = Field(
        default="",
        max_length=2000,
        description="required when evidence is returned or destroyed: the decision or the law that lets it go",
    )
    officers: list[uuid.UUID] = Field(
        default_factory=list,
        max_length=10,
        description="the other officers acting with you, each qualified for the case's item and not recused; "
        "evidence returned or destroyed is handled by at least two (行政处罚法 第四十二条, 行政强制法 第十八条)",
    )
    claimed_at: SaneDateTime | None = None
