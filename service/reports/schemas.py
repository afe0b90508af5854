"""The API's request and response models of reports: what its routes take and answer."""

from __future__ import annotations

import uuid

from pydantic import BaseModel


class YearOut(BaseModel):
    year: int
    cases_registered: int
    cases_by_item: dict[str, int]
    cases_by_procedure: dict[str, int]
    decisions_by_outcome: dict[str, int]
    decisions_revoked: int
    fines_decided_fen: int
    fines_collected_fen: int
    hearings_held: int
    legal_reviews: int
    legal_reviews_with_problems: int
    collective_discussions: int
    overdue_cases: int
    certified_officers: int
    reviewers: int
    reviewer_share_percent: float
    consistent_with_tables: bool
    discrepancies: list[str]


class FileReviewOut(BaseModel):
    case_id: uuid.UUID
    case_number: str | None
    score: int
    passed: bool
    automatic_fails: list[str]
    missing_documents: list[str]
