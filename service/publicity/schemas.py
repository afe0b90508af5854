"""The API's request and response models of publicity: what its routes take and answer."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from service.inputs import Paragraph


class PublicationOut(BaseModel):
    case_id: uuid.UUID
    content: dict[str, Any]
    published_at: datetime
    withdrawn_at: datetime | None
    withdrawal_reason: str | None
    changed_content: dict[str, Any] | None = Field(
        default=None, description="the decision as changed on reconsideration or by a court (第四十八条第二款)"
    )
    changed_at: datetime | None = None
    change_reason: str | None = None


class WithdrawIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Paragraph = Field(min_length=1, max_length=2000)


class OverdueOut(BaseModel):
    case_id: uuid.UUID
    case_number: str | None
    what: str
    due_on: date
    basis: str
