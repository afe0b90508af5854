"""The API's request and response models of officers: what its routes take and answer."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Literal, Self

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
    def of(cls, c: Certificate) -> Self:
        return cls.model_validate(c, from_attributes=True)


class CertificateIssuedOut(CertificateOut):
    warnings: list[dict[str, Any]] = Field(
        default_factory=list,
        description="what the certificate as recorded may not do as meant: a scope item the agency's current "
        "catalogue does not hold covers none of its cases",
    )


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
    """A staff member — a user of the agency, enforcement officer or not, or a person of the staff register
    (``member_id``), with or without an account — and, for an exam, the result. Exactly one of the two ids."""

    model_config = _STRICT
    user_id: uuid.UUID | None = None
    member_id: uuid.UUID | None = Field(default=None, description="a line of the staff register (GET /staff/register)")
    passed: bool | None = None
    score: int | None = Field(default=None, ge=0, le=100)

    @model_validator(mode="after")
    def _one_person(self) -> StaffParticipant:
        if (self.user_id is None) == (self.member_id is None):
            raise ValueError("name the participant by user_id or by member_id, not both")
        return self


class StaffTrainingIn(BaseModel):
    """A training or an exam of the agency's staff; an exam records each participant's result."""

    model_config = _STRICT
    kind: Literal["training", "exam"]
    title: Line = Field(min_length=1, max_length=200)
    held_on: SaneDate
    participants: list[StaffParticipant] = Field(min_length=1, max_length=1000)

    @model_validator(mode="after")
    def _results_only_of_exams(self) -> StaffTrainingIn:
        if len({p.user_id or p.member_id for p in self.participants}) != len(self.participants):
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


# -- the staff register (工作人员名册) ------------------------------------------------------------------------

Employment = Literal["civil_servant", "public_institution", "auxiliary", "contract", "other"]


class StaffMemberIn(BaseModel):
    """A person of the agency's staff; only what trainings and the yearly report need (never published)."""

    model_config = _STRICT
    name: Line = Field(min_length=1, max_length=100)
    post: Line = Field(min_length=1, max_length=100, description="岗位, e.g. 综合执法队员, 协管员, 党政办")
    employment: Employment = Field(
        description="civil_servant 公务员, public_institution 事业编制, auxiliary 辅助执法人员/协管员, "
        "contract 聘用/劳务派遣, other"
    )
    joined_on: SaneDate
    user_id: uuid.UUID | None = Field(default=None, description="the person's user account, if they have one")


class StaffDepartureIn(BaseModel):
    model_config = _STRICT
    left_on: SaneDate


class StaffMemberOut(BaseModel):
    id: uuid.UUID
    name: str
    post: str
    employment: str
    joined_on: date
    left_on: date | None
    user_id: uuid.UUID | None


class RegisterRecordOut(BaseModel):
    """The trainings and exams of a person on the register (as that line or as the account it is linked to)."""

    member_id: uuid.UUID
    name: str
    trainings: int
    exams_taken: int
    exams_passed: int
    records: list[StaffTrainingLine]
