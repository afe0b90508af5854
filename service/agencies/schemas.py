"""The API's request and response models of the agency's settings: what its routes take and answer."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, ConfigDict


class AreaOut(BaseModel):
    code: str
    zh: str
    en: str


class AgencySettingsOut(BaseModel):
    code: str
    name: str
    principal_head_user_id: uuid.UUID | None
    designated_areas: list[AreaOut]


class PrincipalHeadIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    user_id: uuid.UUID
