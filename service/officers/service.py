"""Registering officers and managing their enforcement certificates; each step is a ledger entry.

A certificate's history is never edited: issue, renew, suspend, reinstate, revoke, cancel and the annual
review are each an entry in the officer's stream, with the reason and the actor. The certificate rules follow
交通运输行政执法证件管理规定 by analogy (the reference texts' certificate regulation).
"""

from __future__ import annotations

import uuid
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy import ColumnElement, Engine, Select, Uuid, any_, bindparam, inspect, or_, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from service.agencies.models import Agency
from service.agencies.service import agency_ref, entry_agency_id
from service.auth.models import User
from service.errors import AlreadyExists, Conflict, InvalidInput, LegalBasis, NotFound
from service.ledger.canonical import EntryContent, parse_instant
from service.ledger.projection import observer, projector, record
from service.officers.models import Certificate, CertificateEvent, Officer, StaffMember, TrainingRecord
from service.officers.policy import OfficerPolicy
from service.officers.qualification import (
    CertificateFacts,
    CertificateStatus,
    ItemFacts,
    OfficerFacts,
    Qualification,
    StatusChange,
    qualified,
)
from service.officers.staff_register import member_users, on_staff, register_member_of, require_user_of_agency
from service.straight import Straight

CERTIFICATE_RULES = "交通运输行政执法证件管理规定"

# What each certificate action does to its status, from which statuses it may be taken, and the rule behind it.
_ACTIONS: dict[str, tuple[CertificateStatus | None, frozenset[CertificateStatus], LegalBasis]] = {
    "renewed": (
        None,
        frozenset({CertificateStatus.ACTIVE, CertificateStatus.EXPIRED}),
        LegalBasis(CERTIFICATE_RULES, 28),
    ),
    "suspended": (
        CertificateStatus.SUSPENDED,
        frozenset({CertificateStatus.ACTIVE}),
        LegalBasis(CERTIFICATE_RULES, 31),
    ),
    "reinstated": (
        CertificateStatus.ACTIVE,
        frozenset({CertificateStatus.SUSPENDED}),
        LegalBasis(CERTIFICATE_RULES, 32),
    ),
    "revoked": (
        CertificateStatus.REVOKED,
        frozenset({CertificateStatus.ACTIVE, CertificateStatus.SUSPENDED, CertificateStatus.EXPIRED}),
        LegalBasis(CERTIFICATE_RULES, 33),
    ),
    "cancelled": (
        CertificateStatus.CANCELLED,
        frozenset({CertificateStatus.ACTIVE, CertificateStatus.SUSPENDED, CertificateStatus.EXPIRED}),
        LegalBasis(CERTIFICATE_RULES, 25),
    ),
    "expired": (CertificateStatus.EXPIRED, frozenset({CertificateStatus.ACTIVE}), LegalBasis(CERTIFICATE_RULES, 30)),
    "reviewed": (None, frozenset({CertificateStatus.ACTIVE}), LegalBasis(CERTIFICATE_RULES, 30)),
}
ACTION_NAMES_ZH = {
    "renewed": "换发/延期",
    "suspended": "暂扣",
    "reinstated": "恢复",
    "revoked": "吊销",
    "cancelled": "注销",
    "expired": "失效",
    "reviewed": "年度审验",
}


OFFICER_STREAMS = "officer:"


def officer_stream(officer_id: uuid.UUID) -> str:
    return f"{OFFICER_STREAMS}{officer_id}"


@observer
def _officers_changed(session: Session, entry: EntryContent) -> None:
    """Every entry of an officer's stream — the officer registered, activated, certificates issued or changed —
    moves the agency's officers' version: what a worker keeps of its officers is then read again (below)."""
    if entry.stream.startswith(OFFICER_STREAMS):
        agency = session.get(Agency, entry_agency_id(session, entry))
        assert agency is not None
        agency.officers_version += 1


# -- officers ----------------------------------------------------------------------------------------------


def register_officer(
    session: Session,
    agency: Agency,
    policy: OfficerPolicy,
    *,
    name: str,
    unit: str,
    user_id: uuid.UUID | None,
    actor: str,
    at: datetime,
) -> Officer:
    name = name.strip()
    if not name:
        raise InvalidInput("an officer needs a name", "执法人员姓名不能为空")
    if unit not in policy.units:
        raise InvalidInput(
            f"unknown unit {unit!r}; the policy lists {', '.join(policy.units)}",
            f"未知执法单位 {unit!r}；可选：{'、'.join(policy.units.values())}",
        )
    if user_id is not None:
        require_user_of_agency(session, agency, user_id)
        if session.scalar(select(Officer.id).where(Officer.user_id == user_id)) is not None:
            raise AlreadyExists(
                "that user is already linked to an officer", "该用户已关联其他执法人员", extra={"field": "user_id"}
            )
    officer_id = uuid.uuid4()
    record(
        session,
        agency_ref(agency),
        stream=officer_stream(officer_id),
        type="officer:officer:registered",
        actor=actor,
        at=at,
        body={"officer_id": officer_id, "name": name, "unit": unit, "user_id": user_id},
    )
    return get_officer(session, agency.id, officer_id)


@projector("officer:officer:registered")
def _officer_registered(session: Session, entry: EntryContent) -> None:
    body = entry.body
    session.add(
        Officer(
            id=uuid.UUID(body["officer_id"]),
            agency_id=entry_agency_id(session, entry),
            name=body["name"],
            unit=body["unit"],
            user_id=uuid.UUID(body["user_id"]) if body["user_id"] else None,
            legal_qualification_number=None,
            legal_qualification_on=None,
            active=True,
            created_at=entry.recorded_at,
            updated_at=entry.recorded_at,
        )
    )


def record_legal_qualification(
    session: Session, agency: Agency, officer: Officer, *, number: str, obtained_on: date, actor: str, at: datetime
) -> None:
    """Record an officer's legal professional qualification (法律职业资格), needed by first-time reviewers."""
    if not number.strip():
        raise InvalidInput("the qualification certificate number is required", "法律职业资格证书编号不能为空")
    record(
        session,
        agency_ref(agency),
        stream=officer_stream(officer.id),
        type="officer:legal_qualification:recorded",
        actor=actor,
        at=at,
        body={"officer_id": officer.id, "number": number.strip(), "obtained_on": obtained_on},
    )


@projector("officer:legal_qualification:recorded")
def _legal_qualification(session: Session, entry: EntryContent) -> None:
    officer = session.get(Officer, uuid.UUID(entry.body["officer_id"]))
    assert officer is not None
    officer.legal_qualification_number = entry.body["number"]
    officer.legal_qualification_on = date.fromisoformat(entry.body["obtained_on"])
    officer.updated_at = entry.recorded_at


def set_officer_active(
    session: Session, agency: Agency, officer: Officer, *, active: bool, reason: str, actor: str, at: datetime
) -> None:
    """An officer leaves the team (transfer, retirement) or returns; certificates are cancelled separately."""
    if officer.active == active:
        raise Conflict("the officer is already in that state", "执法人员已处于该状态")
    record(
        session,
        agency_ref(agency),
        stream=officer_stream(officer.id),
        type="officer:officer:activated" if active else "officer:officer:deactivated",
        actor=actor,
        at=at,
        body={"officer_id": officer.id, "reason": reason},
    )


@projector("officer:officer:activated", "officer:officer:deactivated")
def _officer_active(session: Session, entry: EntryContent) -> None:
    officer = session.get(Officer, uuid.UUID(entry.body["officer_id"]))
    assert officer is not None
    officer.active = entry.type == "officer:officer:activated"
    officer.updated_at = entry.recorded_at


def get_officer(session: Session, agency_id: uuid.UUID, officer_id: uuid.UUID) -> Officer:
    officer = session.get(Officer, officer_id)
    if officer is None or officer.agency_id != agency_id:
        raise NotFound("no such officer", "执法人员不存在")
    return officer


def officer_of_user(session: Session, user_id: uuid.UUID) -> Officer | None:
    return session.scalars(select(Officer).where(Officer.user_id == user_id)).one_or_none()


# -- certificates ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CertificateIn:
    number: str
    issuer: str
    issued_on: date
    expires_on: date
    scope_items: Sequence[str]
    scope_categories: Sequence[str]
    territory: str | None


def issue_certificate(
    session: Session,
    agency: Agency,
    policy: OfficerPolicy,
    officer: Officer,
    data: CertificateIn,
    *,
    actor: str,
    at: datetime,
) -> Certificate:
    number = data.number.strip()
    if not number or not data.issuer.strip():
        raise InvalidInput("a certificate needs a number and an issuer", "执法证需有证号和发证机关")
    if data.expires_on < data.issued_on:
        raise InvalidInput("a certificate cannot expire before it is issued", "执法证有效期截止日早于发证日")
    if not data.scope_items and not data.scope_categories:
        # 第二十二条 (by analogy): an officer acts only within the scope on the certificate.
        raise InvalidInput("a certificate needs a scope: items or categories", "执法证须载明执法类别或事项")
    named = policy.qualification.category_names
    if named and (unknown := sorted(set(data.scope_categories) - set(named))):
        # A category the policy does not name is a typo or a field this agency does not enforce: either way the
        # certificate would silently cover nothing by it (qualification matches the item's category exactly).
        raise InvalidInput(
            f"unknown categories {', '.join(unknown)}; the policy names {', '.join(named)}",
            f"未知执法类别 {'、'.join(unknown)}；可选：{'、'.join(f'{n}（{c}）' for c, n in named.items())}",
            extra={"field": "scope_categories"},
        )
    if not officer.active:
        raise Conflict("the officer has left the team", "该执法人员已调离或退休")
    if session.scalar(select(Certificate.id).where(Certificate.number == number)) is not None:
        raise AlreadyExists(
            f"certificate number {number} already exists", f"执法证号 {number} 已存在", extra={"field": "number"}
        )
    certificate_id = uuid.uuid4()
    record(
        session,
        agency_ref(agency),
        stream=officer_stream(officer.id),
        type="officer:certificate:issued",
        actor=actor,
        at=at,
        body={
            "certificate_id": certificate_id,
            "officer_id": officer.id,
            "number": number,
            "issuer": data.issuer.strip(),
            "issued_on": data.issued_on,
            "expires_on": data.expires_on,
            "scope_items": sorted(set(data.scope_items)),
            "scope_categories": sorted(set(data.scope_categories)),
            "territory": data.territory,
        },
    )
    found = session.get(Certificate, certificate_id)
    assert found is not None
    return found


def scope_warnings(scope_items: Sequence[str], catalogue_codes: frozenset[str]) -> list[dict[str, Any]]:
    """A warning naming the scope items ``catalogue_codes`` (the agency's current catalogue) does not hold, if any.

    Not a refusal: the certificate is recorded as its issuer wrote it, and may name items of another agency's
    catalogue (an officer seconded, a catalogue about to change). But an item is matched by its code exactly
    (``qualification``), so a code this catalogue does not hold — a typo, an item renumbered — qualifies the officer
    for none of this agency's cases, and whoever records the certificate is told so."""
    unknown = sorted(set(scope_items) - catalogue_codes)
    if not unknown:
        return []
    return [
        {
            "code": "scope_items_not_in_catalogue",
            "items": unknown,
            "text_en": f"the agency's current catalogue holds no item {', '.join(unknown)}: by "
            f"{'it' if len(unknown) == 1 else 'them'} the certificate qualifies the officer for none of its cases",
            "text_zh": f"本执法主体现行执法事项清单中没有事项 {'、'.join(unknown)}："
            "执法证载明的上述事项不能作为在本主体任何案件中执法的依据",
        }
    ]


@projector("officer:certificate:issued")
def _certificate_issued(session: Session, entry: EntryContent) -> None:
    body = entry.body
    certificate_id = uuid.UUID(body["certificate_id"])
    agency_id = entry_agency_id(session, entry)
    session.add(
        Certificate(
            id=certificate_id,
            agency_id=agency_id,
            officer_id=uuid.UUID(body["officer_id"]),
            number=body["number"],
            issuer=body["issuer"],
            issued_on=date.fromisoformat(body["issued_on"]),
            expires_on=date.fromisoformat(body["expires_on"]),
            scope_items=list(body["scope_items"]),
            scope_categories=list(body["scope_categories"]),
            territory=body["territory"],
            status=CertificateStatus.ACTIVE.value,
            last_reviewed_on=None,
            created_at=entry.recorded_at,
            updated_at=entry.recorded_at,
        )
    )
    session.flush()
    session.add(
        CertificateEvent(
            id=_event_id(entry),
            agency_id=agency_id,
            certificate_id=certificate_id,
            seq=entry.seq,
            kind="issued",
            effective_at=entry.claimed_at,
            recorded_at=entry.recorded_at,
            actor=entry.actor,
            reason="",
            status_after=CertificateStatus.ACTIVE.value,
            expires_on_after=date.fromisoformat(body["expires_on"]),
            reviewed_on=None,
            review_passed=None,
        )
    )


def _event_id(entry: EntryContent) -> uuid.UUID:
    """A stable id for the event an entry creates: the same on replay."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"caseledger:{entry.agency}:{entry.stream}:{entry.seq}")


def change_certificate(
    session: Session,
    agency: Agency,
    certificate: Certificate,
    action: str,
    *,
    reason: str,
    actor: str,
    at: datetime,
    effective_at: datetime | None = None,
    expires_on: date | None = None,
    reviewed_on: date | None = None,
    review_passed: bool | None = None,
) -> Certificate:
    """Renew, suspend, reinstate, revoke, cancel, mark expired or record the annual review of a certificate."""
    if action not in _ACTIONS:
        raise InvalidInput(f"unknown certificate action {action!r}", f"未知的执法证操作 {action!r}")
    _, allowed_from, basis = _ACTIONS[action]
    current = CertificateStatus(certificate.status)
    if current not in allowed_from:
        raise Conflict(
            f"a {current.value} certificate cannot be {action}",
            f"处于“{current.value}”状态的执法证不能{ACTION_NAMES_ZH[action]}",
            basis=basis,
        )
    if not reason.strip() and action != "reviewed":
        raise InvalidInput("a reason is required", "须说明理由")
    body: dict[str, Any] = {
        "certificate_id": certificate.id,
        "action": action,
        "reason": reason.strip(),
        "effective_at": effective_at or at,
    }
    if action == "renewed":
        if expires_on is None or expires_on <= certificate.expires_on:
            raise InvalidInput("a renewal needs a later expiry date", "延期须给出更晚的有效期截止日")
        body["expires_on"] = expires_on
    if action == "reviewed":
        if reviewed_on is None or review_passed is None:
            raise InvalidInput("an annual review needs its date and result", "年度审验须给出日期和结论")
        if reviewed_on < certificate.issued_on:
            raise InvalidInput("a review cannot precede the certificate's issue", "审验日期不能早于发证日期")
        body["reviewed_on"] = reviewed_on
        body["passed"] = review_passed
    record(
        session,
        agency_ref(agency),
        stream=officer_stream(certificate.officer_id),
        type=f"officer:certificate:{action}",
        actor=actor,
        at=at,
        body=body,
    )
    return certificate


@projector(*(f"officer:certificate:{action}" for action in _ACTIONS))
def _certificate_changed(session: Session, entry: EntryContent) -> None:
    body = entry.body
    certificate = session.get(Certificate, uuid.UUID(body["certificate_id"]))
    assert certificate is not None
    action = body["action"]
    status_after, _, _ = _ACTIONS[action]
    if status_after is not None:
        certificate.status = status_after.value
    expires_after = date.fromisoformat(body["expires_on"]) if "expires_on" in body else None
    if expires_after is not None:
        certificate.expires_on = expires_after
    reviewed_on = date.fromisoformat(body["reviewed_on"]) if "reviewed_on" in body else None
    if reviewed_on is not None and body["passed"]:
        certificate.last_reviewed_on = max(reviewed_on, certificate.last_reviewed_on or reviewed_on)
    certificate.updated_at = entry.recorded_at
    session.add(
        CertificateEvent(
            id=_event_id(entry),
            agency_id=certificate.agency_id,
            certificate_id=certificate.id,
            seq=entry.seq,
            kind=action,
            effective_at=parse_instant(body["effective_at"]),
            recorded_at=entry.recorded_at,
            actor=entry.actor,
            reason=body["reason"],
            status_after=status_after.value if status_after else None,
            expires_on_after=expires_after,
            reviewed_on=reviewed_on,
            review_passed=body.get("passed"),
        )
    )


def get_certificate(session: Session, agency_id: uuid.UUID, certificate_id: uuid.UUID) -> Certificate:
    found = session.get(Certificate, certificate_id)
    if found is None or found.agency_id != agency_id:
        raise NotFound("no such certificate", "执法证不存在")
    return found


def certificate_history(session: Session, certificate_id: uuid.UUID) -> list[CertificateEvent]:
    return list(
        session.scalars(
            select(CertificateEvent)
            .where(CertificateEvent.certificate_id == certificate_id)
            .order_by(CertificateEvent.seq)
        )
    )


# -- qualification -----------------------------------------------------------------------------------------


class CertificateTerms(Protocol):
    """What a certificate says: its row (``Certificate``), or a step's read of it (``CertificateRead``)."""

    @property
    def number(self) -> str: ...
    @property
    def issued_on(self) -> date: ...
    @property
    def expires_on(self) -> date: ...
    @property
    def scope_items(self) -> Sequence[str]: ...
    @property
    def scope_categories(self) -> Sequence[str]: ...
    @property
    def territory(self) -> str | None: ...


class CertificateChange(Protocol):
    """One event of a certificate's history, as qualification reads it (``CertificateEvent``, ``ChangeRead``)."""

    @property
    def kind(self) -> str: ...
    @property
    def effective_at(self) -> datetime: ...
    @property
    def reason(self) -> str: ...
    @property
    def status_after(self) -> str | None: ...
    @property
    def expires_on_after(self) -> date | None: ...
    @property
    def reviewed_on(self) -> date | None: ...
    @property
    def review_passed(self) -> bool | None: ...


class OfficerRef(Protocol):
    """An officer as a step checks them: ``Officer``'s row, or a step's read of it (``OfficerRead``)."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def agency_id(self) -> uuid.UUID: ...
    @property
    def name(self) -> str: ...
    @property
    def unit(self) -> str: ...
    @property
    def user_id(self) -> uuid.UUID | None: ...
    @property
    def active(self) -> bool: ...


def certificate_facts(
    certificate: CertificateTerms, events: Sequence[CertificateChange], at: datetime
) -> CertificateFacts:
    """The certificate as it stood at ``at``: expiry and reviews in effect by then, and its status history."""
    known = list(events)
    expiry = certificate.expires_on
    expiries = [e.expires_on_after for e in known if e.expires_on_after is not None and e.effective_at <= at]
    if expiries:
        expiry = expiries[-1]
    history = tuple(
        StatusChange(CertificateStatus(e.status_after), e.effective_at, e.reason)
        for e in known
        if e.status_after is not None and e.kind != "issued"
    )
    reviews = tuple(
        sorted(e.reviewed_on for e in known if e.reviewed_on is not None and e.review_passed and e.effective_at <= at)
    )
    return CertificateFacts(
        number=certificate.number,
        issued_on=certificate.issued_on,
        expires_on=expiry,
        scope_items=frozenset(certificate.scope_items),
        scope_categories=frozenset(certificate.scope_categories),
        territory=certificate.territory,
        status_history=history,
        reviews=reviews,
    )


# Built once (every step reads it): SQLAlchemy keeps a statement object's cache key, so it is not worked out again.
_CERTIFICATES_WITH_EVENTS = (
    select(Certificate, CertificateEvent)
    .outerjoin(CertificateEvent, CertificateEvent.certificate_id == Certificate.id)
    .where(Certificate.officer_id.in_(bindparam("officer_ids", expanding=True)))
    .order_by(CertificateEvent.seq)
)


# The certificates of each officer, in the order they were issued, each with its events in order.
CertificatesOf = Mapping[uuid.UUID, Sequence[tuple[CertificateTerms, Sequence[CertificateChange]]]]


def certificates_with_events(session: Session, officer_ids: Sequence[uuid.UUID]) -> CertificatesOf:
    """The certificates of ``officer_ids`` with their events (in order), in one statement; certificates in the
    order they were issued."""
    rows = session.execute(_CERTIFICATES_WITH_EVENTS, {"officer_ids": list(dict.fromkeys(officer_ids))})
    out: dict[uuid.UUID, list[tuple[CertificateTerms, Sequence[CertificateChange]]]] = {}
    seen: dict[uuid.UUID, list[CertificateEvent]] = {}
    for certificate, event in rows:
        if certificate.id not in seen:
            seen[certificate.id] = []
            out.setdefault(certificate.officer_id, []).append((certificate, seen[certificate.id]))
        if event is not None:
            seen[certificate.id].append(event)
    return out


@dataclass(frozen=True, slots=True)
class OfficerRead:
    """An officer as a step reads them (``officers_with_certificates``): who, which team, still on it."""

    id: uuid.UUID
    agency_id: uuid.UUID
    name: str
    unit: str
    user_id: uuid.UUID | None
    active: bool


@dataclass(frozen=True, slots=True)
class CertificateRead:
    """A certificate's terms as a step reads them."""

    number: str
    issued_on: date
    expires_on: date
    scope_items: Sequence[str]
    scope_categories: Sequence[str]
    territory: str | None


@dataclass(frozen=True, slots=True)
class ChangeRead:
    """One event of a certificate's history as a step reads it."""

    kind: str
    effective_at: datetime
    reason: str
    status_after: str | None
    expires_on_after: date | None
    reviewed_on: date | None
    review_passed: bool | None


_O, _C, _E = Officer.__table__.c, Certificate.__table__.c, CertificateEvent.__table__.c
# The columns of each record, in the order of its fields (checked below).
_OFFICER = (_O.id, _O.agency_id, _O.name, _O.unit, _O.user_id, _O.active)
_CERTIFICATE = (_C.number, _C.issued_on, _C.expires_on, _C.scope_items, _C.scope_categories, _C.territory)
_CHANGE = (_E.kind, _E.effective_at, _E.reason, _E.status_after, _E.expires_on_after, _E.reviewed_on, _E.review_passed)
for _record, _columns in ((OfficerRead, _OFFICER), (CertificateRead, _CERTIFICATE), (ChangeRead, _CHANGE)):
    assert [f.name for f in fields(_record)] == [c.name for c in _columns], _record
# Where each record's columns are in a row: the officer's, the certificate's id, the certificate's, the change's.
_CERTIFICATE_ID = len(_OFFICER)
_CERTIFICATE_AT = slice(_CERTIFICATE_ID + 1, _CERTIFICATE_ID + 1 + len(_CERTIFICATE))
_CHANGE_AT = slice(_CERTIFICATE_AT.stop, _CERTIFICATE_AT.stop + len(_CHANGE))


def _officers_with_certificates(which: ColumnElement[bool]) -> Select[Any]:
    """The officers ``which`` selects, each with their certificates and the certificates' events, as rows."""
    return (
        select(*_OFFICER, _C.id, *_CERTIFICATE, *_CHANGE)
        .select_from(
            Officer.__table__.outerjoin(Certificate.__table__, _C.officer_id == _O.id).outerjoin(
                CertificateEvent.__table__, _E.certificate_id == _C.id
            )
        )
        .where(which)
        .order_by(_E.seq)
    )


# A step's officers: the caller's and those it names, each with their certificates and their events — what
# judging their qualification needs (行政处罚法 第四十二条), in one statement, built once. Only the columns the
# step reads, as plain rows: every step runs it, and the ORM's objects cost a third more (bench/README.md). On
# PostgreSQL it goes straight to psycopg, the ids named as one array rather than an ``IN`` list rendered anew.
_CALLERS = _O.user_id == bindparam("user_id")
_OFFICERS_WITH_CERTIFICATES = Straight(
    _officers_with_certificates(or_(_CALLERS, _O.id.in_(bindparam("ids", expanding=True)))),
    postgresql=_officers_with_certificates(
        or_(_CALLERS, _O.id == any_(bindparam("ids", type_=postgresql.ARRAY(Uuid))))
    ),
)


# The same for every officer of an agency: what a worker keeps (below).
_AGENCY_OFFICERS_WITH_CERTIFICATES = Straight(_officers_with_certificates(_O.agency_id == bindparam("agency_id")))

OfficersRead = tuple[dict[uuid.UUID, OfficerRead], CertificatesOf]


def _folded(rows: Sequence[Sequence[Any]]) -> OfficersRead:
    """Officers by id and the certificates of each with their events, from rows of officer, certificate, event."""
    officers: dict[uuid.UUID, OfficerRead] = {}
    certificates: dict[uuid.UUID, list[tuple[CertificateTerms, Sequence[CertificateChange]]]] = {}
    events: dict[uuid.UUID, list[ChangeRead]] = {}
    for row in rows:
        officer_id = row[0]
        if officer_id not in officers:
            officers[officer_id] = OfficerRead(*row[: len(_OFFICER)])
        certificate_id = row[_CERTIFICATE_ID]
        if certificate_id is None:
            continue
        if certificate_id not in events:
            events[certificate_id] = []
            number, issued_on, expires_on, items, categories, territory = row[_CERTIFICATE_AT]
            # The scope as tuples: what a worker keeps is shared by its requests, and never changed.
            terms = CertificateRead(number, issued_on, expires_on, tuple(items), tuple(categories), territory)
            certificates.setdefault(officer_id, []).append((terms, events[certificate_id]))
        if row[_CHANGE_AT.start] is not None:
            events[certificate_id].append(ChangeRead(*row[_CHANGE_AT]))
    return officers, certificates


@dataclass(frozen=True)
class _KeptOfficers:
    """Every officer of an agency with their certificates, as of one version of them (``Agency.officers_version``,
    with the agency's creation, so that a database made again under the same engine never matches), and who is
    whose officer. Shared by the requests of a worker: never changed, only replaced."""

    version: tuple[int, datetime]
    officers: Mapping[uuid.UUID, OfficerRead]
    certificates: CertificatesOf
    by_user: Mapping[uuid.UUID, uuid.UUID]


# Per database (its engine), per agency: a process serves one database, the tests open many with the same agencies.
_KEPT: weakref.WeakKeyDictionary[Engine, dict[uuid.UUID, _KeptOfficers]] = weakref.WeakKeyDictionary()


def _kept_officers(session: Session, agency: Agency) -> _KeptOfficers | None:
    """The agency's officers as the database holds them now, kept by this worker since the last change of any of
    them; read again (one statement) when the agency's officers' version moved. ``None`` when the version read is
    not the database's committed one — this transaction recorded an officer's entry (its observer moved it) —
    for what a transaction sees of its own changes is no one else's to keep."""
    if inspect(agency).attrs.officers_version.history.has_changes():
        return None
    version = (agency.officers_version, agency.created_at)
    engine = session.get_bind()
    kept = _KEPT.setdefault(engine, {})  # type: ignore[arg-type]
    found = kept.get(agency.id)
    if found is not None and found.version == version:
        return found
    officers, certificates = _folded(
        _AGENCY_OFFICERS_WITH_CERTIFICATES.rows(session.connection(), {"agency_id": agency.id})
    )
    frozen = {
        officer_id: tuple((terms, tuple(changes)) for terms, changes in held)
        for officer_id, held in certificates.items()
    }
    by_user = {o.user_id: o.id for o in officers.values() if o.user_id is not None}
    found = _KeptOfficers(version, officers, frozen, by_user)
    kept[agency.id] = found
    return found


def officers_with_certificates(
    session: Session, user_id: uuid.UUID, officer_ids: Sequence[uuid.UUID], agency: Agency | None = None
) -> OfficersRead:
    """The officer of ``user_id`` (if any) and the officers ``officer_ids`` names that exist, by id, with the
    certificates of each (as :func:`certificates_with_events` has them). Of ``agency`` — the user's, read in
    this transaction — from what this worker keeps of its officers while their version has not moved (no
    statement: a step's officers are judged on every step, and change rarely); otherwise in one statement."""
    kept = _kept_officers(session, agency) if agency is not None else None
    if kept is None:
        rows = _OFFICERS_WITH_CERTIFICATES.rows(
            session.connection(), {"user_id": user_id, "ids": list(dict.fromkeys(officer_ids))}
        )
        return _folded(rows)
    wanted = [kept.by_user[user_id]] if user_id in kept.by_user else []
    wanted.extend(officer_ids)
    officers = {i: kept.officers[i] for i in wanted if i in kept.officers}
    return officers, {i: kept.certificates[i] for i in officers if i in kept.certificates}


def _officer_facts(
    officer: OfficerRef,
    certificates: Sequence[tuple[CertificateTerms, Sequence[CertificateChange]]],
    at: datetime,
    recused_case_ids: frozenset[str],
) -> OfficerFacts:
    return OfficerFacts(
        officer_id=str(officer.id),
        name=officer.name,
        certificates=tuple(certificate_facts(c, events, at) for c, events in certificates),
        recused_case_ids=recused_case_ids,
    )


def officer_facts(
    session: Session, officer: Officer, at: datetime, recused_case_ids: frozenset[str] = frozenset()
) -> OfficerFacts:
    certificates = certificates_with_events(session, [officer.id]).get(officer.id, [])
    return _officer_facts(officer, certificates, at, recused_case_ids)


def qualification_of(
    session: Session,
    policy: OfficerPolicy,
    officer: Officer,
    item: ItemFacts,
    at: datetime,
    *,
    case_id: str | None = None,
    recused_case_ids: frozenset[str] = frozenset(),
    territory: str | None = None,
) -> Qualification:
    """``qualified(officer, item, at)`` on the officer's recorded certificates (行政处罚法 第四十二条)."""
    return qualified(
        officer_facts(session, officer, at, recused_case_ids),
        item,
        at,
        policy.qualification,
        territory,
        case_id=case_id,
    )


def qualifications_of(
    session: Session,
    policy: OfficerPolicy,
    officers: Sequence[OfficerRef],
    item: ItemFacts,
    at: datetime,
    *,
    case_id: str | None = None,
    recused: frozenset[str] = frozenset(),
    certificates: CertificatesOf | None = None,
) -> tuple[Qualification, ...]:
    """``qualification_of`` for each of ``officers``, their certificates read in one statement (or given, as
    :func:`officers_with_certificates` read them with the officers); ``recused``: the ids of those recused from
    ``case_id`` (行政处罚法 第四十二条, 第四十三条)."""
    if certificates is None:
        certificates = certificates_with_events(session, [o.id for o in officers])
    return tuple(
        qualified(
            _officer_facts(
                officer,
                certificates.get(officer.id, []),
                at,
                frozenset({case_id}) if case_id is not None and str(officer.id) in recused else frozenset(),
            ),
            item,
            at,
            policy.qualification,
            None,
            case_id=case_id,
        )
        for officer in officers
    )


# -- training and examinations -------------------------------------------------------------------------------


def record_training(
    session: Session,
    agency: Agency,
    *,
    kind: str,
    title: str,
    held_on: date,
    participants: Sequence[dict[str, Any]],
    actor: str,
    at: datetime,
) -> TrainingRecord:
    if kind not in ("training", "exam"):
        raise InvalidInput("kind is training or exam", "类型须为 training（培训）或 exam（考试）")
    if not title.strip():
        raise InvalidInput("a title is required", "须填写名称")
    for participant in participants:
        if participant.get("user_id") is not None:
            staff_member(session, agency.id, uuid.UUID(str(participant["user_id"])))
        elif participant.get("member_id") is not None:
            _member_on_staff(session, agency.id, uuid.UUID(str(participant["member_id"])), held_on)
        else:
            get_officer(session, agency.id, uuid.UUID(str(participant["officer_id"])))
    links = account_links(session, agency.id)
    people = [participant_key(p, links) for p in participants]
    if len(set(people)) != len(people):
        # A register line linked to an account is that user: one person takes part once.
        raise InvalidInput("a staff member takes part once", "同一工作人员只能列入一次")
    record_id = uuid.uuid4()
    record(
        session,
        agency_ref(agency),
        stream="trainings",
        type="officer:training:recorded",
        actor=actor,
        at=at,
        body={
            "record_id": record_id,
            "kind": kind,
            "title": title.strip(),
            "held_on": held_on,
            "participants": [dict(p) for p in participants],
        },
    )
    found = session.get(TrainingRecord, record_id)
    assert found is not None
    return found


@projector("officer:training:recorded")
def _training(session: Session, entry: EntryContent) -> None:
    body = entry.body
    session.add(
        TrainingRecord(
            id=uuid.UUID(body["record_id"]),
            agency_id=entry_agency_id(session, entry),
            kind=body["kind"],
            title=body["title"],
            held_on=date.fromisoformat(body["held_on"]),
            participants=list(body["participants"]),
            recorded_at=entry.recorded_at,
        )
    )


def staff_member(session: Session, agency_id: uuid.UUID, user_id: uuid.UUID) -> User:
    """A member of the agency's staff: any of its users, enforcement officer or not."""
    user = session.get(User, user_id)
    if user is None or user.agency_id != agency_id:
        raise NotFound(f"no staff member {user_id}", f"本机关没有工作人员 {user_id}")
    return user


def participant_key(participant: Mapping[str, Any], account_links: Mapping[str, str]) -> str:
    """Who took part, one key per person: the user, or the user of the officer or register line when it has an
    account; otherwise the officer or the line of the staff register."""
    if participant.get("user_id"):
        return f"user:{participant['user_id']}"
    if participant.get("member_id"):
        member_id = str(participant["member_id"])
        user_id = account_links.get(member_id)
        return f"user:{user_id}" if user_id else f"member:{member_id}"
    officer_id = str(participant["officer_id"])
    user_id = account_links.get(officer_id)
    return f"user:{user_id}" if user_id else f"officer:{officer_id}"


def account_links(session: Session, agency_id: uuid.UUID) -> dict[str, str]:
    """Officers and lines of the staff register that have a user account: their id → user id (ids are UUIDs, so
    the two never collide)."""
    return officer_users(session, agency_id) | member_users(session, agency_id)


def _member_on_staff(session: Session, agency_id: uuid.UUID, member_id: uuid.UUID, held_on: date) -> None:
    member = register_member_of(session, agency_id, member_id)
    if not on_staff(member, held_on):
        raise Conflict(
            f"{member.name} was not on the staff on {held_on.isoformat()}",
            f"{member.name}于{held_on.isoformat()}不在本机关工作人员名册内",
        )


def officer_users(session: Session, agency_id: uuid.UUID) -> dict[str, str]:
    """The agency's officers who have a user account: officer id → user id."""
    rows = session.execute(
        select(Officer.id, Officer.user_id).where(Officer.agency_id == agency_id, Officer.user_id.is_not(None))
    ).all()
    return {str(officer_id): str(user_id) for officer_id, user_id in rows}


def trainings_of_staff_member(
    session: Session, agency_id: uuid.UUID, user: User
) -> list[tuple[TrainingRecord, dict[str, Any]]]:
    """The trainings and exams the staff member took part in (as a user, or as the officer linked to the user),
    oldest first, each with the participant's line."""
    return _trainings_of(session, agency_id, f"user:{user.id}")


def trainings_of_register_member(
    session: Session, agency_id: uuid.UUID, member: StaffMember
) -> list[tuple[TrainingRecord, dict[str, Any]]]:
    """The trainings and exams of a person on the register (as that line, or as the user it is linked to)."""
    links = account_links(session, agency_id)
    return _trainings_of(session, agency_id, participant_key({"member_id": str(member.id)}, links))


def _trainings_of(session: Session, agency_id: uuid.UUID, me: str) -> list[tuple[TrainingRecord, dict[str, Any]]]:
    links = account_links(session, agency_id)
    records = session.scalars(
        select(TrainingRecord)
        .where(TrainingRecord.agency_id == agency_id)
        .order_by(TrainingRecord.held_on, TrainingRecord.recorded_at)
    )
    out = []
    for record_ in records:
        for participant in record_.participants:
            if participant_key(participant, links) == me:
                out.append((record_, dict(participant)))
                break
    return out


def certificates_of(session: Session, officer: Officer) -> list[Certificate]:
    return list(
        session.scalars(select(Certificate).where(Certificate.officer_id == officer.id).order_by(Certificate.number))
    )


def officers_named(session: Session, ids: Sequence[uuid.UUID]) -> list[Officer]:
    """The officers ``ids`` names that exist, in that order (a case's officers, as its page lists them)."""
    found = {o.id: o for o in session.scalars(select(Officer).where(Officer.id.in_(ids)))}
    return [found[i] for i in ids if i in found]


def officers_of_agency(session: Session, agency_id: uuid.UUID) -> list[Officer]:
    return list(session.scalars(select(Officer).where(Officer.agency_id == agency_id).order_by(Officer.name)))


def certified_officers(session: Session, agency_id: uuid.UUID) -> list[tuple[Officer, Certificate]]:
    """The agency's active officers with each of their certificates, by name and number (the public roll)."""
    rows = session.execute(
        select(Officer, Certificate)
        .join(Certificate, Certificate.officer_id == Officer.id)
        .where(Officer.agency_id == agency_id, Officer.active.is_(True))
        .order_by(Officer.name, Certificate.number)
    ).all()
    return [(officer, certificate) for officer, certificate in rows]
