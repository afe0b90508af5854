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
    note: Paragraph = Field(default="", max_length=2000)
    claimed_at: SaneDateTime | None = None
