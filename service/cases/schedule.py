"""The deadlines a case runs against in its state, each marked provisional or final, computed from its file.

Pure: the case file, its workflow (periods, state categories) and a calendar in, dates out. The case view, the
deadline lists, the step entries that record deadlines and their revision when a State Council notice is
loaded all use this one function, so what the officer sees is what the ledger records.

A deadline that cannot be computed is not swallowed: it comes back as a ``DeadlineProblem`` beside the
others, and each deadline is computed on its own, so one problem never hides another deadline.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from service.cases import deadlines
from service.cases.categories import StateCategory
from service.cases.deadlines import DeadlineExtension
from service.ledger.canonical import parse_instant
from service.legal import LegalBasis, penalty_law
from service.policy.calendar import CalendarRangeError, WorkdayCalendar, local_date

if TYPE_CHECKING:
    from service.cases.casefile import CaseFile
    from service.cases.workflow import Workflow

# Periods communicated to the party in the prior notice: the statement and defence (第四十四条、第四十五条)
# and the hearing request (第六十四条第一项). See ``party_keeps_the_later``.
PARTY_PERIODS = frozenset({"statement", "hearing_request"})


@dataclass(frozen=True)
class Deadline:
    """The last day of a period: an act on ``due_on`` is in time. ``provisional`` when the period counted a day
    whose State Council notice is not loaded yet (service/policy/calendar.py)."""

    name: str
    due_on: date
    provisional: bool
    basis: LegalBasis

    def to_record(self) -> dict[str, Any]:
        return {"name": self.name, "due_on": self.due_on.isoformat(), "provisional": self.provisional}


@dataclass(frozen=True)
class DeadlineProblem:
    """A deadline the case runs against whose date cannot be computed, and why."""

    name: str
    reason: str
    basis: LegalBasis


@dataclass(frozen=True)
class Schedule:
    deadlines: tuple[Deadline, ...]
    problems: tuple[DeadlineProblem, ...]


def recorded_deadlines(file: CaseFile) -> dict[str, date]:
    """The due dates the case's entries recorded (set by a step, or revised after a notice was loaded)."""
    return {name: date.fromisoformat(d.due_on) for name, d in file.deadlines.items()}


def party_keeps_the_later(name: str, computed: date, recorded: date | None) -> date:
    """The rule when the official calendar differs from the provisional one a period was computed on.

    A period already communicated to the party never shrinks: the prior notice told the party until when it
    may state its case and defend itself (第四十四条、第四十五条) and request a hearing (第六十四条第一项),
    and a date the agency announced cannot be taken back to the party's detriment — the party keeps the later
    of the two dates. Every other deadline binds the agency (to decide, 第六十条; to serve, 第六十一条; to
    publish): it takes the date of the calendar in force, provisional or official, since the working days of
    第八十五条 are the official ones and the agency is not helped by a miscount in its favour.
    """
    if name in PARTY_PERIODS and recorded is not None and recorded > computed:
        return recorded
    return computed


def case_schedule(file: CaseFile, workflow: Workflow, calendar: WorkdayCalendar) -> Schedule:
    """Every deadline the case runs against in its current state."""
    state = file.state
    periods = workflow.periods
    recorded = recorded_deadlines(file)
    found: list[Deadline] = []
    problems: list[DeadlineProblem] = []

    def compute(name: str, article: int | LegalBasis, due: Callable[[], _Counted]) -> None:
        basis = article if isinstance(article, LegalBasis) else penalty_law(article)
        try:
            due_on, first_counted = due()
        except (CalendarRangeError, ValueError) as exc:
            problems.append(DeadlineProblem(name, str(exc), basis))
            return
        final = party_keeps_the_later(name, due_on, recorded.get(name))
        provisional = calendar.provisional_within(first_counted, due_on)
        found.append(Deadline(name, final, provisional, basis))

    notice, decision, preservation = file.notice, file.decision, file.preservation
    filed_at = file.filed_at

    # Filed and not decided: the 90 days to decide run (第六十条).
    if workflow.category_of(state) is StateCategory.OPEN and filed_at and periods.decision_calendar_days:
        days = periods.decision_calendar_days
        extensions = tuple(
            DeadlineExtension(e.calendar_days, parse_instant(e.approved_at), e.approved_by) for e in file.extensions
        )

        def decision_due() -> _Counted:
            start = local_date(parse_instant(filed_at))
            total = days + sum(e.calendar_days for e in extensions)
            due_on = deadlines.decision_deadline(calendar, parse_instant(filed_at), days, extensions)
            return due_on, start + timedelta(days=total)

        compute("decision", 60, decision_due)
    served = notice.served_at if notice is not None else None
    if state == "notice_served" and served and file.statement == "none" and periods.statement_working_days:
        compute("statement", 45, _working_days(calendar, served, periods.statement_working_days))
    if (
        state == "notice_served"
        and served
        and notice is not None
        and notice.informs_hearing_right
        and periods.hearing_request_working_days
    ):
        compute("hearing_request", 64, _working_days(calendar, served, periods.hearing_request_working_days))
    if state == "decided" and decision is not None and periods.service_working_days:
        compute("service", 61, _working_days(calendar, decision.decided_at, periods.service_working_days))
    if (
        state in ("served", "summary_decided", "summary_filed")
        and decision is not None
        and decision.served_at
        and decision.penalty is not None
        and decision.penalty.fine_fen
        and periods.payment_calendar_days
    ):
        compute("payment", 67, _calendar_days(calendar, decision.served_at, periods.payment_calendar_days))
    if (
        preservation is not None
        and preservation.registered_at
        and not preservation.decided_at
        and periods.preservation_decision_working_days
    ):
        compute(
            "preservation_decision",
            56,
            _working_days(calendar, preservation.registered_at, periods.preservation_decision_working_days),
        )
    # 行政强制法 第二十五条: each sealing or seizure held lasts at most 30 days, extended once by at most 30.
    for seizure in file.seizures:
        if seizure.decided_at is None or seizure.ended_at is not None:
            continue
        decided_at, extended_days = seizure.decided_at, seizure.extended_days

        def seizure_due(decided_at: str = decided_at, extended_days: int = extended_days) -> _Counted:
            due_on = deadlines.seizure_last_day(parse_instant(decided_at), extended_days)
            # Counted on no working-day calendar: no day it depends on can be provisional.
            return due_on, due_on + timedelta(days=1)

        compute(f"seizure_{seizure.number}", LegalBasis(deadlines.ADMINISTRATIVE_COERCION_LAW, 25), seizure_due)
    return Schedule(tuple(found), tuple(problems))


# The last day of a period, and the first day whose status as a working day it depended on.
_Counted = tuple[date, date]


def _working_days(calendar: WorkdayCalendar, since: str, n: int) -> Callable[[], _Counted]:
    def due() -> _Counted:
        start = local_date(parse_instant(since))
        return calendar.add_workdays(start, n), start + timedelta(days=1)

    return due


def _calendar_days(calendar: WorkdayCalendar, since: str, n: int) -> Callable[[], _Counted]:
    def due() -> _Counted:
        start = local_date(parse_instant(since))
        # Only the end of a calendar-day period depends on the calendar (民法典 第二百零三条).
        return calendar.calendar_deadline(start, n), start + timedelta(days=n)

    return due
