"""``/api/v1/calendar`` and ``/api/v1/deadlines``: the working-day calendar, loading next year's State Council
notice, and the deadlines of the caller's cases, nearest first."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query
from sqlalchemy.orm import Session

from service.auth.deps import ReadSession, RuntimeDep, WriteSession, requires
from service.auth.permissions import Permission
from service.auth.principal import Principal
from service.cases import search
from service.cases.deadline_revision import load_notice
from service.cases.schemas import (
    CalendarOut,
    CalendarYearOut,
    DeadlineLine,
    DeadlineListOut,
    NoticeLoadedOut,
    RevisedDeadline,
)
from service.errors import InvalidInput
from service.policy.calendar import CalendarNoticeError, local_date, parse_notice
from service.policy.notices import agency_calendar, calendar_years, loaded_notices, notice_warnings
from service.runtime import Runtime

router = APIRouter(tags=["calendar"])


def _warnings(runtime: Runtime, session: Session, principal: Principal) -> list[dict[str, str]]:
    return notice_warnings(
        session, runtime.case_context.calendar, principal.roles, principal.agency_id, local_date(runtime.clock.now())
    )


@router.get("/api/v1/calendar", response_model=CalendarOut)
def get_calendar(
    session: ReadSession,
    runtime: RuntimeDep,
    first: Annotated[int | None, Query(ge=1950, le=2100, description="first year shown (default: last year)")] = None,
    last: Annotated[int | None, Query(ge=1950, le=2100, description="last year shown (default: next year)")] = None,
    principal: Principal = requires(Permission.CALENDAR_READ),
) -> CalendarOut:
    """Which years' deadlines are counted on an official State Council notice, and which provisionally."""
    calendar = agency_calendar(session, runtime.case_context.calendar, principal.agency_id)
    this_year = local_date(runtime.clock.now()).year
    first_year, last_year = first or this_year - 1, last or this_year + 1
    if last_year < first_year:
        raise InvalidInput("last is before first", "结束年份早于起始年份")
    years = calendar_years(calendar, loaded_notices(session, principal.agency_id), first_year, last_year)
    return CalendarOut(
        version=calendar.version,
        years=[CalendarYearOut(**vars(y)) for y in years],
        warnings=_warnings(runtime, session, principal),
    )


_NOTICE_EXAMPLE = {
    "notice": "国办发明电〔2026〕1号",
    "title": "国务院办公厅关于2027年部分节假日安排的通知",
    "issued_on": "2026-11-20",
    "periods": [
        {
            "name": "元旦",
            "name_en": "New Year's Day",
            "first": "2027-01-01",
            "last": "2027-01-03",
            "makeup_workdays": [],
        },
        {
            "name": "春节",
            "name_en": "Spring Festival",
            "first": "2027-02-05",
            "last": "2027-02-13",
            "makeup_workdays": ["2027-01-31", "2027-02-20"],
        },
    ],
}


@router.put("/api/v1/calendar/notices/{year}", response_model=NoticeLoadedOut)
def put_notice(
    year: Annotated[int, Path(ge=1950, le=2100)],
    session: WriteSession,
    runtime: RuntimeDep,
    notice: Annotated[dict[str, Any], Body(examples=[_NOTICE_EXAMPLE])],
    principal: Principal = requires(Permission.CALENDAR_MANAGE),
) -> NoticeLoadedOut:
    """Load the State Council's holiday notice for ``year`` (national: recorded in every agency's ledger) and
    recount every open deadline it moves. Refused whole, listing every problem, when any date is wrong."""
    if "year" in notice and notice["year"] != year:
        raise InvalidInput(f"the notice is for {notice['year']}, not {year}", f"通知年份{notice['year']}与{year}不符")
    try:
        parsed = parse_notice({**notice, "year": year})
    except CalendarNoticeError as exc:
        raise InvalidInput(
            "the notice is refused: " + "; ".join(exc.problems),
            "通知有误，未载入：" + "；".join(exc.problems),
            extra={"problems": list(exc.problems)},
        ) from None
    loaded = load_notice(session, runtime.case_context, parsed, principal.actor, runtime.clock.now())
    return NoticeLoadedOut(
        year=loaded.year,
        version=loaded.version,
        recorded_in=loaded.recorded_in,
        revised=[
            RevisedDeadline(
                case_id=r.case_id,
                case_number=r.case_number,
                name=c["name"],
                due_on=date.fromisoformat(c["due_on"]),
                provisional=c["provisional"],
                before=c["before"],
            )
            for revisions in loaded.revisions.values()
            for r in revisions
            for c in r.changes
        ],
    )


@router.get("/api/v1/deadlines", response_model=DeadlineListOut)
def list_deadlines(
    session: ReadSession,
    runtime: RuntimeDep,
    overdue: bool = False,
    due_soon: bool = False,
    provisional: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    principal: Principal = requires(Permission.CALENDAR_READ),
) -> DeadlineListOut:
    """The deadlines of the open cases the caller may see, nearest first; a deadline that cannot be computed
    comes first, with why. Heads and admins also see the warning that next year's notice is not loaded."""
    found = search.deadlines_of_open_cases(
        session,
        runtime.case_context,
        principal,
        search.DeadlineSearch(overdue=overdue, due_soon=due_soon, provisional=provisional, limit=limit),
        runtime.clock.now(),
    )
    lines = [
        DeadlineLine(**d.model_dump(), case_id=case.id, case_number=case.number, title=case.title, state=case.state)
        for case, d in found
    ]
    return DeadlineListOut(warnings=_warnings(runtime, session, principal), deadlines=lines)
