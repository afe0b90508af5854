"""Publishing decisions and withdrawing them; which publications are overdue.

国办发〔2018〕118号 item 6: penalty decisions are published within 7 working days; 行政处罚法 第四十八条: a
decision revoked or changed is withdrawn within 3 working days. Publishing and withdrawing are ledger entries;
the published content — with the party redacted by rule, and every string of it passed through the free-text
redaction — is fixed in the entry. What the public routes answer is redacted again as it is read (the party's
record as it stands then), so a publication recorded before a rule was added is published by today's rules.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.agencies.service import agency_of, agency_ref
from service.auth.principal import Principal
from service.cases.casefile import CaseFile
from service.cases.categories import StateCategory
from service.cases.context import CaseContext
from service.cases.locking import case_stream, lock_case
from service.cases.models import Case, Party
from service.cases.workflow import Procedure
from service.catalogue.service import item_of
from service.errors import Conflict, InvalidInput
from service.ledger.canonical import EntryContent, parse_instant
from service.ledger.projection import projector, record
from service.legal import penalty_law
from service.policy.calendar import CalendarRangeError, local_date
from service.policy.notices import agency_calendar
from service.privacy.redaction import KnownPerson, redact_party, redact_strings
from service.publicity.models import Publication
from service.publicity.policy import PublicityPolicy


def publication_content(session: Session, case: Case, policy: PublicityPolicy) -> dict[str, Any]:
    item = item_of(session, case.agency_id, case.catalogue_version, case.item_code)
    party = session.get(Party, case.party_id)
    assert party is not None
    file = case.case_file
    decision, notice = file.decision, file.notice
    basis = [
        f"《{b.law}》第{b.article}条"
        + (f"第{b.paragraph}款" if b.paragraph else "")
        + (f"第{b.item}项" if b.item else "")
        for b in item.penalty_basis
    ]
    content = {
        "case_number": case.number,
        "item_code": item.code,
        "item_name": item.name.zh,
        "legal_basis": basis,
        "facts": notice.facts if notice is not None else "",
        "outcome": decision.outcome if decision is not None else None,
        "penalty": decision.penalty.model_dump(mode="json") if decision and decision.penalty else None,
        "decided_on": local_date(parse_instant(decision.decided_at)).isoformat() if decision else None,
        "party": redact_party(party.party_type, party.name, party.address, policy.rules),
    }
    redacted: dict[str, Any] = redact_strings(content, known_persons(party, policy))
    return redacted


def known_persons(party: Party, policy: PublicityPolicy) -> list[KnownPerson]:
    """What the free-text redaction knows of the party: an individual's name, ID number and phone; of an
    organisation only its phone (its name and unified social credit code are published, as the rules require)."""
    if party.party_type == "organisation":
        return [KnownPerson(None, None, party.phone)]
    return [KnownPerson(party.name if policy.rules.mask_person_name else None, party.id_number, party.phone)]


@dataclass(frozen=True)
class PublicDecision:
    case_id: uuid.UUID
    content: dict[str, Any]
    published_at: datetime
    withdrawn_at: datetime | None
    withdrawal_reason: str | None
    changed_content: dict[str, Any] | None = None
    changed_at: datetime | None = None
    change_reason: str | None = None


def public_decisions(session: Session, policy: PublicityPolicy, agency_id: uuid.UUID) -> list[PublicDecision]:
    """The agency's publications, newest first, as the public may read them: every string redacted again."""
    rows = session.execute(
        select(Publication, Party)
        .join(Case, Case.id == Publication.case_id)
        .join(Party, Party.id == Case.party_id)
        .where(Publication.agency_id == agency_id)
        .order_by(Publication.published_at.desc())
    ).all()
    out = []
    for publication, party in rows:
        persons = known_persons(party, policy)
        out.append(
            PublicDecision(
                case_id=publication.case_id,
                content=redact_strings(publication.content, persons),
                published_at=publication.published_at,
                withdrawn_at=publication.withdrawn_at,
                withdrawal_reason=None
                if publication.withdrawal_reason is None
                else redact_strings(publication.withdrawal_reason, persons),
                changed_content=None
                if publication.changed_content is None
                else redact_strings(publication.changed_content, persons),
                changed_at=publication.changed_at,
                change_reason=None
                if publication.change_reason is None
                else redact_strings(publication.change_reason, persons),
            )
        )
    return out


def publish(
    session: Session, context: CaseContext, policy: PublicityPolicy, principal: Principal, case: Case, now: datetime
) -> Publication:
    lock_case(session, case)
    decided = case.case_file.decision
    category = context.workflows[Procedure(case.procedure)].category_of(case.state)
    # A decision in force is published (第四十八条); one revoked, or a case ended without one, is not.
    if category not in (StateCategory.DECIDED, StateCategory.CLOSED) or decided is None or decided.outcome != "penalty":
        raise Conflict(
            "only decided penalties are published", "只有已作出的行政处罚决定才予公示", basis=penalty_law(48)
        )
    if _set_aside(case.case_file) is not None:
        raise Conflict(
            "the decision was revoked on reconsideration or by a court: it is not published",
            "行政处罚决定已被复议机关或者人民法院撤销，不予公示",
            basis=penalty_law(48, 2),
        )
    if session.get(Publication, case.id) is not None:
        raise Conflict("the decision is already published", "该决定已公示")
    agency = agency_of(session, principal.agency_id)
    record(
        session,
        agency_ref(agency),
        stream=case_stream(case.id),
        type="case:decision:published",
        actor=principal.actor,
        at=now,
        body={"case_id": case.id, "content": publication_content(session, case, policy)},
    )
    found = session.get(Publication, case.id)
    assert found is not None
    return found


def withdraw(session: Session, principal: Principal, case: Case, reason: str, now: datetime) -> Publication:
    lock_case(session, case)
    publication = session.get(Publication, case.id)
    if publication is None:
        raise Conflict("the decision was not published", "该决定未公示")
    if publication.withdrawn_at is not None:
        raise Conflict("the publication was already withdrawn", "该公示已撤回")
    if not reason.strip():
        raise InvalidInput("a reason is required", "须说明撤回理由")
    agency = agency_of(session, principal.agency_id)
    record(
        session,
        agency_ref(agency),
        stream=case_stream(case.id),
        type="case:publication:withdrawn",
        actor=principal.actor,
        at=now,
        body={"case_id": case.id, "reason": reason.strip()},
    )
    return publication


_KIND_ZH = {"reconsideration": "行政复议", "lawsuit": "行政诉讼"}


def republish_changed(
    session: Session, policy: PublicityPolicy, principal: Principal, case: Case, now: datetime
) -> Publication:
    """第四十八条第二款: a published decision changed on reconsideration or by a court is shown as changed — the
    original stays listed, marked changed, beside the decision as changed (its fine, the result that changed it)."""
    lock_case(session, case)
    publication = session.get(Publication, case.id)
    if publication is None:
        raise Conflict("the decision was not published", "该决定未公示")
    file = case.case_file
    set_aside = _set_aside(file)
    changed = next((r for r in reversed(file.remedies) if r.result == "changed"), None)
    if set_aside is None or set_aside[1] != "changed" or changed is None or changed.changed_fine_fen is None:
        raise Conflict(
            "no result changing the published decision is recorded: a revoked one is withdrawn, not republished",
            "没有变更该决定的复议决定或者判决记录；被撤销的决定应当撤回公示",
            basis=penalty_law(48, 2),
        )
    result_at = set_aside[0]
    if publication.changed_at is not None and publication.changed_at >= result_at:
        raise Conflict("the changed decision is already published", "变更后的决定已公示", basis=penalty_law(48, 2))
    content = publication_content(session, case, policy)
    penalty = dict(content["penalty"] or {"kinds": ["fine"]})
    penalty["fine_fen"] = changed.changed_fine_fen
    if not changed.changed_fine_fen:
        penalty["kinds"] = [k for k in penalty.get("kinds", []) if k != "fine"]
    content["penalty"] = penalty
    content["changed_by"] = {
        "kind": changed.kind,
        "body": changed.body,
        "document": changed.document,
        "decided_on": changed.decided_on,
    }
    reason = f"经{changed.body}{_KIND_ZH.get(changed.kind, changed.kind)}变更（{changed.document}）"
    agency = agency_of(session, principal.agency_id)
    party = session.get(Party, case.party_id)
    assert party is not None
    record(
        session,
        agency_ref(agency),
        stream=case_stream(case.id),
        type="case:publication:changed",
        actor=principal.actor,
        at=now,
        body={
            "case_id": case.id,
            "content": redact_strings(content, known_persons(party, policy)),
            "reason": reason,
        },
    )
    return publication


@projector("case:publication:changed")
def _changed(session: Session, entry: EntryContent) -> None:
    publication = session.get(Publication, uuid.UUID(entry.body["case_id"]))
    assert publication is not None
    publication.changed_content = entry.body["content"]
    publication.changed_at = entry.claimed_at
    publication.change_reason = entry.body["reason"]


@projector("case:decision:published")
def _published(session: Session, entry: EntryContent) -> None:
    case = session.get(Case, uuid.UUID(entry.body["case_id"]))
    assert case is not None
    session.add(
        Publication(
            case_id=case.id,
            agency_id=case.agency_id,
            content=entry.body["content"],
            published_at=entry.claimed_at,
            withdrawn_at=None,
            withdrawal_reason=None,
        )
    )


@projector("case:publication:withdrawn")
def _withdrawn(session: Session, entry: EntryContent) -> None:
    publication = session.get(Publication, uuid.UUID(entry.body["case_id"]))
    assert publication is not None
    publication.withdrawn_at = entry.claimed_at
    publication.withdrawal_reason = entry.body["reason"]


@dataclass(frozen=True)
class Overdue:
    case_id: uuid.UUID
    case_number: str | None
    what: str  # "publish", "withdraw", or "republish" (a changed decision, 第四十八条第二款)
    due_on: date
    basis: str


def overdue_publications(
    session: Session, context: CaseContext, policy: PublicityPolicy, agency_id: uuid.UUID, now: datetime
) -> list[Overdue]:
    """Decisions not published in time, and revoked decisions whose publication was not withdrawn in time."""
    published = {p.case_id: p for p in session.scalars(select(Publication).where(Publication.agency_id == agency_id))}
    today = local_date(now)
    calendar = agency_calendar(session, context.calendar, agency_id)
    out = []
    for case in session.scalars(select(Case).where(Case.agency_id == agency_id, Case.decided_at.is_not(None))):
        file = case.case_file
        decision = file.decision
        if decision is None:
            continue
        try:
            set_aside = _set_aside(file)
            revoked = set_aside is not None and set_aside[1] == "revoked"
            if decision.outcome == "penalty" and case.id not in published and case.state != "revoked" and not revoked:
                due = calendar.add_workdays(local_date(parse_instant(decision.decided_at)), policy.publish_working_days)
                if today > due:
                    out.append(Overdue(case.id, case.number, "publish", due, "国办发〔2018〕118号 第六项"))
            publication = published.get(case.id)
            if case.state == "revoked" and publication is not None and publication.withdrawn_at is None:
                revoked_at = parse_instant(file.revoked_at or decision.decided_at)
                due = calendar.add_workdays(local_date(revoked_at), policy.withdraw_working_days)
                if today > due:
                    out.append(Overdue(case.id, case.number, "withdraw", due, penalty_law(48, 2).cite()))
            elif set_aside is not None and publication is not None:
                # 第四十八条第二款: changed, revoked or confirmed illegal on reconsideration or by a court — the
                # publication is withdrawn within 3 days of the result, with the reason made public.
                # A changed decision is republished as changed (the original marked), not only withdrawn.
                result_at, result = set_aside
                if result == "changed":
                    what, done_at = "republish", publication.changed_at
                else:
                    what, done_at = "withdraw", publication.withdrawn_at
                due = calendar.add_workdays(local_date(result_at), policy.withdraw_working_days)
                if not (done_at is not None and done_at >= result_at) and today > due:
                    out.append(Overdue(case.id, case.number, what, due, penalty_law(48, 2).cite()))
        except CalendarRangeError:
            continue
    return out


# 第四十八条第二款: a published decision changed, revoked or confirmed illegal (or void) is withdrawn.
_SET_ASIDE = frozenset({"changed", "revoked", "confirmed_illegal"})


def _set_aside(file: CaseFile) -> tuple[datetime, str] | None:
    """When the latest remedy result that sets the decision aside was recorded, and the result; else None."""
    for remedy in reversed(file.remedies):
        if remedy.result in _SET_ASIDE and remedy.result_recorded_at is not None:
            return parse_instant(remedy.result_recorded_at), remedy.result
    return None
