"""The API's request and response models of public: what its routes take and answer."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, Field


class PublicCatalogue(BaseModel):
    agency: str
    agency_name: str
    version: str
    items: list[dict[str, Any]]


class PublicCertificate(BaseModel):
    number: str
    scope_items: list[str]
    scope_categories: list[str]
    territory: str | None
    status: str = Field(description="active, suspended, revoked, cancelled, expired or not_yet_valid, today")
    expires_on: date


class PublicOfficer(BaseModel):
    name: str
    unit: str
    certificates: list[PublicCertificate]
