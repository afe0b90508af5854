"""The API's request and response models of audit: what its routes take and answer."""

from __future__ import annotations

import uuid

from pydantic import BaseModel

from service.cases.history import HistoryEntry


class CaseAudit(BaseModel):
    case_id: uuid.UUID
    case_number: str | None
    verified: bool
    problem: str | None
    checkpoint_size: int | None
    vkey: str | None
    signatures: list[str]
    evidence_files: int
    history: list[HistoryEntry]


class AgencyAuditLine(BaseModel):
    case_id: uuid.UUID
    case_number: str | None
    state: str
    chain_verifies: bool
    stale_review: list[str]
    overdue: list[str]
