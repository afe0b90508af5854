"""Cases: registering one, and every step of the procedure as a checked, recorded transition.

Every change goes the same way: the requested step is applied to a copy of the case file, the guards of the
workflow are checked against the result (``check_transition``), and only then is the entry recorded — whose
projector applies the very same step to the stored case. A refused step writes nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, cast

from pydantic import BaseModel, ValidationError
from sqlalchemy import Select, and_, bindparam, func, or_, select
from sqlalchemy.orm import Session

from service.agencies.models import Agency
from service.agencies.service import agency_of, agency_ref, entry_agency_id, hold_agency
from service.auth.models import User
from service.auth.permissions import Permission
from service.auth.principal import Principal
from service.auth.principal_read import PRINCIPAL, PrincipalRow, principal_params
from service.auth.tokens import Claims
from service.cases import casefile
from service.cases.context import CaseContext
from service.cases.deadline_revision import deadlines_after, keep_in_force, merge_recorded, record_of
from service.cases.facts import case_facts
from service.cases.guards import TimeBarFacts, time_bar_ends
from service.cases.items import item_rules
from service.cases.locking import case_stream, lock_case, mark_locked
from service.cases.models import Case, CaseOfficer, Party
from service.cases.parties import PERSONAL_FIELDS, blind_index, commit
from service.cases.policy import CasePolicy
from service.cases.seized_elsewhere import lock_seizure_register, things_held_elsewhere
from service.cases.steps import STEPS, Step
from service.cases.versioning import require_version
from service.cases.workflow import (
    CaseState,
    GuardFailure,
    Procedure,
    Workflow,
    check_transition,
    standing_refusals,
)
from service.catalogue.service import item_of, require_current_version
from service.errors import Forbidden, InvalidInput, NotFound, RuleOfLawRefusal
from service.ledger.canonical import EntryContent, parse_instant
from service.ledger.projection import known_entry_types, projector, record
from service.ledger.store import lock_stream, lock_stream_of, stream_lock_of
from service.legal import LegalBasis, penalty_law
from service.officers.models import Officer
from service.officers.qualification import ItemFacts, Qualification
from service.officers.service import (
    CertificatesOf,
    OfficerRef,
    officer_of_user,
    officers_with_certificates,
    qualifications_of,
)
from service.policy.calendar import local_date
from service.policy.catalogue import CatalogueItem, PartyType, PowerHolding
from service.policy.notices import agency_calendar
from service.straight import Straight, attached, loaded_columns
from service.validation_words import problems_zh

# -- who may see a case --------------------------------------------------------------------------------------


def visible_cases(session: Session, principal: Principal, policy: CasePolicy) -> Select[Case]:
    """Heads, supervisors and reviewers see all the agency's cases; officers their own (and their unit's).

    One statement: the caller's officer is found by subqueries (a user with no officer sees no case)."""
    query = select(Case).where(Case.agency_id == principal.agency_id)
    if principal.roles and set(principal.roles) & {"head", "supervisor", "reviewer"}:
        return query
    assigned = (
        select(CaseOfficer.case_id)
        .join(Officer, Officer.id == CaseOfficer.officer_id)
        .where(Officer.user_id == principal.user_id)
    )
    if policy.officers_see_unit_cases:
        unit = select(Officer.unit).where(Officer.user_id == principal.user_id).scalar_subquery()
        return query.where(or_(Case.id.in_(assigned), Case.unit == unit))
    return query.where(Case.id.in_(assigned))


def get_case(
    session: Session, principal: Principal, policy: CasePolicy, case_id: uuid.UUID, *, for_step: bool = False
) -> Case:
    """The case, if the caller may see it; otherwise 404, as if it did not exist. One statement, which also reads
    the case's agency (``agency_of`` then finds it).

    ``for_step``: the case's stream lock is taken first and the case read under it (``lock_case`` then has
    nothing left to do), instead of reading it, locking, and reading it again."""
    if for_step:
        lock_stream(session, principal.agency_id, case_stream(case_id))
    query = (
        visible_cases(session, principal, policy)
        .add_columns(Agency)
        .join(Agency, Agency.id == Case.agency_id)
        .where(Case.id == case_id)
    )
    if for_step:
        query = query.execution_options(populate_existing=True)
    row = session.execute(query).one_or_none()
    if row is None:
        raise NotFound("no such case", "案件不存在")
    case: Case = row[0]
    hold_agency(session, row[1])
    if for_step:
        mark_locked(session, case)
    return case


# The roles that see every case of their agency (``visible_cases``).
_SEE_ALL = frozenset({"head", "supervisor", "reviewer"})
# The case view's statement (``read_case_as``), built once: the principal's row with the case of their agency
# joined, its agency, and whether the user's officer is assigned to it or in its unit — as plain columns, straight
# through psycopg on PostgreSQL, the case and the agency then put into the session as the ORM objects the rest of
# the request works with (service/straight.py: a third of the ORM's cost of loading them).
_CASE_COLUMNS = loaded_columns(Case)
_AGENCY_COLUMNS = loaded_columns(Agency)
CASE_AS = Straight(
    PRINCIPAL.add_columns(
        *(column for _, column in _CASE_COLUMNS),
        *(column for _, column in _AGENCY_COLUMNS),
        select(CaseOfficer.case_id)
        .join(Officer, Officer.id == CaseOfficer.officer_id)
        .where(CaseOfficer.case_id == Case.id, Officer.user_id == User.id)
        .exists()
        .label("assigned"),
        select(Officer.id).where(Officer.user_id == User.id, Officer.unit == Case.unit).exists().label("in_unit"),
    ).outerjoin(Case, and_(Case.agency_id == User.agency_id, Case.id == bindparam("case_id")))
)
# Where each part is in a row of it.
_CASE_AT = slice(len(PrincipalRow._fields), len(PrincipalRow._fields) + len(_CASE_COLUMNS))
_AGENCY_AT = slice(_CASE_AT.stop, _CASE_AT.stop + len(_AGENCY_COLUMNS))
_ASSIGNED, _IN_UNIT = _AGENCY_AT.stop, _AGENCY_AT.stop + 1
_CASE_KEYS, _AGENCY_KEYS = [key for key, _ in _CASE_COLUMNS], [key for key, _ in _AGENCY_COLUMNS]
_CASE_ID = _CASE_AT.start + _CASE_KEYS.index("id")
# A step's lock: its case's stream in the agency of the user the token names.
_LOCK_CASE_OF_USER = stream_lock_of(
    select(User.agency_id).where(User.id == bindparam("principal_user")).scalar_subquery()
)


def read_case_as(
    session: Session,
    claims: Claims,
    principal_of_row: Callable[[Any], Principal],
    policy: CasePolicy,
    case_id: uuid.UUID,
    *,
    for_step: bool = False,
) -> tuple[Principal, Case]:
    """The principal ``claims`` names and the case, if they may see it — in one statement (the case view's).

    The principal's row (``PRINCIPAL``: the user's state, their token version, whether the token was revoked)
    with the case of their agency joined, its agency, and whether the user's officer is assigned to it or in its
    unit; ``principal_of_row`` checks the principal (401, 403) before anything of the case is used. What the
    case's visibility means is ``visible_cases``' (a user with no officer sees no case).

    ``for_step``: the case's stream (of the user's agency, found in the locking statement) is locked first and the
    case read under the lock, as ``get_case(for_step=True)`` does — one statement fewer, the principal's."""
    params = case_as_params(claims, case_id)
    if for_step:
        lock_stream_of(session, _LOCK_CASE_OF_USER, case_stream(case_id), params)
    row = CASE_AS.first(session.connection(), params)
    return case_as_of_row(session, row, principal_of_row, policy, for_step=for_step)


def case_as_params(claims: Claims, case_id: uuid.UUID) -> dict[str, Any]:
    """The parameters of ``CASE_AS`` for the principal ``claims`` names and the case ``case_id``."""
    return {**principal_params(claims), "case_id": case_id}


def case_as_of_row(
    session: Session,
    row: Sequence[Any] | None,
    principal_of_row: Callable[[Any], Principal],
    policy: CasePolicy,
    *,
    for_step: bool = False,
) -> tuple[Principal, Case]:
    """``read_case_as`` from the row ``CASE_AS`` read (none: no such user), by whoever read it (a route on the
    event loop awaits it: service/loop_reads.py): the principal checked, the case's visibility, the case and its
    agency put into ``session``."""
    # Refuses a missing user: there is a row below.
    principal = principal_of_row(None if row is None else PrincipalRow(*row[: _CASE_AT.start]))
    row = cast(Sequence[Any], row)
    visible = row[_CASE_ID] is not None and (  # a case of this id in the user's agency
        bool(_SEE_ALL & set(principal.roles)) or row[_ASSIGNED] or (policy.officers_see_unit_cases and row[_IN_UNIT])
    )
    if not visible:
        raise NotFound("no such case", "案件不存在")
    # Read under the step's lock when ``for_step``: then a case the session already holds takes the row's values.
    case_values = dict(zip(_CASE_KEYS, row[_CASE_AT], strict=True))
    agency_values = dict(zip(_AGENCY_KEYS, row[_AGENCY_AT], strict=True))
    case = attached(session, Case, case_values, refresh=for_step)
    hold_agency(session, attached(session, Agency, agency_values, refresh=for_step))
    if for_step:
        # The case exists in the user's agency, so its stream does, and the statement above locked it.
        mark_locked(session, case)
    return principal, case


# -- registering a case --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartyIn:
    party_type: PartyType
    name: str
    id_number: str | None = None
    phone: str | None = None
    address: str | None = None


@dataclass(frozen=True)
class OpenCaseIn:
    procedure: Procedure
    item_code: str
    title: str
    party: PartyIn
    source_kind: str
    source_description: str
    occurred_on: date | None = None
    place: str = ""
    officers: Sequence[uuid.UUID] = ()
    claimed_at: datetime | None = None
    continued_until: date | None = None  # the end of a continuing act (第三十六条第二款)
    harms_life_health_or_finance: bool = False  # 第三十六条第一款: the bar is then 5 years where the item allows
    area_code: str | None = None  # a designated urban area (policies/designated-areas.yaml)


@dataclass(frozen=True)
class Opened:
    case: Case
    warnings: list[dict[str, Any]] = field(default_factory=list)


def acting_officer(
    session: Session, principal: Principal, known: Mapping[uuid.UUID, OfficerRef] | None = None
) -> OfficerRef:
    """The caller's own officer; ``known``: officers already read by id, the caller's among them if there is one."""
    officer: OfficerRef | None
    if known is None:
        officer = officer_of_user(session, principal.user_id)
    else:
        officer = next((o for o in known.values() if o.user_id == principal.user_id), None)
    if officer is None or officer.agency_id != principal.agency_id or not officer.active:
        raise RuleOfLawRefusal(
            "only an enforcement officer of this agency may do this; your account is not linked to one",
            "只有本机关的执法人员才能办理；您的账号未关联执法人员",
            basis=penalty_law(42),
        )
    return officer


def agency_officers(
    session: Session,
    agency_id: uuid.UUID,
    ids: Sequence[uuid.UUID],
    known: Mapping[uuid.UUID, OfficerRef] | None = None,
) -> list[OfficerRef]:
    """The officers ``ids`` names, each on the agency's team; ``known``: every one of them that exists, already
    read by id (``officers_with_certificates``), so that none is looked up again."""
    out = []
    for officer_id in dict.fromkeys(ids):
        officer = session.get(Officer, officer_id) if known is None else known.get(officer_id)
        if officer is None or officer.agency_id != agency_id:
            raise _not_an_officer_of(session, agency_id, officer_id)
        if not officer.active:
            raise RuleOfLawRefusal(
                f"officer {officer.name} has left the team",
                f"执法人员{officer.name}已调离或退休",
                basis=penalty_law(42),
            )
        out.append(officer)
    return out


def _not_an_officer_of(session: Session, agency_id: uuid.UUID, officer_id: uuid.UUID) -> RuleOfLawRefusal:
    """The refusal of ``officer_id`` as an officer of the agency — naming the officer whose user account it is, if it
    is one: officers are named by their own id (``GET /api/v1/officers``), which a caller holding a user's id (from
    ``GET /api/v1/auth/me`` or the users' list) easily confuses with it."""
    # 第四十二条: penalties are imposed by the agency's own officers holding enforcement qualification.
    basis, extra = penalty_law(42), {"guard": "officer_of_agency"}
    account_of = officer_of_user(session, officer_id)
    if account_of is not None and account_of.agency_id == agency_id:
        return RuleOfLawRefusal(
            f"{officer_id} is the user account of officer {account_of.name}, not an officer's id: name them as "
            f"{account_of.id} (GET /api/v1/officers lists the officers with their ids)",
            f"{officer_id} 是执法人员{account_of.name}的用户账号，不是执法人员编号：应填 {account_of.id}"
            "（GET /api/v1/officers 列出执法人员及其编号）",
            basis=basis,
            extra=extra,
        )
    return RuleOfLawRefusal(
        f"officer {officer_id} is not an officer of this agency",
        f"执法人员 {officer_id} 不是本机关的执法人员",
        basis=basis,
        extra=extra,
    )


def action_moment(now: datetime, claimed_at: datetime | None, policy: CasePolicy) -> datetime:
    """When the act happened: as claimed, never in the future, and not further back than the policy allows."""
    if claimed_at is None:
        return now
    if claimed_at.tzinfo is None:
        raise InvalidInput("claimed_at needs a time zone", "claimed_at 须带时区")
    if claimed_at > now + timedelta(minutes=1):
        raise InvalidInput("an action cannot be dated in the future", "不能将行为时间记为将来")
    if now - claimed_at > policy.claimed_at_max_lag:
        hours = int(policy.claimed_at_max_lag.total_seconds() // 3600)
        raise InvalidInput(
            f"an action may be logged at most {hours} hours after it happened",
            f"行为时间最多只能早于记录时间 {hours} 小时",
        )
    return claimed_at


def open_case(session: Session, context: CaseContext, principal: Principal, data: OpenCaseIn, now: datetime) -> Opened:
    """Register a case source (案件来源登记), or start a summary-procedure case on the spot."""
    agency = agency_of(session, principal.agency_id)
    registering = acting_officer(session, principal)
    moment = action_moment(now, data.claimed_at, context.case_policy)
    version = require_current_version(session, agency.id)
    try:
        item = item_of(session, agency.id, version.version, data.item_code)
    except NotFound:
        raise RuleOfLawRefusal(
            f"item {data.item_code} is not in the agency's enforcement catalogue",
            f"执法事项{data.item_code}不在本机关行政执法事项清单内",
            basis=penalty_law(24),
            extra={"guard": "item_in_catalogue"},
        ) from None
    if not data.party.name.strip():
        raise InvalidInput("the party's name is required", "须填写当事人名称")
    officers = agency_officers(session, agency.id, [registering.id, *data.officers])
    workflow = context.workflows[data.procedure]
    area = _designated_area(context, agency, item, data.area_code)
    warnings = _time_bar_warnings(item, data, local_date(moment))

    case_id, party_id = uuid.uuid4(), uuid.uuid4()
    fields = {
        "name": data.party.name.strip(),
        "id_number": data.party.id_number,
        "phone": data.party.phone,
        "address": data.party.address,
    }
    committed = commit(fields)
    session.add(
        Party(
            id=party_id,
            agency_id=agency.id,
            party_type=data.party.party_type,
            name=fields["name"],
            id_number=fields["id_number"],
            phone=fields["phone"],
            address=fields["address"],
            salts=committed.salts,
            name_index=blind_index(context.blind_index_key, fields["name"] or ""),
            id_number_index=blind_index(context.blind_index_key, data.party.id_number)
            if data.party.id_number
            else None,
            erased_fields=[],
            erased_at=None,
        )
    )
    record(
        session,
        agency_ref(agency),
        stream=case_stream(case_id),
        type="case:case:registered",
        actor=principal.actor,
        at=now,
        claimed_at=moment,
        body={
            "case_id": case_id,
            "procedure": data.procedure.value,
            "state": workflow.initial.value,
            "item_code": item.code,
            "catalogue_version": version.version,
            "title": data.title.strip(),
            "unit": registering.unit,
            "party": {"party_id": party_id, "party_type": data.party.party_type, "commitments": committed.commitments},
            "source": {"kind": data.source_kind, "description": data.source_description},
            "occurred_on": data.occurred_on,
            "continued_until": data.continued_until,
            "harms_life_health_or_finance": data.harms_life_health_or_finance,
            "place": data.place,
            "area": area,
            "officers": [str(o.id) for o in officers],
            "warnings": warnings,
        },
    )
    case = session.get(Case, case_id)
    assert case is not None
    return Opened(case, warnings)


def _designated_area(
    context: CaseContext, agency: Agency, item: CatalogueItem, area_code: str | None
) -> dict[str, str] | None:
    """The designated urban area the case's place lies in; required for an ``urban_only`` item, which applies
    only in built-up urban areas (重庆市市容环境卫生管理条例 第二条)."""
    area = context.designated_areas.find(agency.code, area_code) if area_code else None
    if area_code and area is None:
        raise InvalidInput(
            f"{area_code} is not one of the agency's designated areas",
            f"{area_code}不是本机关的城市建成区",
            extra={"areas": [a.code for a in context.designated_areas.of(agency.code)]},
        )
    if item.urban_only and area is None:
        raise RuleOfLawRefusal(
            f"item {item.code} applies only in a designated built-up urban area: choose the case's place from "
            "the agency's designated areas",
            f"执法事项{item.code}仅适用于城市建成区，须从本机关的城市建成区中选择案发地点",
            basis=LegalBasis(URBAN_APPEARANCE_REGULATION, 2),
            extra={
                "guard": "place_in_designated_area",
                "areas": [a.code for a in context.designated_areas.of(agency.code)],
            },
        )
    return None if area is None else {"code": area.code, "zh": area.zh}


URBAN_APPEARANCE_REGULATION = "重庆市市容环境卫生管理条例"


def _time_bar_warnings(item: CatalogueItem, data: OpenCaseIn, today: date) -> list[dict[str, Any]]:
    """第三十六条: the registration is kept, and says that filing will be refused (guard ``not_time_barred``)."""
    if data.occurred_on is None:
        return []
    if data.occurred_on > today or (data.continued_until is not None and data.continued_until > today):
        raise InvalidInput("the act cannot have happened in the future", "违法行为发生日期不能晚于今天")
    if data.continued_until is not None and data.continued_until < data.occurred_on:
        raise InvalidInput("a continuing act ends after it began", "违法行为终了日期不能早于发生日期")
    bar = TimeBarFacts(data.occurred_on, data.continued_until, today, data.harms_life_health_or_finance)
    last, years = time_bar_ends(bar, item_rules(item, data.party.party_type))
    if today <= last:
        return []
    return [
        {
            "code": "time_bar_passed",
            "basis": penalty_law(36).as_dict(),
            "text_en": f"the act is older than the {years}-year time bar, which ended on {last.isoformat()}: no "
            "penalty may be imposed, and filing will be refused (art. 36)",
            "text_zh": f"违法行为已超过{years}年的追责时效（{last.isoformat()}届满），"
            "不再给予行政处罚，不予立案（第三十六条）",
        }
    ]


@projector("case:case:registered")
def _case_registered(session: Session, entry: EntryContent) -> None:
    body = entry.body
    agency_id = entry_agency_id(session, entry)
    case_id = uuid.UUID(body["case_id"])
    file = casefile.new_case_file(
        body["procedure"], body["state"], body["item_code"], body["catalogue_version"], body["party"]["party_type"]
    ).with_changes(assigned=sorted(body["officers"]), party_commitments=body["party"]["commitments"])
    session.add(
        Case(
            id=case_id,
            agency_id=agency_id,
            number=None,
            procedure=body["procedure"],
            state=body["state"],
            item_code=body["item_code"],
            catalogue_version=body["catalogue_version"],
            party_id=uuid.UUID(body["party"]["party_id"]),
            party_type=body["party"]["party_type"],
            title=body["title"],
            unit=body["unit"],
            occurred_on=date.fromisoformat(body["occurred_on"]) if body["occurred_on"] else None,
            registered_at=entry.claimed_at,
            filed_at=None,
            decided_at=None,
            closed_at=None,
            outcome=None,
            fine_fen=None,
            file=file.stored(),
            updated_at=entry.recorded_at,
            version=1,
            officer_ids=sorted(set(body["officers"])),
            continued_until=date.fromisoformat(body["continued_until"]) if body.get("continued_until") else None,
            harms_life_health_or_finance=bool(body.get("harms_life_health_or_finance", False)),
        )
    )
    session.flush()
    for officer_id in body["officers"]:
        session.add(
            CaseOfficer(
                case_id=case_id, officer_id=uuid.UUID(officer_id), agency_id=agency_id, assigned_at=entry.claimed_at
            )
        )


# -- performing a step ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActIn:
    """A requested step: its data (service/cases/payloads.py), the officers acting, when it happened."""

    data: Mapping[str, Any] | BaseModel  # as sent, or already read into the step's payload model (its route's body)
    officers: Sequence[uuid.UUID] = ()
    claimed_at: datetime | None = None
    reason: str | None = None
    if_match: str | None = None  # the version of the case the step was decided on (its ETag)


_OFFICER_ACTS = frozenset({Permission.CASE_ACT, Permission.EVIDENCE_UPLOAD})


def perform(
    session: Session, context: CaseContext, principal: Principal, case: Case, name: str, request: ActIn, now: datetime
) -> Case:
    """Check and record one step of the procedure; refused steps raise and write nothing."""
    workflow = context.workflows[Procedure(case.procedure)]
    transition = workflow.transition(name)
    if not principal.has(transition.permission):
        raise Forbidden(
            f"{name} needs the permission {transition.permission}",
            f"“{name}”需要权限 {transition.permission}",
            extra={"permission": str(transition.permission)},
        )
    agency = agency_of(session, principal.agency_id)
    # The state is read under the lock that orders the case's appends: two requests for the same step check
    # one after the other, and the second sees what the first recorded (a check on an older read is no check).
    lock_case(session, case)
    require_version(case, request.if_match)
    moment = action_moment(now, request.claimed_at, context.case_policy)
    acting_ids = list(request.officers)
    # The caller's officer and the officers named, with their certificates, in one statement.
    known, certificates = officers_with_certificates(session, principal.user_id, acting_ids, agency)
    if transition.permission in _OFFICER_ACTS:
        # Field acts are done by officers: the one recording it is one of them.
        acting_ids.insert(0, acting_officer(session, principal, known).id)
    officers = agency_officers(session, agency.id, acting_ids, known)
    step = STEPS[name]
    data = _recorded_data(session, context, case, step, request)
    state = CaseState(case.state)
    acting = tuple(str(o.id) for o in officers)
    act = casefile.Act(transition.target(state).value, data, acting, moment, principal.actor)
    # A step's effect is written for the states the procedure allows it in (serving a decision needs one): in any
    # other state the guards are judged on the file as it is, and ``check_transition`` refuses (409) naming the state
    # rule and every other rule the act would break.
    after = step.judged(session, case.case_file, act) if state in transition.from_states else case.case_file
    calendar = agency_calendar(session, context.calendar, agency.id)
    qualifications = qualifications_for(session, context, case, officers, moment, certificates)
    if step.numbers_case and case.number is None and after.summary_form_number:
        # 第五十二条: one numbered form, one decision. Two cases deciding on the same form at the same instant would
        # each find it unused; the numbering stream this decision appends to is locked before the check instead, so
        # the second waits and then sees the first (the lock is released only when the first commits or refuses).
        lock_stream(session, agency.id, _numbering_stream(session, case, local_date(moment).year)[0])
    held = None
    if name == "decide_seizure":  # 行政强制法 第二十三条第二款: a thing is sealed once, across the agency's cases
        lock_seizure_register(session, agency.id)
        held = things_held_elsewhere(session, agency.id, case.id, data.get("things", ()))
    facts = case_facts(
        session,
        context,
        calendar,
        case,
        after,
        moment,
        qualifications,
        request.reason,
        name,
        # The seizure a coercive-measure step names (行政强制法).
        seizure_named=data["seizure"] if isinstance(data.get("seizure"), int) else None,
        seized_elsewhere=held,
    )
    check = check_transition(workflow, state, name, facts)
    check.raise_if_refused()
    body = {
        "case_id": case.id,
        "transition": name,
        "from": state.value,
        "to": check.to_state.value,
        "data": data,
        "officers": list(acting),
        "qualifications": [q.to_record() for q in qualifications],
        "check": check.to_record(),
        "reason": request.reason,
        # The deadlines the case runs against after this step, as the officer is told them.
        **record_of(deadlines_after(after, context, calendar), calendar),
    }
    record(
        session,
        agency_ref(agency),
        stream=case_stream(case.id),
        type=transition.records,
        actor=principal.actor,
        at=now,
        claimed_at=moment,
        body=body,
    )
    if step.numbers_case and case.number is None:
        _assign_number(session, context, agency, case, moment, principal.actor, now)
    return case


@dataclass(frozen=True)
class StepsNow:
    """The steps the procedure allows in the case's state, split by whether the case as it stands lets them be
    taken now; a blocked step carries the rules that block it, with their articles."""

    available: list[str]
    blocked: list[tuple[str, tuple[GuardFailure, ...]]]


def steps_now(session: Session, context: CaseContext, case: Case, now: datetime) -> StepsNow:
    workflow = context.workflows[Procedure(case.procedure)]
    calendar = agency_calendar(session, context.calendar, case.agency_id)
    facts = case_facts(session, context, calendar, case, case.case_file, now, (), None, "")
    available, blocked = [], []
    for transition in workflow.allowed_from(CaseState(case.state)):
        failures = standing_refusals(workflow, transition, facts)
        if failures:
            blocked.append((transition.name, failures))
        else:
            available.append(transition.name)
    return StepsNow(available, blocked)


def qualifications_for(
    session: Session,
    context: CaseContext,
    case: Case,
    officers: Sequence[OfficerRef],
    moment: datetime,
    certificates: CertificatesOf | None = None,
) -> tuple[Qualification, ...]:
    """The qualification of each of ``officers`` to act in ``case`` at ``moment``; ``certificates``: theirs, when
    already read (``officers_with_certificates``)."""
    version_item = item_of(session, case.agency_id, case.catalogue_version, case.item_code)
    return qualifications_of(
        session,
        context.officer_policy,
        officers,
        ItemFacts(version_item.code, version_item.category),
        moment,
        case_id=str(case.id),
        recused=frozenset(case.case_file.recused),
        certificates=certificates,
    )


def _recorded_data(session: Session, context: CaseContext, case: Case, step: Step, request: ActIn) -> dict[str, Any]:
    """The step's data checked against its payload model (service/cases/payloads.py) and turned into what its
    entry records; unknown keys are refused at every depth, so nothing sent is silently dropped."""
    # Read by the step's own route into its model, it is checked already.
    payload = request.data if isinstance(request.data, step.payload) else _payload_of(step, request.data)
    data = payload.model_dump(mode="json")
    for field_name in step.names_officers:
        agency_officers(session, case.agency_id, [uuid.UUID(data[field_name])])
    return step.prepare(session, context, case, data) if step.prepare is not None else data


def _payload_of(step: Step, data: Mapping[str, Any] | BaseModel) -> BaseModel:
    """``data`` read into ``step``'s payload model, or refused (422) naming each problem."""
    try:
        return step.payload.model_validate(data.model_dump(mode="json") if isinstance(data, BaseModel) else dict(data))
    except ValidationError as exc:
        problems = [f"data.{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
        raise InvalidInput(
            f"the data of {step.name} is refused: " + "; ".join(problems),
            f"“{step.name}”的数据有误：" + "；".join(problems_zh(exc.errors(), "data.")),
            extra={"problems": problems},
        ) from None


NUMBERING_STREAMS = "case-numbers:"  # how the name of every stream that numbers cases begins


def _numbering_stream(session: Session, case: Case, year: int) -> tuple[str, str | None]:
    """The stream that numbers ``case`` in ``year``, and the department's prefix where it has its own sequence."""
    power = item_of(session, case.agency_id, case.catalogue_version, case.item_code).power
    if power.holding is PowerHolding.SECONDED and power.number_prefix is not None:
        # 派驻执法: decided and numbered in the name of the department, in its own sequence.
        prefix = power.number_prefix
        return f"{NUMBERING_STREAMS}{prefix}:{case.procedure}:{year}", prefix
    return f"{NUMBERING_STREAMS}{case.procedure}:{year}", None


def _assign_number(
    session: Session, context: CaseContext, agency: Agency, case: Case, moment: datetime, actor: str, now: datetime
) -> None:
    """Give the case its number, e.g. 铁门罚〔2026〕7号.

    Numbers are positions in a per-agency, per-year numbering stream: its head row is the lock that makes two
    filings at the same moment get different, consecutive numbers.
    """
    year = local_date(moment).year
    stream, prefix = _numbering_stream(session, case, year)
    n = lock_stream(session, agency.id, stream)[0] + 1
    number = context.case_policy.case_number(case.procedure, agency.code, year, n, prefix=prefix)
    record(
        session,
        agency_ref(agency),
        stream=stream,
        type="case:number:assigned",
        actor=actor,
        at=now,
        claimed_at=moment,
        body={
            "case_id": case.id,
            "year": year,
            "procedure": case.procedure,
            "number": number,
            "sequence": n,
            "in_the_name_of": (
                item_of(session, case.agency_id, case.catalogue_version, case.item_code).power.original_department
                if prefix is not None
                else agency.name
            ),
        },
    )


# Given from the agency's numbering stream, the number is written on the case's row: a replay of some streams
# only gives it where the case's own stream is replayed too (service/ledger/projection.py).
@projector("case:number:assigned", changes=lambda entry: case_stream(uuid.UUID(entry.body["case_id"])))
def _number_assigned(session: Session, entry: EntryContent) -> None:
    case = session.get(Case, uuid.UUID(entry.body["case_id"]))
    assert case is not None
    case.number = entry.body["number"]


def project_transition(session: Session, entry: EntryContent) -> None:
    """The projector of every workflow step: the same step the service checked, applied to the stored case."""
    body = entry.body
    case = session.get(Case, uuid.UUID(body["case_id"]))
    assert case is not None
    step = STEPS[body["transition"]]
    act = casefile.Act(body["to"], body["data"], tuple(body["officers"]), entry.claimed_at, entry.actor)
    after = step.recorded(session, case.case_file, act)
    if "deadlines" in body:
        after = merge_recorded(after, body["deadlines"])
        keep_in_force(case, after, [d["name"] for d in body["deadlines"]], bool(body.get("deadline_problems")))
    case.keep_file(after)
    case.state = after.state
    if after.filed_at:
        case.filed_at = parse_instant(after.filed_at)
    decision = after.decision
    if decision is not None:
        case.decided_at = parse_instant(decision.decided_at)
        case.outcome = decision.outcome
        case.fine_fen = decision.penalty.fine_fen if decision.penalty is not None else None
    if after.state == "closed" and body.get("from") != "closed":  # an act in a closed case (a remedy) keeps it
        case.closed_at = entry.claimed_at
    case.updated_at = entry.recorded_at
    if step.assigns_officers:
        known = set(case.officer_ids)
        added = sorted(set(body["officers"]) - known)
        if added:
            case.officer_ids = sorted(known | set(added))
        for officer_id in added:
            session.add(
                CaseOfficer(
                    case_id=case.id,
                    officer_id=uuid.UUID(officer_id),
                    agency_id=case.agency_id,
                    assigned_at=entry.claimed_at,
                )
            )


def register_transition_projectors(workflows: Mapping[Procedure, Workflow]) -> None:
    """Every workflow step's entry type is projected by ``project_transition``."""
    for workflow in workflows.values():
        for transition in workflow.transitions:
            if transition.records not in known_entry_types():
                projector(transition.records)(project_transition)


def case_officer_ids(session: Session, case: Case) -> list[uuid.UUID]:
    """The officers assigned to the case (by registration, or by acting in it): kept on its row."""
    return [uuid.UUID(officer_id) for officer_id in case.officer_ids]


def count_cases(session: Session, agency_id: uuid.UUID) -> int:
    return int(session.scalar(select(func.count()).select_from(Case).where(Case.agency_id == agency_id)) or 0)


# -- lawful erasure of personal data -----------------------------------------------------------------------------


def erase_personal_data(
    session: Session, principal: Principal, case: Case, fields: Sequence[str], reason: str, now: datetime
) -> Party:
    """Erase fields of the party's personal data (e.g. once the retention period ends, or on a lawful request).

    Only the separate personal-data row changes; the ledger keeps its commitments, so every chain still verifies
    and verification reports the fields as erased. The erasure itself is an entry.
    """
    lock_case(session, case)
    unknown = set(fields) - set(PERSONAL_FIELDS)
    if not fields or unknown:
        raise InvalidInput(f"fields must be among {', '.join(PERSONAL_FIELDS)}", "须指明要删除的个人信息字段")
    if not reason.strip():
        raise InvalidInput("the legal reason for the erasure is required", "须说明删除个人信息的法律依据")
    party = session.get(Party, case.party_id)
    assert party is not None
    agency = agency_of(session, principal.agency_id)
    chosen = sorted(set(fields))
    for name in chosen:
        setattr(party, name, None)
        if name == "name":
            party.name_index = None
        if name == "id_number":
            party.id_number_index = None
    party.erased_fields = sorted(set(party.erased_fields) | set(chosen))
    party.erased_at = now
    record(
        session,
        agency_ref(agency),
        stream=case_stream(case.id),
        type="case:personal_data:erased",
        actor=principal.actor,
        at=now,
        body={"case_id": case.id, "party_id": party.id, "fields": chosen, "reason": reason.strip()},
    )
    return party


@projector("case:personal_data:erased")
def _personal_data_erased(session: Session, entry: EntryContent) -> None:
    case = session.get(Case, uuid.UUID(entry.body["case_id"]))
    assert case is not None
    file = case.case_file
    case.keep_file(file.with_changes(erased_fields=sorted(set(file.erased_fields) | set(entry.body["fields"]))))
    case.updated_at = entry.recorded_at


def flag_major(
    session: Session,
    principal: Principal,
    case: Case,
    major: bool,
    reason: str,
    now: datetime,
    if_match: str | None = None,
) -> Case:
    """Mark a case as of major public interest or complex (第五十八条第一款第一项、第三项): review and collective
    discussion then become required.

    The heads decide what is major (第五十七条第二款): a head sets or lifts the flag; an officer may raise it — which
    only adds safeguards — but never lift it, which would let a decision through without review or discussion."""
    if not principal.has(Permission.CASE_APPROVE) and not (major and principal.has(Permission.CASE_ACT)):
        raise Forbidden(
            "only a head decides that a case is not major; an officer may only flag it as major",
            "案件是否属于重大案件由负责人决定；执法人员只能提请标记为重大案件",
            extra={"permission": str(Permission.CASE_APPROVE), "basis": penalty_law(57, 2).as_dict()},
        )
    lock_case(session, case)
    require_version(case, if_match)
    if not reason.strip():
        raise InvalidInput("a reason is required", "须说明理由")
    agency = agency_of(session, principal.agency_id)
    record(
        session,
        agency_ref(agency),
        stream=case_stream(case.id),
        type="case:major_flag:set",
        actor=principal.actor,
        at=now,
        body={"case_id": case.id, "major": major, "reason": reason.strip()},
    )
    return case


@projector("case:major_flag:set")
def _major_flag(session: Session, entry: EntryContent) -> None:
    case = session.get(Case, uuid.UUID(entry.body["case_id"]))
    assert case is not None
    case.keep_file(case.case_file.with_changes(major=bool(entry.body["major"])))
    case.updated_at = entry.recorded_at
