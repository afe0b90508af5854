"""Legal deadlines of a case (法定期限), counted on the working-day calendar in Asia/Shanghai.

行政处罚法 第八十五条: the law's “二日”“三日”“五日”“七日” are working days. Other periods — the 15 days to
pay (第六十七条) and the 90 days to decide (第六十条) — are calendar days, ended on the next working day
when the last one is a rest day (see ``WorkdayCalendar.calendar_deadline``). A period starts the day after
the event that opens it: the day of the event is not counted.

Each function returns the **last day** of its period, a date in Asia/Shanghai: an act on that day is in time,
an act the day after is late. The lengths come from the workflow's ``Periods``; ``PERIOD_RULES`` holds the
bounds the law sets on each, which the workflow loader enforces.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from service.legal import LegalBasis, penalty_law
from service.policy.calendar import WorkdayCalendar, local_date

BASIS_POINTS = 10_000


@dataclass(frozen=True)
class Periods:
    """A workflow's period lengths; a period the workflow does not use is ``None``.

    The unit is part of the name: ``_working_days`` are 工作日 (第八十五条), ``_calendar_days`` 自然日.
    """

    statement_working_days: int | None = None  # 陈述、申辩期限 (policy; 第四十五条)
    hearing_request_working_days: int | None = None  # 要求听证期限 (第六十四条第一项)
    hearing_notice_working_days: int | None = None  # 听证通知提前期 (第六十四条第二项)
    service_working_days: int | None = None  # 决定书送达期限 (第六十一条)
    payment_calendar_days: int | None = None  # 缴纳罚款期限 (第六十七条第三款)
    late_fee_basis_points_per_day: int | None = None  # 加处罚款比例 (第七十二条第一项)
    decision_calendar_days: int | None = None  # 作出决定期限 (第六十条)
    preservation_decision_working_days: int | None = None  # 先行登记保存处理期限 (第五十六条)

    def require(self, name: str) -> int:
        """The length of period ``name``; a workflow that needs it and lacks it is refused on loading."""
        value = getattr(self, name)
        if not isinstance(value, int):
            raise LookupError(f"the workflow defines no period {name!r}")
        return value


PERIOD_NAMES = frozenset(f.name for f in dataclasses.fields(Periods))


@dataclass(frozen=True)
class PeriodRule:
    """The bounds the law puts on a period a policy may choose."""

    name: str
    minimum: int
    maximum: int | None
    basis: LegalBasis
    why: str


PERIOD_RULES: tuple[PeriodRule, ...] = (
    PeriodRule("statement_working_days", 1, None, penalty_law(45), "the party must be heard"),
    PeriodRule("hearing_request_working_days", 5, None, penalty_law(64), "the party has 5 days to request a hearing"),
    PeriodRule("hearing_notice_working_days", 7, None, penalty_law(64), "the party is notified 7 days before"),
    PeriodRule("service_working_days", 1, 7, penalty_law(61), "a decision is served within 7 days"),
    PeriodRule("payment_calendar_days", 15, None, penalty_law(67, 3), "the party has 15 days to pay"),
    PeriodRule("late_fee_basis_points_per_day", 0, 300, penalty_law(72), "the late fee is at most 3 % a day"),
    PeriodRule("decision_calendar_days", 1, 90, penalty_law(60), "a decision is made within 90 days of filing"),
    PeriodRule(
        "preservation_decision_working_days", 1, 7, penalty_law(56), "preserved evidence is decided on in 7 days"
    ),
)


@dataclass(frozen=True)
class DeadlineExtension:
    """An extension of the decision deadline approved by the head (第六十条: 另有规定的，从其规定)."""

    calendar_days: int
    approved_at: datetime
    approved_by: str

    def __post_init__(self) -> None:
        if self.calendar_days < 1:
            raise ValueError(f"an extension is at least one day, got {self.calendar_days}")
        local_date(self.approved_at)  # refuses a naive moment


def statement_deadline(calendar: WorkdayCalendar, notice_served_at: datetime, working_days: int) -> date:
    """Last day for the statement and defence (陈述、申辩) after the prior notice is served (第四十五条)."""
    return calendar.add_workdays(local_date(notice_served_at), working_days)


def hearing_request_deadline(calendar: WorkdayCalendar, notice_served_at: datetime, working_days: int) -> date:
    """Last day to request a hearing: “在行政机关告知后五日内提出” (第六十四条第一项)."""
    return calendar.add_workdays(local_date(notice_served_at), working_days)


def earliest_hearing_date(calendar: WorkdayCalendar, hearing_notified_at: datetime, working_days: int) -> date:
    """The first day a hearing may be held: the party is notified “在举行听证的七日前” (第六十四条第二项)."""
    return calendar.add_workdays(local_date(hearing_notified_at), working_days)


def service_deadline(calendar: WorkdayCalendar, decided_at: datetime, working_days: int) -> date:
    """Last day to serve a decision not handed over on the spot: “七日内” (第六十一条)."""
    return calendar.add_workdays(local_date(decided_at), working_days)


def preservation_decision_deadline(calendar: WorkdayCalendar, registered_at: datetime, working_days: int) -> date:
    """Last day to decide on evidence preserved by registration (先行登记保存): “七日内” (第五十六条)."""
    return calendar.add_workdays(local_date(registered_at), working_days)


# 行政强制法 第二十五条: a sealing or seizure lasts at most 30 days; once, with the head's approval, at most 30 more.
SEIZURE_DAYS = 30
SEIZURE_EXTENSION_MAX_DAYS = 30


def seizure_last_day(decided_at: datetime, extended_days: int = 0, appraisal_days: int = 0) -> date:
    """Last day a sealing or seizure may last: “不得超过三十日”, plus an approved extension (行政强制法 第二十五条),
    plus the days of testing or appraisal, which the period does not include (第二十五条第三款).

    Counted in calendar days from the day after the decision and not moved past rest days: the limit binds the
    agency holding the party's things, and a rest day does not let it hold them longer."""
    return local_date(decided_at) + timedelta(days=SEIZURE_DAYS + extended_days + appraisal_days)


@dataclass(frozen=True)
class SeizureAppraisal:
    """Seized things under testing, inspection, quarantine or technical appraisal (行政强制法 第二十五条第三款)."""

    started_at: datetime
    stated_days: int  # the period stated to the party in writing
    ended_at: datetime | None = None


def appraisal_days(appraisal: SeizureAppraisal) -> int:
    """The days an appraisal takes out of the seizure's period (第二十五条第三款: 查封、扣押的期间不包括检测…的期间).

    Counted like every calendar-day period, from the day after it started: one that started on the 10th and ended on
    the 15th took 5 days. Running, it is counted at the period stated to the party. Ended, at the days it ran, but
    never more than that stated period: the period is stated to the party and must be definite (“应当明确”), so
    days beyond it are not taken out of the seizure's period — they count against the agency."""
    if appraisal.ended_at is None:
        return appraisal.stated_days
    ran = (local_date(appraisal.ended_at) - local_date(appraisal.started_at)).days
    return max(0, min(ran, appraisal.stated_days))


def appraisals_days(appraisals: Sequence[SeizureAppraisal]) -> int:
    return sum(appraisal_days(a) for a in appraisals)


def payment_due_date(calendar: WorkdayCalendar, decision_received_at: datetime, calendar_days: int) -> date:
    """Last day to pay a fine: “自收到行政处罚决定书之日起十五日内” (第六十七条第三款)."""
    return calendar.calendar_deadline(local_date(decision_received_at), calendar_days)


def decision_deadline(
    calendar: WorkdayCalendar,
    filed_at: datetime,
    calendar_days: int,
    extensions: Sequence[DeadlineExtension] = (),
) -> date:
    """Last day to decide: 90 days from filing (第六十条), plus the extensions the head approved in time.

    The extensions lengthen the period counted from filing, in the order approved. An extension approved
    after the deadline then in force cannot revive a period that has run out: it raises ``ValueError``.
    """
    return _decision_deadline(calendar, filed_at, calendar_days, tuple(extensions))


# Kept for the calendars and cases in use: a step judges the deadline, lists the steps it leaves open and the
# deadlines it leaves in force, each counting it again (four to five times an inquiry). A calendar is
# never changed (a notice loaded makes another; service/policy/notices.py keeps one object per set of notices), so
# its identity stands for its days.
@lru_cache(maxsize=1024)
def _decision_deadline(
    calendar: WorkdayCalendar, filed_at: datetime, calendar_days: int, extensions: tuple[DeadlineExtension, ...]
) -> date:
    start = local_date(filed_at)
    total = calendar_days
    deadline = calendar.calendar_deadline(start, total)
    for extension in sorted(extensions, key=lambda e: e.approved_at):
        approved_on = local_date(extension.approved_at)
        if approved_on > deadline:
            raise ValueError(
                f"the extension approved on {approved_on.isoformat()} came after the decision deadline "
                f"{deadline.isoformat()} had passed"
            )
        total += extension.calendar_days
        deadline = calendar.calendar_deadline(start, total)
    return deadline


def days_late(due_on: date, on: date) -> int:
    """Whole days after ``due_on`` up to ``on``: 0 on the last day of the period and before it."""
    return max(0, (on - due_on).days)


def late_fee_fen(fine_fen: int, due_on: date, on: date, basis_points_per_day: int) -> int:
    """The late fee (加处罚款) accrued on ``on``: 3 % of the fine a day late, never above the fine (第七十二条第一项).

    In whole fen, rounded down, so rounding never charges the party more than the law allows.
    """
    if fine_fen < 0:
        raise ValueError(f"a fine is not negative, got {fine_fen} fen")
    if not 0 <= basis_points_per_day <= BASIS_POINTS:
        raise ValueError(f"a daily rate is between 0 and {BASIS_POINTS} basis points, got {basis_points_per_day}")
    accrued = fine_fen * basis_points_per_day * days_late(due_on, on) // BASIS_POINTS
    return min(accrued, fine_fen)


def overdue(deadline: date, now: datetime) -> bool:
    """The deadline's last day is over in Asia/Shanghai."""
    return local_date(now) > deadline


def due_soon(calendar: WorkdayCalendar, deadline: date, now: datetime, within_working_days: int) -> bool:
    """Not yet overdue, and at most ``within_working_days`` working days remain after today."""
    today = local_date(now)
    return today <= deadline < due_soon_ends(calendar, today, within_working_days)


def due_soon_ends(calendar: WorkdayCalendar, today: date, within_working_days: int) -> date:
    """The first day after the warning window: a deadline from ``today`` to before it is due soon."""
    if within_working_days < 0:
        raise ValueError(f"a warning window is not negative, got {within_working_days}")
    # At most w working days after today up to the deadline ⇔ the (w+1)-th working day after today is later: counted
    # up to the window, not across a deadline months away (every case view asks this of each of its deadlines).
    return calendar.add_workdays(today, within_working_days + 1)
