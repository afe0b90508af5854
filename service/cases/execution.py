"""Execution of a fine and the party's remedies, as dates and amounts: pure rules over the facts of a case.

- What is executed: the fine decided, or the fine as a reconsideration or a court changed it (行政复议法 第六十三条,
  行政诉讼法 第七十七条); nothing once the decision was revoked.
- When it is due: 15 days after the decision was received (行政处罚法 第六十七条第三款), or on the dates of an
  instalment or deferral plan the head approved on the party's application (第六十六条第二款).
- The late fee (加处罚款, 第七十二条第一项): 3 % a day of each overdue amount, never above that amount, and not
  counted while a reconsideration or lawsuit is pending (第七十三条第三款).
- The party's remedy periods: reconsideration within 60 days (行政复议法 第二十条), a lawsuit within 6 months
  (行政诉讼法 第四十六条) of receiving the decision; after a reconsideration decision or a first-instance
  judgment, 15 days to sue or appeal (行政诉讼法 第四十五条、第八十五条). The agency without power of compulsory
  execution applies to the court within 3 months after they end (行政强制法 第五十三条), at least 10 working days
  after serving the reminder (第五十四条, 第六十九条: “十日” are working days).

Months end on the corresponding day (民法典 第二百零二条), and a period ending on a rest day ends on the next
working day (第二百零三条). No I/O.
"""

from __future__ import annotations

import calendar as month_calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from service.cases.deadlines import late_fee_fen
from service.policy.calendar import WorkdayCalendar

RECONSIDERATION_CALENDAR_DAYS = 60  # 行政复议法 第二十条第一款
LAWSUIT_MONTHS = 6  # 行政诉讼法 第四十六条第一款
AFTER_REMEDY_CALENDAR_DAYS = 15  # 行政诉讼法 第四十五条 (suing after reconsideration), 第八十五条 (appeal)
COURT_APPLICATION_MONTHS = 3  # 行政强制法 第五十三条
REMINDER_WORKING_DAYS = 10  # 行政强制法 第五十四条、第六十九条


@dataclass(frozen=True)
class Instalment:
    """One amount due by a day: the whole fine, or one instalment of an approved plan."""

    due_on: date
    amount_fen: int


@dataclass(frozen=True)
class Remedy:
    """An administrative reconsideration or lawsuit against the decision, and its result once decided."""

    kind: str  # reconsideration | lawsuit
    filed_on: date
    decided_on: date | None
    result: str | None  # upheld | changed | revoked | confirmed_illegal
    changed_fine_fen: int | None = None
    execution_suspended: bool = False


@dataclass(frozen=True)
class Owed:
    """What the party owes as of a day: each amount due, its late fee, and the total."""

    instalments: tuple[Instalment, ...]
    fees_fen: tuple[int, ...]
    paid_fen: int

    @property
    def fine_fen(self) -> int:
        return sum(i.amount_fen for i in self.instalments)

    @property
    def fee_fen(self) -> int:
        return sum(self.fees_fen)

    @property
    def total_fen(self) -> int:
        return self.fine_fen + self.fee_fen

    @property
    def outstanding_fen(self) -> int:
        return max(self.total_fen - self.paid_fen, 0)


def add_months(start: date, months: int) -> date:
    """The corresponding day ``months`` later, or the month's last day when it has none (民法典 第二百零二条)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, month_calendar.monthrange(year, month)[1]))


def next_working_day(calendar: WorkdayCalendar, day: date) -> date:
    """``day``, or the first working day after it (民法典 第二百零三条)."""
    while not calendar.is_workday(day):
        day += timedelta(days=1)
    return day


def amount_to_execute(decided_fine_fen: int, remedies: Sequence[Remedy]) -> int:
    """The fine as it stands: a revoked decision executes nothing, a changed one the amount it was changed to."""
    amount = decided_fine_fen
    for remedy in sorted((r for r in remedies if r.decided_on is not None), key=lambda r: r.decided_on or date.min):
        if remedy.result == "revoked":
            amount = 0
        elif remedy.result == "changed" and remedy.changed_fine_fen is not None:
            amount = remedy.changed_fine_fen
    return amount


def instalments_due(
    amount_fen: int, due_on: date, plan: Sequence[Instalment] | None, paid_before_plan_fen: int = 0
) -> tuple[Instalment, ...]:
    """The amounts due and their days: the whole amount on ``due_on``; or, with an approved plan, what was paid
    before it on ``due_on`` and the rest on the plan's days — cut down in order when the amount was changed
    since (a lighter changed fine drops the last instalments), the last one taking any remainder."""
    if not plan:
        return (Instalment(due_on, amount_fen),) if amount_fen else ()
    out: list[Instalment] = []
    remaining = amount_fen
    if paid_before_plan_fen:
        first = min(paid_before_plan_fen, remaining)
        out.append(Instalment(due_on, first))
        remaining -= first
    for i, step in enumerate(plan):
        part = remaining if i == len(plan) - 1 else min(step.amount_fen, remaining)
        if part:
            out.append(Instalment(step.due_on, part))
        remaining -= part
    return tuple(out)


def _days_excluded(start: date, end: date, remedies: Sequence[Remedy], today: date) -> int:
    """Days after ``start`` up to ``end`` on which a reconsideration or lawsuit was pending (第七十三条第三款)."""
    excluded = set()
    for remedy in remedies:
        last = remedy.decided_on or today
        day = max(remedy.filed_on, start + timedelta(days=1))
        while day <= min(last, end):
            excluded.add(day)
            day += timedelta(days=1)
    return len(excluded)


def owed(
    instalments: Sequence[Instalment],
    payments: Sequence[tuple[date, int]],
    remedies: Sequence[Remedy],
    today: date,
    basis_points_per_day: int,
) -> Owed:
    """What is owed on ``today``: payments cover the amounts in the order they fall due; each amount bears its
    late fee from the day after its due day to the day it was covered (or today), less the days a remedy was
    pending, never above the amount itself (行政处罚法 第七十二条第一项、第七十三条第三款)."""
    ordered = sorted(payments)
    paid_total = sum(amount for _, amount in ordered)
    fees: list[int] = []
    needed = 0
    for instalment in instalments:
        needed += instalment.amount_fen
        covered_on = today
        running = 0
        for paid_on, amount in ordered:
            running += amount
            if running >= needed:
                covered_on = paid_on
                break
        late_until = covered_on
        if late_until > instalment.due_on:
            excluded = _days_excluded(instalment.due_on, late_until, remedies, today)
            late_until = instalment.due_on + timedelta(days=max((late_until - instalment.due_on).days - excluded, 0))
        fees.append(late_fee_fen(instalment.amount_fen, instalment.due_on, late_until, basis_points_per_day))
    return Owed(tuple(instalments), tuple(fees), paid_total)


def overdue_since(instalments: Sequence[Instalment], payments: Sequence[tuple[date, int]], today: date) -> date | None:
    """The due day of the first amount not covered by the payments and past its day, or None."""
    paid = sum(amount for _, amount in payments)
    needed = 0
    for instalment in instalments:
        needed += instalment.amount_fen
        if paid < needed:
            return instalment.due_on if today > instalment.due_on else None
    return None


def remedy_periods_end(calendar: WorkdayCalendar, received_on: date, remedies: Sequence[Remedy]) -> date | None:
    """The last day of the party's remedy periods, or None while a remedy is pending: 60 days to apply for
    reconsideration, 6 months to sue, and 15 days after a remedy was decided to sue or appeal."""
    if any(r.decided_on is None for r in remedies):
        return None
    ends = [
        calendar.calendar_deadline(received_on, RECONSIDERATION_CALENDAR_DAYS),
        next_working_day(calendar, add_months(received_on, LAWSUIT_MONTHS)),
    ]
    ends += [calendar.calendar_deadline(r.decided_on, AFTER_REMEDY_CALENDAR_DAYS) for r in remedies if r.decided_on]
    return max(ends)


def court_application_deadline(calendar: WorkdayCalendar, remedy_end: date) -> date:
    """The last day to apply to the court: 3 months after the remedy periods ended (行政强制法 第五十三条)."""
    return next_working_day(calendar, add_months(remedy_end, COURT_APPLICATION_MONTHS))


def reminder_period_end(calendar: WorkdayCalendar, reminder_served_on: date) -> date:
    """The last of the 10 working days the reminder gives (行政强制法 第五十四条、第六十九条)."""
    return calendar.add_workdays(reminder_served_on, REMINDER_WORKING_DAYS)
