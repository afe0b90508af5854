"""``/api/v1/cases``: register cases, take every step of the procedure, search, deadlines, history."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.auth.deps import Principal, ReadSession, RuntimeDep, WriteSession, requires
from service.auth.permissions import Permission
from service.cases import disclosure
from service.cases import service as cases
from service.cases.deadlines_view import CaseDeadline, case_deadlines
from service.cases.disclosure import clear_party, redacted_party
from service.cases.history import HistoryEntry, case_history
from service.cases.models import Case, CaseOfficer, Party
from service.cases.parties import blind_index
from service.cases.workflow import CaseState, Procedure
from service.errors import InvalidInput
from service.policy.calendar import SHANGHAI
from service.runtime import Runtime

router = APIRouter(prefix="/api/v1/cases", tags=["cases"])
_STRICT = ConfigDict(extra="forbid")


class PartyModel(BaseModel):
    model_config = _STRICT
    party_type: Literal["individual", "organisation"]
    name: str = Field(min_length=1, max_length=200)
    id_number: str | None = Field(default=None, max_length=50)
    phone: str | None = Field(default=None, max_length=50)
    address: str | None = Field(default=None, max_length=300)


class OpenCaseBody(BaseModel):
    model_config = _STRICT
    procedure: Literal["general", "summary"] = "general"
    item_code: str = Field(min_length=1, max_length=50)
    title: str = Field(min_length=1, max_length=300, description="short description of the matter")
    party: PartyModel
    source_kind: Literal["inspection", "complaint", "referral", "report", "other"] = "inspection"
    source_description: str = Field(default="", max_length=4000)
    occurred_on: date | None = None
    place: str = Field(default="", max_length=300)
    officers: list[uuid.UUID] = Field(default_factory=list, max_length=20, description="other assigned officers")
    claimed_at: datetime | None = Field(default=None, description="when it happened, if logged later")


class StepBody(BaseModel):
    model_config = _STRICT
    data: dict[str, Any] = Field(default_factory=dict, description="what this step needs (see the workflow README)")
    officers: list[uuid.UUID] = Field(default_factory=list, max_length=20, description="the other officers acting")
    claimed_at: datetime | None = None
    reason: str | None = Field(default=None, max_length=4000)


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
    next_steps: list[str]
    warnings: list[dict[str, Any]] = Field(default_factory=list)


def case_out(session: Session, runtime: Runtime, case: Case, warnings: list[dict[str, Any]] | None = None) -> CaseOut:
    workflow = runtime.case_context.workflows[Procedure(case.procedure)]
    state = CaseState(case.state)
    officers = session.scalars(select(CaseOfficer.officer_id).where(CaseOfficer.case_id == case.id)).all()
    file = {k: v for k, v in case.file.items() if k != "party_commitments"}
    return CaseOut(
        id=case.id,
        number=case.number,
        procedure=case.procedure,
        state=case.state,
        state_zh=workflow.state_info(state).zh,
        item_code=case.item_code,
        catalogue_version=case.catalogue_version,
        party_type=case.party_type,
        title=case.title,
        unit=case.unit,
        occurred_on=case.occurred_on,
        registered_at=case.registered_at,
        filed_at=case.filed_at,
        decided_at=case.decided_at,
        closed_at=case.closed_at,
        outcome=case.outcome,
        fine_fen=case.fine_fen,
        officers=list(officers),
        file=file,
        deadlines=case_deadlines(runtime.case_context, case, runtime.clock.now()),
        next_steps=[t.name for t in workflow.allowed_from(state)],
        warnings=warnings or [],
    )


@router.post("", response_model=CaseOut, status_code=201)
def open_case(
    body: OpenCaseBody,
    session: WriteSession,
    runtime: RuntimeDep,
    principal: Principal = requires(Permission.CASE_CREATE),
) -> CaseOut:
    """Register a case source (general procedure) or start a summary-procedure case on the spot."""
    opened = cases.open_case(
        session,
        runtime.case_context,
        principal,
        cases.OpenCaseIn(
            procedure=Procedure(body.procedure),
            item_code=body.item_code,
            title=body.title,
            party=cases.PartyIn(**body.party.model_dump()),
            source_kind=body.source_kind,
            source_description=body.source_description,
            occurred_on=body.occurred_on,
            place=body.place,
            officers=body.officers,
            claimed_at=body.claimed_at,
        ),
        runtime.clock.now(),
    )
    return case_out(session, runtime, opened.case, opened.warnings)


class CaseFilters(BaseModel):
    """Which cases to list; ``party`` only in the body of ``POST /cases/search``, never in a URL."""

    model_config = _STRICT
    state: str | None = Field(default=None, max_length=40)
    item: str | None = Field(default=None, max_length=50)
    officer: uuid.UUID | None = None
    registered_from: date | None = None
    registered_to: date | None = None
    party: str | None = Field(
        default=None, min_length=1, max_length=200, description="the party's ID number or exact name"
    )
    overdue: bool = False
    due_soon: bool = False
    limit: int = Field(default=100, ge=1, le=500)


def find_cases(session: Session, runtime: Runtime, principal: Principal, filters: CaseFilters) -> list[CaseOut]:
    query = cases.visible_cases(session, principal, runtime.case_context.case_policy)
    if filters.state:
        query = query.where(Case.state == filters.state)
    if filters.item:
        query = query.where(Case.item_code == filters.item)
    if filters.officer:
        query = query.where(Case.id.in_(select(CaseOfficer.case_id).where(CaseOfficer.officer_id == filters.officer)))
    # Dates are days in Asia/Shanghai, as the law counts them.
    if filters.registered_from:
        query = query.where(Case.registered_at >= datetime.combine(filters.registered_from, time.min, SHANGHAI))
    if filters.registered_to:
        query = query.where(
            Case.registered_at < datetime.combine(filters.registered_to + timedelta(days=1), time.min, SHANGHAI)
        )
    if filters.party:
        # The blind index: an HMAC of the normalised value under the server's key, never the value itself.
        digest = blind_index(runtime.case_context.blind_index_key, filters.party)
        matching = select(Party.id).where(
            Party.agency_id == principal.agency_id, (Party.id_number_index == digest) | (Party.name_index == digest)
        )
        query = query.where(Case.party_id.in_(matching))
    scan = 5000 if (filters.overdue or filters.due_soon) else filters.limit
    out = []
    for case in session.scalars(query.order_by(Case.registered_at.desc()).limit(scan)):
        shaped = case_out(session, runtime, case)
        if filters.overdue and not any(d.overdue for d in shaped.deadlines):
            continue
        if filters.due_soon and not any(d.due_soon for d in shaped.deadlines):
            continue
        out.append(shaped)
        if len(out) >= filters.limit:
            break
    return out


@router.get("", response_model=list[CaseOut])
def list_cases(
    request: Request,
    session: ReadSession,
    runtime: RuntimeDep,
    state: Annotated[str | None, Query(max_length=40)] = None,
    item: Annotated[str | None, Query(max_length=50)] = None,
    officer: uuid.UUID | None = None,
    registered_from: date | None = None,
    registered_to: date | None = None,
    overdue: bool = False,
    due_soon: bool = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    principal: Principal = requires(Permission.CASE_READ),
) -> list[CaseOut]:
    """Cases the caller may see, filtered by state, item, officer, registration date; overdue or due soon. To find
    a party's cases, ``POST /api/v1/cases/search``: a name or ID number in a URL ends up in logs and histories."""
    if "party" in request.query_params:
        raise InvalidInput(
            "search by party with POST /api/v1/cases/search and the value in the body, never in a URL",
            "按当事人查询请使用 POST /api/v1/cases/search，在请求体中提交，不得放在网址中",
        )
    filters = CaseFilters(
        state=state,
        item=item,
        officer=officer,
        registered_from=registered_from,
        registered_to=registered_to,
        overdue=overdue,
        due_soon=due_soon,
        limit=limit,
    )
    return find_cases(session, runtime, principal, filters)


@router.post("/search", response_model=list[CaseOut])
def search_cases(
    body: CaseFilters, session: ReadSession, runtime: RuntimeDep, principal: Principal = requires(Permission.CASE_READ)
) -> list[CaseOut]:
    """The same filters as ``GET /api/v1/cases``, and the party's ID number or exact name, in the body. It writes
    nothing; it is a POST so that the party's data stays out of URLs, access logs and browser histories."""
    return find_cases(session, runtime, principal, body)


@router.get("/{case_id}", response_model=CaseOut)
def get_case(
    case_id: uuid.UUID, session: ReadSession, runtime: RuntimeDep, principal: Principal = requires(Permission.CASE_READ)
) -> CaseOut:
    """One case with its file, deadlines and the steps its procedure allows next."""
    return case_out(session, runtime, cases.get_case(session, principal, runtime.case_context.case_policy, case_id))


@router.post("/{case_id}/steps/{step}", response_model=CaseOut)
def take_step(
    case_id: uuid.UUID,
    step: Annotated[str, "a transition or act of the case's workflow"],
    body: StepBody,
    session: WriteSession,
    runtime: RuntimeDep,
    principal: Principal = requires(Permission.CASE_READ),
) -> CaseOut:
    """Take one step of the procedure (policies/workflows/). The step's own permission is checked too; a step
    the procedure does not allow now, or whose rule fails, is a 409 naming the rule and the article."""
    if not step.replace("_", "").isalnum():
        raise InvalidInput("unknown step", "未知的办案环节")
    case = cases.get_case(session, principal, runtime.case_context.case_policy, case_id)
    cases.perform(
        session,
        runtime.case_context,
        principal,
        case,
        step,
        cases.ActIn(data=body.data, officers=body.officers, claimed_at=body.claimed_at, reason=body.reason),
        runtime.clock.now(),
    )
    return case_out(session, runtime, case)


class MajorBody(BaseModel):
    model_config = _STRICT
    major: bool
    reason: str = Field(min_length=1, max_length=2000)


@router.post("/{case_id}/major", response_model=CaseOut)
def flag_major(
    case_id: uuid.UUID,
    body: MajorBody,
    session: WriteSession,
    runtime: RuntimeDep,
    principal: Principal = requires(Permission.CASE_ACT),
) -> CaseOut:
    """Flag the case as of major public interest or complex: legal review and collective discussion become required."""
    case = cases.get_case(session, principal, runtime.case_context.case_policy, case_id)
    cases.flag_major(session, principal, case, body.major, body.reason, runtime.clock.now())
    return case_out(session, runtime, case)


class EraseBody(BaseModel):
    model_config = _STRICT
    fields: list[Literal["name", "id_number", "phone", "address"]] = Field(min_length=1)
    reason: str = Field(min_length=1, max_length=2000, description="the legal basis for erasing")


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


def _no_store(response: Response) -> None:
    response.headers["Cache-Control"] = "no-store"


@router.get("/{case_id}/party", response_model=PartyOut)
def get_party(
    case_id: uuid.UUID,
    response: Response,
    session: ReadSession,
    runtime: RuntimeDep,
    principal: Principal = requires(Permission.CASE_READ),
) -> PartyOut:
    """The party as every reader of the case sees it: an individual's name as 张某某, the ID number's region and
    last four characters, the phone's first three and last four, the address to village level; an organisation
    in full. The clear data is disclosed by ``POST /cases/{id}/party/disclosures``, which is recorded."""
    case = cases.get_case(session, principal, runtime.case_context.case_policy, case_id)
    party = session.get(Party, case.party_id)
    assert party is not None
    _no_store(response)
    return PartyOut.model_validate(redacted_party(party, runtime.publicity.rules.address_levels), from_attributes=True)


@router.post("/{case_id}/party/disclosures", response_model=PartyOut, status_code=201)
def disclose_party(
    case_id: uuid.UUID,
    body: DisclosureBody,
    response: Response,
    session: WriteSession,
    runtime: RuntimeDep,
    principal: Principal = requires(Permission.CASE_READ),
) -> PartyOut:
    """The party's personal data in clear, for a reason; the disclosure (who, when, which case, which fields, why
    — never the data) is an entry on the case's chain that supervisors see."""
    case = cases.get_case(session, principal, runtime.case_context.case_policy, case_id)
    party = disclosure.disclose_party(session, principal, case, body.reason, runtime.clock.now())
    _no_store(response)
    return PartyOut.model_validate(clear_party(party), from_attributes=True)


@router.get("/{case_id}/party/disclosures", response_model=list[DisclosureOut])
def list_disclosures(
    case_id: uuid.UUID,
    session: ReadSession,
    runtime: RuntimeDep,
    principal: Principal = requires(Permission.CASE_AUDIT),
) -> list[DisclosureOut]:
    """Every disclosure of the party's personal data in this case, from its verified chain (supervisors)."""
    case = cases.get_case(session, principal, runtime.case_context.case_policy, case_id)
    found = disclosure.disclosures(case_history(session, case))
    return [DisclosureOut.model_validate(d, from_attributes=True) for d in found]


@router.post("/{case_id}/party/erase", response_model=PartyOut)
def erase_party_data(
    case_id: uuid.UUID,
    body: EraseBody,
    response: Response,
    session: WriteSession,
    runtime: RuntimeDep,
    principal: Principal = requires(Permission.CASE_APPROVE),
) -> PartyOut:
    """Lawfully erase fields of the party's personal data; the ledger still verifies and reports them erased. The
    answer shows what remains, redacted (an erasure is not a disclosure)."""
    case = cases.get_case(session, principal, runtime.case_context.case_policy, case_id)
    party = cases.erase_personal_data(session, principal, case, body.fields, body.reason, runtime.clock.now())
    _no_store(response)
    return PartyOut.model_validate(redacted_party(party, runtime.publicity.rules.address_levels), from_attributes=True)


@router.get("/{case_id}/history", response_model=list[HistoryEntry])
def get_history(
    case_id: uuid.UUID, session: ReadSession, runtime: RuntimeDep, principal: Principal = requires(Permission.CASE_READ)
) -> list[HistoryEntry]:
    """The case's hash chain: each entry with actor, times, type, body, hashes, and whether it verifies."""
    case = cases.get_case(session, principal, runtime.case_context.case_policy, case_id)
    return case_history(session, case)
