"""The API's request and response models of officers: what its routes take and answer."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from service.inputs import Line, Paragraph, SaneDate, SaneDateTime
from service.officers.models import Certificate

_STRICT = ConfigDict(extra="forbid")


class CertificateOut(BaseModel):
    id: uuid.UUID
    officer_id: uuid.UUID
    number: str
    issuer: str
    issued_on: date
    expires_on: date
    scope_items: list[str]
    scope_categories: list[str]
    territory: str | None
    status: str
    last_reviewed_on: date | None

    @classmethod
    def of(cls, c: Certificate) -> CertificateOut:
        return cls.model_validate(c, from_attributes=True)


class EventOut(BaseModel):
    kind: str
    effective_at: datetime
    recorded_at: datetime
    actor: str
    reason: str
    status_after: str | None
    expires_on_after: date | None
    reviewed_on: date | None
    review_passed: bool | None


class CertificateDetail(CertificateOut):
    history: list[EventOut]


class OfficerOut(BaseModel):
    id: uuid.UUID
    name: str
    unit: str
    unit_name: str
    user_id: uuid.UUID | None
    legal_qualification_number: str | None
    legal_qualification_on: date | None
    active: bool
    certificates: list[CertificateOut]


class OfficerIn(BaseModel):
    model_config = _STRICT
    name: Line = Field(min_length=1, max_length=100)
    unit: Line = Field(min_length=1, max_length=50)
    user_id: uuid.UUID | None = None


class LegalQualificationIn(BaseModel):
    model_config = _STRICT
    number: Line = Field(min_length=1, max_length=100)
    obtained_on: SaneDate


class ActiveIn(BaseModel):
    model_config = _STRICT
    active: bool
    reason: Paragraph = Field(min_length=1, max_length=1000)


class CertificateIssueIn(BaseModel):
    model_config = _STRICT
    number: Line = Field(min_length=1, max_length=100)
    issuer: Line = Field(min_length=1, max_length=200)
    issued_on: SaneDate
    expires_on: SaneDate
    scope_items: list[Line] = Field(default_factory=list, max_length=500)
    scope_categories: list[Line] = Field(default_factory=list, max_length=100)
    territory: Line | None = Field(default=None, max_length=200)


class CertificateChangeIn(BaseModel):
    model_config = _STRICT
    reason: Paragraph = Field(default="", max_length=1000)
    effective_at: SaneDateTime | None = None
    expires_on: SaneDate | None = None


class ReviewIn(BaseModel):
    model_config = _STRICT
    reviewed_on: SaneDate
    passed: bool
    note: Paragraph = Field(default="", max_length=1000)


class Participant(BaseModel):
    model_config = _STRICT
    officer_id: uuid.UUID
    passed: bool | None = None


class TrainingIn(BaseModel):
    model_config = _STRICT
    kind: Literal["training", "exam"]
    title: Line = Field(min_length=1, max_length=200)
    held_on: SaneDate
    participants: list[Participant] = Field(max_length=1000)


class StaffParticipant(BaseModel):
    """A staff member (a user of the agency, enforcement officer or not) and, for an exam, the result."""

    model_config = _STRICT
    user_id: uuid.UUID
    passed: bool | None = None
    score: int | None = Field(default=None, ge=0, le=100)


class StaffTrainingIn(BaseModel):
    """A training or an exam of the agency's staff; an exam records each participant's result."""

    model_config = _STRICT
    kind: Literal["training", "exam"]
    title: Line = Field(min_length=1, max_length=200)
    held_on: SaneDate
    participants: list[StaffParticipant] = Field(min_length=1, max_length=1000)

    @model_validator(mode="after")
    def _results_only_of_exams(self) -> StaffTrainingIn:
        if len({p.user_id for p in self.participants}) != len(self.participants):
            raise ValueError("a staff member takes part once")
        for p in self.participants:
            if self.kind == "exam" and p.passed is None:
                raise ValueError("an exam records whether each participant passed")
            if self.kind == "training" and (p.passed is not None or p.score is not None):
                raise ValueError("a training has no results")
        return self


class StaffTrainingLine(BaseModel):
    record_id: uuid.UUID
    kind: str
    title: str
    held_on: date
    passed: bool | None
    score: int | None


class StaffRecordOut(BaseModel):
    """One staff member's trainings and exams, oldest first."""

    user_id: uuid.UUID
    display_name: str
    trainings: int
    exams_taken: int
    exams_passed: int
    records: list[StaffTrainingLine]


class TrainingOut(BaseModel):
    id: uuid.UUID
    kind: str
    title: str
    held_on: date
    participants: list[dict[str, Any]]


class QualificationOut(BaseModel):
    ok: bool
    record: dict[str, Any]


class CertificateLineOut(BaseModel):
    officer_id: uuid.UUID
    officer_name: str
    unit: str
    certificate_id: uuid.UUID
    number: str
    status: str
    expires_on: date
    reason: str


class CertificationSummary(BaseModel):
    on: date
    certified_officers: int
    reviewer_share: dict[str, Any]
    expiring: list[CertificateLineOut]
    lapsed_without_review: list[CertificateLineOut]
    cleanup: list[CertificateLineOut]
    training: dict[str, Any]
