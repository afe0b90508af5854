"""The API's request and response models of reports: what its routes take and answer."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


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
    reconsiderations: int = Field(description="administrative reconsiderations filed against decisions (行政复议)")
    lawsuits: int = Field(description="administrative lawsuits filed against decisions (行政诉讼)")
    remedy_results: dict[str, int] = Field(description="results of reconsiderations and lawsuits, by result")
    court_appearances: int = Field(description="the heads' appearances in court (出庭应诉, 行政诉讼法 第三条第三款)")
    overdue_cases: int
    certified_officers: int
    reviewers: int
    reviewer_share_percent: float
    trainings_held: int
    training_attendances: int
    staff_trained: int
    exams_held: int
    exam_takers: int
    exam_passers: int
    consistent_with_tables: bool
    discrepancies: list[str]


class ReviewerScoreOut(BaseModel):
    reviewer: str
    score: int


class FileReviewOut(BaseModel):
    case_id: uuid.UUID
    case_number: str | None
    score: int
    passed: bool
    automatic_fails: list[str]
    missing_documents: list[str]
    grade: Literal["excellent", "good", "pass", "fail"]
    grade_zh: str
    round: int
    final: bool
    reviewers: list[ReviewerScoreOut]


class DeductionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    item: str = Field(min_length=1, max_length=200, description="the document or content of 第十四条 concerned")
    points: int = Field(gt=0, le=100)
    reason: str = Field(min_length=1, max_length=2000, description="扣分理由")


class ScoreIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    deductions: list[DeductionIn] = Field(default_factory=list, max_length=100)


class ScoreOut(BaseModel):
    case_id: uuid.UUID
    round: int
    reviewer: str
    score: int
