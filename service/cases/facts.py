"""The facts of a case a step's rules are judged on (``CaseFacts``), worked out as the rules read them.

``CaseFacts`` holds everything any guard reads — some fifty facts of the file, the catalogue, the agency and the
ledger. A step's rules read a dozen of them: recording an inquiry and the steps then open to the case read 12 of 55
(the officers, their qualifications and recusal, the filing date and the deadlines, what is sealed or preserved),
and never the review, the decision, the execution or the remedies. :func:`case_facts` gives the same facts, each
worked out once, when a rule first reads it (:class:`DeferredFacts`): an inquiry's instructions 2.9 % fewer than
working all of them out for the step and again for the steps its answer lists (bench/README.md, stop 48). The
rules and their tests still see a ``CaseFacts``; the case tests hold every fact read to what working all of them
out at once, when the facts were made, gives (``tests/cases/conftest.py``).

A fact is read while its step is judged, or while the steps a case allows are listed: never once the step is
recorded. The file before and after the act and the row's registration are taken when the facts are made; the
facts read from the database (a review gone stale, a form number used elsewhere, the case's entries) are read when
first asked for, and the case's own entry would be among them after the step is recorded — the case tests'
check catches a fact read then.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import fields
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.agencies.service import agency_of
from service.auth.principal_head import principal_head_actor
from service.cases import casefile
from service.cases.context import CaseContext
from service.cases.guards import (
    CaseFacts,
    CorrectionFacts,
    ItemRules,
    PaymentFacts,
    Penalty,
    StatementStatus,
    TimeBarFacts,
    _require_aware,
)
from service.cases.items import item_rules
from service.cases.locking import case_stream
from service.cases.models import Case
from service.cases.review_requirement import collective_discussion_required, review_required
from service.cases.review_state import review_passed_and_current, stale_reasons
from service.cases.schedule import recorded_deadlines
from service.catalogue.service import item_of
from service.errors import NotFound
from service.ledger.canonical import parse_instant
from service.ledger.models import LedgerEntry
from service.officers.qualification import Qualification
from service.policy.calendar import WorkdayCalendar, local_date
from service.policy.catalogue import PartyType

_FACT_NAMES = frozenset(f.name for f in fields(CaseFacts))


class DeferredFacts(CaseFacts):
    """``CaseFacts`` whose facts are given, or worked out the first time one is read — by a function of the facts,
    which reads those it is worked out from — and kept. Every fact is one or the other: none falls back to a default
    of ``CaseFacts``, since no rule may pass for want of a fact (guards.py). Read-only, as ``CaseFacts``;
    ``dataclasses.replace`` does not apply (give the fact when making them)."""

    def __init__(self, given: Mapping[str, Any], deferred: Mapping[str, Callable[[CaseFacts], Any]]) -> None:
        named, both = given.keys() | deferred.keys(), given.keys() & deferred.keys()
        if named != _FACT_NAMES or both:
            raise ValueError(
                "every fact is given or deferred, once: "
                f"missing {sorted(_FACT_NAMES - named)}, unknown {sorted(named - _FACT_NAMES)}, both {sorted(both)}"
            )
        _require_aware(given["now"], "now")
        # Straight into the instance's dict: ``CaseFacts`` is frozen, and a fact found there is read as any attribute.
        self.__dict__.update(given)
        self.__dict__["_deferred"] = dict(deferred)


class _Deferred:
    """A fact of :class:`DeferredFacts`: worked out on its first read and put into the instance's dict, where every
    later read finds it (a descriptor with only ``__get__`` gives way to the instance's dict, as ``cached_property``).
    Put on the class for every fact, it also hides ``CaseFacts``' class-level defaults."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, facts: DeferredFacts | None, owner: type | None = None) -> Any:
        if facts is None:
            return self
        deferred = facts.__dict__["_deferred"]
        value = deferred[self.name](facts)  # if it raises, a later read tries again
        facts.__dict__[self.name] = value
        del deferred[self.name]
        return value


for _name in _FACT_NAMES:
    setattr(DeferredFacts, _name, _Deferred(_name))


def case_facts(
    session: Session,
    context: CaseContext,
    calendar: WorkdayCalendar,
    case: Case,
    after: casefile.CaseFile,
    moment: datetime,
    qualifications: tuple[Qualification, ...],
    reason: str | None,
    transition: str,
    *,
    seizure_named: int | None = None,
    seized_elsewhere: Mapping[str, tuple[str, int]] | None = None,
) -> CaseFacts:
    """The facts ``transition`` is judged on, for ``case`` as ``after`` leaves its file, at ``moment``, acted on by
    the officers ``qualifications`` qualifies (none: the steps the case allows, as it stands). ``seizure_named``:
    the seizure the act's data names; ``seized_elsewhere``: what another case holds of what it would seize."""
    before = case.case_file
    agency_id, catalogue_version, item_code = case.agency_id, case.catalogue_version, case.item_code
    party_type: PartyType = "organisation" if case.party_type == "organisation" else "individual"
    # The registration as the row holds it before the act: the time bar is checked until the case is filed.
    time_bar = _time_bar_facts(case) if case.filed_at is None else None

    def item(_: CaseFacts) -> ItemRules | None:
        try:
            found = item_of(session, agency_id, catalogue_version, item_code)
        except NotFound:
            return None
        return item_rules(found, party_type)

    def proposed(_: CaseFacts) -> Penalty | None:
        decision = casefile.decision_of(after)
        return (decision.penalty if decision is not None else None) or casefile.proposed_of(after)

    def by_principal(_: CaseFacts) -> bool:
        if not after.discretion_departure_approved:
            return False
        head = principal_head_actor(agency_of(session, agency_id))
        return head is not None and after.discretion_departure_approved_by == head

    def discussion_required(facts: CaseFacts) -> bool:
        rules, penalty = facts.item, facts.proposed
        departs = bool(
            rules and penalty and penalty.fine_fen and not _within_a_level(rules, party_type, penalty.fine_fen)
        )
        return collective_discussion_required(
            # 重庆市规范行政处罚裁量权办法 第十九条: the principal head's approval OR collective discussion.
            context.review_catalogue,
            major=after.major,
            # 第十九条第二款: a standard set above the agency is departed from with that body's approval instead.
            departs_from_standard=departs
            and not facts.discretion_departure_by_principal
            and (rules is None or rules.discretion_set_by is None),
        )

    given: dict[str, Any] = {
        "now": moment,
        "calendar": calendar,
        "party_type": party_type,
        "item_code": item_code,
        "acting_officers": qualifications,
        "reason": reason,
        "time_bar": time_bar,
        "statement_before": StatementStatus(before.statement),
        "summary_form_number": after.summary_form_number,
        "seizure_named": seizure_named,
        "seized_elsewhere": seized_elsewhere if seized_elsewhere is not None else {},
        # Three small groups of facts, each worked out together (a few µs).
        **casefile.execution_and_remedy_facts(after, moment, transition),
        **casefile.own_execution_facts(after),
        **casefile.court_execution_facts(after),
    }
    # A fact worked out from others reads them from the facts (``f``): each is worked out once.
    deferred: dict[str, Callable[[CaseFacts], Any]] = {
        "item": item,
        "communicated_deadlines": lambda f: recorded_deadlines(after),
        "filed_at": lambda f: parse_instant(after.filed_at) if after.filed_at else None,
        "decision_deadline_extensions": lambda f: casefile.extensions_of(after),
        "investigators": lambda f: frozenset(after.investigators),
        "recused_officers": lambda f: frozenset(after.recused),
        "notice": lambda f: casefile.notice_of(after),
        "statement": lambda f: StatementStatus(after.statement),
        "hearing": lambda f: casefile.hearing_of(after),
        "proposed": proposed,
        "discretion_departure_by_principal": by_principal,
        "review_required": lambda f: bool(
            review_required(
                context.review_catalogue,
                f.item,
                party_type,
                f.proposed,
                hearing_held=f.hearing.held_at is not None,
                major=after.major,
            )
        ),
        "review_passed_and_current": lambda f: review_passed_and_current(session, case, f.proposed, transition),
        "collective_discussion_required": discussion_required,
        "collective_discussion_held": lambda f: after.collective_discussion_held and after.discussion_signed,
        "decision_signed": lambda f: after.decision_signed,
        "decision_document_issued": lambda f: casefile.decision_document_issued(after),
        "review_open": lambda f: _review_open(session, case, before),
        "decision": lambda f: casefile.decision_of(after),
        "execution": lambda f: casefile.execution_of(after),
        "preservation": lambda f: casefile.preservation_of(after),
        "seizures": lambda f: casefile.seizures_of(after),
        "summary_form_used_by": lambda f: _form_used_by(session, case, f.summary_form_number),
        "payment": lambda f: _payment_recorded(after) if transition == "record_payment" else None,
        "correction": lambda f: _latest_correction(after),
        "deciders": lambda f: frozenset(after.decision.decided_by) if after.decision is not None else frozenset(),
        "circumstances": lambda f: casefile.circumstances_of(after),
        "cited_evidence": lambda f: tuple(after.decision.evidence) if after.decision is not None else (),
        "case_entries": lambda f: _case_entries(session, case) if transition in _CITING_EVIDENCE else {},
        "setter_approval": lambda f: casefile.setter_approval_of(after),
    }
    return DeferredFacts(given, deferred)


def _review_open(session: Session, case: Case, before: casefile.CaseFile) -> bool:
    """Whether the case's latest legal review, as the file stood before this act, is requested and unanswered,
    and nothing it reviewed has changed since (a stale request may be followed by a new one)."""
    review = before.latest_review()
    return review is not None and review.opinion is None and not stale_reasons(session, case, review.frozen_seq)


# The steps whose data cites entries of the case as evidence (第四十条).
_CITING_EVIDENCE = frozenset({"decide_penalty"})


def _case_entries(session: Session, case: Case) -> dict[int, str]:
    """Every entry of the case's chain: its number and type."""
    rows = session.execute(
        select(LedgerEntry.stream_seq, LedgerEntry.type).where(
            LedgerEntry.agency_id == case.agency_id, LedgerEntry.stream == case_stream(case.id)
        )
    ).all()
    return {int(seq): str(kind) for seq, kind in rows}


def _form_used_by(session: Session, case: Case, number: str | None) -> str | None:
    """Another case of the agency decided on the form numbered ``number`` (第五十二条: one form, one decision)."""
    if not number:
        return None
    other = session.execute(
        select(Case.id, Case.number).where(
            Case.agency_id == case.agency_id,
            Case.id != case.id,
            Case.file["summary_form_number"].as_string() == number,
        )
    ).first()
    return None if other is None else (other.number or str(other.id))


def _time_bar_facts(case: Case) -> TimeBarFacts:
    """When the act happened, as registered, and when it was discovered: the registration (第三十六条)."""
    return TimeBarFacts(
        occurred_on=case.occurred_on,
        continued_until=case.continued_until,
        registered_on=local_date(case.registered_at),
        harms_life_health_or_finance=case.harms_life_health_or_finance,
    )


def _latest_correction(after: casefile.CaseFile) -> CorrectionFacts | None:
    if not after.corrections:
        return None
    last = after.corrections[-1]
    return CorrectionFacts(
        measure=last.measure,
        deadline=date.fromisoformat(last.deadline),
        ordered_at=parse_instant(last.ordered_at),
        reinspected_at=parse_instant(last.reinspected_at) if last.reinspected_at else None,
        corrected=last.corrected,
        reinspections=last.reinspections,
    )


def _payment_recorded(after: casefile.CaseFile) -> PaymentFacts | None:
    payments = after.execution.payments if after.execution is not None else ()
    if not payments:
        return None
    last = payments[-1]
    return PaymentFacts(
        amount_fen=last.amount_fen,
        receipt=last.receipt,
        collected_on_the_spot=last.collected_on_the_spot,
        on_the_spot_ground=last.on_the_spot_ground,
        recorded_by=last.recorded_by,
        recording_officers=frozenset(last.officers),
    )


def _within_a_level(rules: ItemRules, party_type: PartyType, fine_fen: int) -> bool:
    return any(
        band.fines.get(party_type) is not None and band.fines[party_type].contains(fine_fen)
        for band in rules.discretion
    )
