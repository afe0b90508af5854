"""The API's request and response models of cases: what its routes take and answer."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from service.cases.deadlines_view import CaseDeadline
from service.inputs import Line, Paragraph, SaneDate, SaneDateTime

# Where a case came from (案件来源登记表): found on inspection, a complaint, a referral by another body, a report.
SourceKind = Literal["inspection", "complaint", "referral", "report", "other"]
SOURCE_KINDS: tuple[str, ...] = get_args(SourceKind)


class StepProblem(BaseModel):
    """An RFC 9457 problem as a step answers it (``application/problem+json``)."""

    type: str
    title: str
    status: int
    code: str = Field(description="stable: e.g. transition_refused, refused_by_law, case_changed, invalid_input")
    detail: str
    basis: dict[str, Any] | None = Field(default=None, description="the article of law behind a refusal")
    failures: list[dict[str, Any]] | None = Field(default=None, description="every rule that failed, with its article")
    version: int | None = Field(default=None, description="with 412: the case's current version")


_STRICT = ConfigDict(extra="forbid")


class PartyModel(BaseModel):
    model_config = _STRICT
    party_type: Literal["individual", "organisation"]
    name: Line = Field(min_length=1, max_length=200)
    id_number: Line | None = Field(default=None, max_length=50)
    phone: Line | None = Field(default=None, max_length=50)
    address: Line | None = Field(default=None, max_length=300)


class OpenCaseBody(BaseModel):
    model_config = _STRICT
    procedure: Literal["general", "summary"] = "general"
    item_code: Line = Field(min_length=1, max_length=50)
    title: Line = Field(min_length=1, max_length=300, description="short description of the matter")
    party: PartyModel
    source_kind: SourceKind = "inspection"
    source_description: Paragraph = Field(default="", max_length=4000)
    occurred_on: SaneDate | None = Field(
        default=None, description="the day of the act; filing is refused without it (第三十六条)"
    )
    continued_until: SaneDate | None = Field(
        default=None, description="the last day of a continuing act: the time bar runs from it (第三十六条第二款)"
    )
    harms_life_health_or_finance: bool = Field(
        default=False, description="the act harmed life, health or financial safety: a 5-year bar where the item allows"
    )
    place: Line = Field(default="", max_length=300)
    area_code: Line | None = Field(
        default=None,
        max_length=64,
        description="a designated urban area of the agency (GET /api/v1/agency/settings); required by urban_only items",
    )
    officers: list[uuid.UUID] = Field(default_factory=list, max_length=20, description="other assigned officers")
    claimed_at: SaneDateTime | None = Field(default=None, description="when it happened, if logged later")


class StepEnvelope(BaseModel):
    """What every step's body carries besides its ``data``."""

    model_config = _STRICT
    officers: list[uuid.UUID] = Field(default_factory=list, max_length=20, description="the other officers acting")
    claimed_at: SaneDateTime | None = Field(default=None, description="when it happened, if logged later (≤ 72 h)")
    reason: Paragraph | None = Field(default=None, max_length=4000, description="the reason, where the step needs one")


class StepBody(StepEnvelope):
    data: dict[str, Any] = Field(default_factory=dict, description="what this step needs")


class BlockedStep(BaseModel):
    step: str
    failures: list[dict[str, Any]] = Field(description="each rule that blocks it: guard, reasons, basis (article)")


class CaseOut(BaseModel):
    id: uuid.UUID
    number: str | None
    procedure: str
    state: str
    state_zh: str
    item_code: str
    catalogue_version: str
    party_type: str
    title: str
    unit: str
    occurred_on: date | None
    registered_at: datetime
    filed_at: datetime | None
    decided_at: datetime | None
    closed_at: datetime | None
    outcome: str | None
    fine_fen: int | None
    officers: list[uuid.UUID]
    file: dict[str, Any]
    deadlines: list[CaseDeadline]
    next_steps: list[str] = Field(description="the steps that can be taken now (their own permission still applies)")
    blocked_steps: list[BlockedStep] = Field(
        default_factory=list, description="steps the procedure allows in this state that a rule blocks now, and why"
    )
    warnings: list[dict[str, Any]] = Field(default_factory=list)


class CaseFilters(BaseModel):
    """Which cases to list; ``party`` only in the body of ``POST /cases/search``, never in a URL."""

    model_config = _STRICT
    state: Line | None = Field(default=None, max_length=40)
    item: Line | None = Field(default=None, max_length=50)
    officer: uuid.UUID | None = None
    registered_from: SaneDate | None = None
    registered_to: SaneDate | None = None
    party: Line | None = Field(
        default=None, min_length=1, max_length=200, description="the party's ID number or exact name"
    )
    overdue: bool = False
    due_soon: bool = False
    limit: int = Field(default=100, ge=1, le=500)


class MajorBody(BaseModel):
    model_config = _STRICT
    major: bool
    reason: Paragraph = Field(min_length=1, max_length=2000)


class EraseBody(BaseModel):
    model_config = _STRICT
    fields: list[Literal["name", "id_number", "phone", "address"]] = Field(min_length=1)
    reason: Paragraph = Field(min_length=1, max_length=2000, description="the legal basis for erasing")


class PartyOut(BaseModel):
    party_type: str
    name: str | None
    id_number: str | None
    phone: str | None
    address: str | None
    erased_fields: list[str]
    redacted: bool = Field(description="true: masked as every reader of the case sees it; false: disclosed in clear")


class DisclosureBody(BaseModel):
    model_config = _STRICT
    reason: str = Field(min_length=1, max_length=2000, description="why the clear data is needed, e.g. 送达决定书")


class DisclosureOut(BaseModel):
    seq: int
    actor: str
    actor_name: str | None
    at: datetime
    fields: list[str]
    reason: str
    verifies: bool


class CalendarYearOut(BaseModel):
    year: int
    official: bool = Field(description="counted on the State Council's notice; false: provisional")
    notice: str | None
    title: str | None
    version: str | None
    source: str = Field(description="file (policies/calendar), ledger (a loaded notice) or provisional")


class CalendarOut(BaseModel):
    version: str
    years: list[CalendarYearOut]
    warnings: list[dict[str, str]]


class RevisedDeadline(BaseModel):
    case_id: uuid.UUID
    case_number: str | None
    name: str
    due_on: date
    provisional: bool
    before: dict[str, Any] | None


class NoticeLoadedOut(BaseModel):
    year: int
    version: str
    recorded_in: list[str] = Field(description="agencies whose ledger recorded it (empty: already loaded)")
    revised: list[RevisedDeadline]


class DeadlineLine(CaseDeadline):
    case_id: uuid.UUID
    case_number: str | None
    title: str
    state: str


class DeadlineListOut(BaseModel):
    warnings: list[dict[str, str]]
    deadlines: list[DeadlineLine]


class GuardOut(BaseModel):
    name: str
    basis: dict[str, Any]
    standing: bool = Field(description="decided by the case as it stands (listed in blocked_steps when it fails)")
    precondition: bool = Field(
        default=False,
        description="decided by the step's data (which seizure...), but the case must hold what any data would "
        "need (something sealed or seized, a testing under way...): listed in blocked_steps, with that reason, when "
        "it does not",
    )


class StepOut(BaseModel):
    name: str
    from_states: list[str]
    to: str | None = Field(description="null: an act within the state")
    permission: str
    guards: list[GuardOut]
    records: str = Field(description="the ledger entry type the step appends")
    basis: dict[str, Any]
    payload_schema: dict[str, Any] = Field(description="JSON Schema of the step's data")


class StateOut(BaseModel):
    state: str
    zh: str
    en: str
    category: str = Field(description="intake, open, decided, closed or ended")
    terminal: bool


class ProcedureOut(BaseModel):
    procedure: str
    name_zh: str
    name_en: str
    version: str
    initial: str
    states: list[StateOut]
    periods: dict[str, int | None]
    steps: list[StepOut]
