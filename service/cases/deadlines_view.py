"""The deadlines a case is running against now, as the case view and the deadline lists show them."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from service.cases import deadlines
from service.cases.context import CaseContext
from service.cases.models import Case
from service.cases.schedule import case_schedule, owed_on
from service.cases.workflow import Procedure
from service.policy.calendar import CalendarRangeError, WorkdayCalendar, local_date
from service.policy.notices import agency_calendar


class CaseDeadline(BaseModel):
    name: str
    due_on: date | None = Field(description="the last day to act; null when it cannot be computed (see problem)")
    provisional: bool = Field(
        default=False,
        description="counted on a year whose State Council holiday notice is not loaded yet: it may still move",
    )
    overdue: bool
    due_soon: bool
    basis: str
    late_fee_fen: int | None = None
    problem: str | None = Field(default=None, description="why the date cannot be computed")


def case_deadlines(session: Session, context: CaseContext, case: Case, now: datetime) -> list[CaseDeadline]:
    """Deadlines in force for the case's current state; those that cannot be computed are listed with why."""
    calendar = agency_calendar(session, context.calendar, case.agency_id)
    workflow = context.workflows[Procedure(case.procedure)]
    periods = workflow.periods
    file = case.case_file
    schedule = case_schedule(file, workflow, calendar)
    today = local_date(now)
    out = []
    for d in schedule.deadlines:
        fee = None
        if d.name == "payment" and periods.late_fee_basis_points_per_day is not None:
            # The days late are counted on the date in Asia/Shanghai (第七十二条), per amount due (an approved
            # plan's instalments, 第六十六条第二款), not while a remedy is pending (第七十三条第三款).
            due_now = owed_on(file, workflow, calendar, today)
            fee = due_now.fee_fen if due_now is not None else 0
        out.append(
            CaseDeadline(
                name=d.name,
                due_on=d.due_on,
                provisional=d.provisional,
                overdue=deadlines.overdue(d.due_on, now),
                due_soon=_due_soon(calendar, d.due_on, now, context.case_policy.due_soon_working_days),
                basis=d.basis.cite(),
                late_fee_fen=fee,
            )
        )
    out.extend(
        CaseDeadline(name=p.name, due_on=None, overdue=False, due_soon=False, basis=p.basis.cite(), problem=p.reason)
        for p in schedule.problems
    )
    return out


def _due_soon(calendar: WorkdayCalendar, due_on: date, now: datetime, days: int) -> bool:
    try:
        return deadlines.due_soon(calendar, due_on, now, days)
    except CalendarRangeError:
        # Beyond the years any rule covers: far from due.
        return False
