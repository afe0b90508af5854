"""The deadlines a case is running against now, computed from its file on the working-day calendar."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel

from service.cases import casefile, deadlines
from service.cases.workflow import Procedure
from service.ledger.canonical import parse_instant
from service.legal import penalty_law
from service.policy.calendar import CalendarRangeError

OPEN_BEFORE_DECISION = frozenset(
    {
        "investigating",
        "investigation_closed",
        "penalty_intended",
        "notice_served",
        "hearing_requested",
        "hearing_scheduled",
        "hearing_held",
        "party_heard",
    }
)


class CaseDeadline(BaseModel):
    name: str
    due_on: date
    overdue: bool
    due_soon: bool
    basis: str
    late_fee_fen: int | None = None


def case_deadlines(context: Any, case: Any, now: datetime) -> list[CaseDeadline]:
    """Deadlines in force for the case's current state; empty once nothing is pending."""
    workflow = context.workflows[Procedure(case.procedure)]
    periods = workflow.periods
    calendar = context.calendar
    file = case.file
    state = case.state
    found: list[tuple[str, date, int]] = []
    try:
        if state in OPEN_BEFORE_DECISION and file["filed_at"] and periods.decision_calendar_days:
            found.append(
                (
                    "decision",
                    deadlines.decision_deadline(
                        calendar,
                        parse_instant(file["filed_at"]),
                        periods.decision_calendar_days,
                        casefile.extensions_of(file),
                    ),
                    60,
                )
            )
        notice = file["notice"]
        if state == "notice_served" and notice and file["statement"] == "none" and periods.statement_working_days:
            found.append(
                (
                    "statement",
                    deadlines.statement_deadline(
                        calendar, parse_instant(notice["served_at"]), periods.statement_working_days
                    ),
                    45,
                )
            )
        if (
            state == "notice_served"
            and notice
            and notice.get("informs_hearing_right")
            and periods.hearing_request_working_days
        ):
            found.append(
                (
                    "hearing_request",
                    deadlines.hearing_request_deadline(
                        calendar, parse_instant(notice["served_at"]), periods.hearing_request_working_days
                    ),
                    64,
                )
            )
        decision = file["decision"]
        if state == "decided" and decision and periods.service_working_days:
            found.append(
                (
                    "service",
                    deadlines.service_deadline(
                        calendar, parse_instant(decision["decided_at"]), periods.service_working_days
                    ),
                    61,
                )
            )
        penalty = (decision or {}).get("penalty") or {}
        if (
            state in ("served", "summary_decided", "summary_filed")
            and decision
            and decision["served_at"]
            and penalty.get("fine_fen")
            and periods.payment_calendar_days
        ):
            found.append(
                (
                    "payment",
                    deadlines.payment_due_date(
                        calendar, parse_instant(decision["served_at"]), periods.payment_calendar_days
                    ),
                    67,
                )
            )
        preservation = file["preservation"]
        if (
            preservation
            and preservation.get("registered_at")
            and not preservation.get("decided_at")
            and periods.preservation_decision_working_days
        ):
            found.append(
                (
                    "preservation_decision",
                    deadlines.preservation_decision_deadline(
                        calendar,
                        parse_instant(preservation["registered_at"]),
                        periods.preservation_decision_working_days,
                    ),
                    56,
                )
            )
    except (CalendarRangeError, ValueError):
        return []  # the calendar does not cover these dates yet: nothing can be said about them
    out = []
    for name, due_on, article in found:
        fee = None
        if name == "payment" and periods.late_fee_basis_points_per_day is not None:
            fee = deadlines.late_fee_fen(
                int(penalty["fine_fen"]), due_on, now.date(), periods.late_fee_basis_points_per_day
            )
        out.append(
            CaseDeadline(
                name=name,
                due_on=due_on,
                overdue=deadlines.overdue(due_on, now),
                due_soon=_due_soon(calendar, due_on, now, context.case_policy.due_soon_working_days),
                basis=penalty_law(article).cite(),
                late_fee_fen=fee,
            )
        )
    return out


def _due_soon(calendar: Any, due_on: date, now: datetime, days: int) -> bool:
    try:
        return deadlines.due_soon(calendar, due_on, now, days)
    except (CalendarRangeError, ValueError):
        return False
