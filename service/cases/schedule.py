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

from service.cases import deadlines, execution
from service.cases.categories import StateCategory
from service.cases.deadlines import DeadlineExtension
from service.ledger.canonical import parse_instant
from service.legal import LegalBasis, coercion_law, penalty_law
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
        and _fine_unpaid(file)  # paid in full: nothing is left to pay by a day (a late fee is owed apart, 第七十二条)
    ):
        plan_due = _next_instalment_due(file)
        if plan_due is not None:  # 第六十六条第二款: the approved plan's days are the days to pay
            compute("payment", 66, lambda: (plan_due, plan_due))
        else:
            compute("payment", 67, _calendar_days(calendar, decision.served_at, periods.payment_calendar_days))
    if (
        state in ("served", "summary_filed")  # a decision on the spot is executed once filed (第五十二条第三款)
        and decision is not None
        and decision.served_at
        and decision.penalty is not None
        and decision.penalty.fine_fen
        and not any(r.decided_on is None for r in file.remedies)
        and _fine_unpaid(file)
    ):
        served_at = decision.served_at

        def court_application_due() -> _Counted:
            # 行政强制法 第五十三条: within 3 months after the party's remedy periods end.
            received = local_date(parse_instant(served_at))
            end = execution.remedy_periods_end(calendar, received, execution_remedies(file))
            assert end is not None
            return execution.court_application_deadline(calendar, end), received + timedelta(days=1)

        compute("court_execution_application", coercion_law(53), court_application_due)
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
    # 行政强制法 第二十五条: each sealing or seizure held lasts at most 30 days, extended once by at most 30; the days
    # of testing, inspection, quarantine or technical appraisal are not counted (第二十五条第三款).
    for seizure in file.seizures:
        if seizure.decided_at is None or seizure.ended_at is not None:
            continue
        decided_at, extended_days = seizure.decided_at, seizure.extended_days
        appraised = deadlines.appraisals_days(
            tuple(
                deadlines.SeizureAppraisal(
                    parse_instant(a.started_at),
                    a.calendar_days or 0,
                    parse_instant(a.ended_at) if a.ended_at else None,
                )
                for a in seizure.appraisals
            )
        )

        def seizure_due(
            decided_at: str = decided_at, extended_days: int = extended_days, appraised: int = appraised
        ) -> _Counted:
            due_on = deadlines.seizure_last_day(parse_instant(decided_at), extended_days, appraised)
            # Counted on no working-day calendar: no day it depends on can be provisional.
            return due_on, due_on + timedelta(days=1)

        compute(f"seizure_{seizure.number}", coercion_law(25), seizure_due)
    for name, basis, due in _execution_periods(file, state, calendar):
        compute(name, basis, due)
    return Schedule(tuple(found), tuple(problems))


# --- the periods of compulsory execution (行政强制法 第三十五条、第四十四条、第五十四条) ---
#
# Each is a period the party is given; its last day is the first moment the agency may act on the next step, so
# the desks show it as due soon and overdue like the agency's own deadlines: overdue, the agency takes its turn.


def _execution_periods(
    file: CaseFile, state: str, calendar: WorkdayCalendar
) -> list[tuple[str, LegalBasis, Callable[[], _Counted]]]:
    out: list[tuple[str, LegalBasis, Callable[[], _Counted]]] = []
    decision = file.decision
    if decision is None or decision.served_at is None or _revoked_by_remedy(file):
        return out
    reminder = file.reminders[-1] if file.reminders else None
    if state == "served" and reminder is not None and _still_to_perform(file):
        stated = reminder.perform_by
        if stated is not None:
            # 第三十五条第一项: the period the reminder states, a date given to the party: no day of it is counted.
            last = date.fromisoformat(stated)
            out.append(("reminder_performance", coercion_law(35), lambda: (last, last + timedelta(days=1))))
        else:
            # 第五十四条: a fine's reminder gives ten days after service, working days (第六十九条).
            served_at = reminder.served_at

            def ten_working_days() -> _Counted:
                served_on = local_date(parse_instant(served_at))
                return execution.reminder_period_end(calendar, served_on), served_on + timedelta(days=1)

            out.append(("reminder_performance", coercion_law(54), ten_working_days))
    own = file.own_execution
    if state != "execution_decided" or own is None or own.decided_at is None or own.carried_out_at is not None:
        return out
    if own.demolish_by is not None:
        # 第四十四条: the announcement's period to demolish oneself, a date given to the party.
        demolish_by = date.fromisoformat(own.demolish_by)
        out.append(("self_demolition", coercion_law(44), lambda: (demolish_by, demolish_by + timedelta(days=1))))
    remedies = execution_remedies(file)
    if all(r.decided_on is not None for r in remedies):  # while one is pending nothing is executed and no day runs
        served_at = decision.served_at

        def remedy_periods() -> _Counted:
            # 第四十四条: not executed before the party's periods to apply for reconsideration or sue have passed.
            received = local_date(parse_instant(served_at))
            end = execution.remedy_periods_end(calendar, received, remedies)
            assert end is not None
            return end, received + timedelta(days=1)

        out.append(("own_execution_remedy_periods", coercion_law(44), remedy_periods))
    return out


def _revoked_by_remedy(file: CaseFile) -> bool:
    return any(r.result == "revoked" for r in file.remedies if r.decided_on is not None)


def _still_to_perform(file: CaseFile) -> bool:
    """The party has not performed: an order found uncorrected at its last re-inspection, or a fine unpaid."""
    decision = file.decision
    if decision is not None and decision.penalty is not None and decision.penalty.fine_fen:
        return _fine_unpaid(file)
    # The latest order and its re-inspection, as the guards read them (casefile: ``correction`` of the facts).
    correction = file.corrections[-1] if file.corrections else None
    return correction is not None and correction.corrected is False


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


def execution_remedies(file: CaseFile) -> tuple[execution.Remedy, ...]:
    return tuple(
        execution.Remedy(
            kind=r.kind,
            filed_on=date.fromisoformat(r.filed_on),
            decided_on=date.fromisoformat(r.decided_on) if r.decided_on else None,
            result=r.result,
            changed_fine_fen=r.changed_fine_fen,
            execution_suspended=r.execution_suspended,
        )
        for r in file.remedies
    )


def _fine_unpaid(file: CaseFile) -> bool:
    decision = file.decision
    if decision is None or decision.penalty is None:
        return False
    amount = execution.amount_to_execute(decision.penalty.fine_fen, execution_remedies(file))
    paid = file.execution.paid_fen if file.execution is not None else 0
    return paid < amount


def _next_instalment_due(file: CaseFile) -> date | None:
    """The day the next unpaid amount of an approved plan falls due (第六十六条第二款), or None without a plan."""
    plan = file.instalments
    if plan is None or not plan.approved:
        return None
    paid = (file.execution.paid_fen if file.execution is not None else 0) - plan.paid_before_fen
    needed = 0
    for instalment in plan.plan:
        needed += int(instalment["amount_fen"])
        if paid < needed:
            return date.fromisoformat(instalment["due_on"])
    return None


def owed_on(file: CaseFile, workflow: Workflow, calendar: WorkdayCalendar, today: date) -> execution.Owed | None:
    """What the party owes on ``today`` for a fine served (行政处罚法 第六十六条、第六十七条、第七十二条、第七十三条):
    the amounts due on the 15th day or an approved plan's days, each with its late fee; None without a fine."""
    decision, periods = file.decision, workflow.periods
    if (
        decision is None
        or decision.penalty is None
        or not decision.penalty.fine_fen
        or decision.served_at is None
        or periods.payment_calendar_days is None
        or periods.late_fee_basis_points_per_day is None
    ):
        return None
    remedies = execution_remedies(file)
    amount = execution.amount_to_execute(decision.penalty.fine_fen, remedies)
    due = deadlines.payment_due_date(calendar, parse_instant(decision.served_at), periods.payment_calendar_days)
    plan = file.instalments
    approved = (
        tuple(execution.Instalment(date.fromisoformat(i["due_on"]), int(i["amount_fen"])) for i in plan.plan)
        if plan is not None and plan.approved
        else None
    )
    instalments = execution.instalments_due(amount, due, approved, plan.paid_before_fen if plan is not None else 0)
    payments = file.execution.payments if file.execution is not None else ()
    paid = tuple((date.fromisoformat(p.paid_on), p.amount_fen) for p in payments)
    return execution.owed(instalments, paid, remedies, today, periods.late_fee_basis_points_per_day)
