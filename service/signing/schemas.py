"""The API's request and response models of signing: what its routes take and answer."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from service.inputs import Paragraph


class KeyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    public_key: Paragraph = Field(
        min_length=40, max_length=400, description="base64 of the raw 32-byte Ed25519 key, or PEM"
    )


class KeyOut(BaseModel):
    id: uuid.UUID
    user_id: uuid.UUID
    key_id: str
    public_key: str
    status: str
    registered_at: datetime
    decided_at: datetime | None
