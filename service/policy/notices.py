"""State Council holiday notices loaded after start: the national working-day calendar as recorded policy.

The calendar is national, so a notice is one system-wide policy: loading it records the notice's full content
in every agency's ledger (stream ``calendar``), and each agency's deadlines are counted on the calendar file
(policies/calendar/cn-workdays.yaml) with the notices its own ledger recorded laid over it. Running workers
read the recorded notices per request (``agency_calendar``), so a new notice applies without a restart.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from service.agencies.models import Agency
from service.agencies.service import agency_of, agency_ref, entry_agency_id
from service.db import Base
from service.ledger.canonical import EntryContent
from service.ledger.projection import projected, projector, record
from service.ledger.store import lock_stream
from service.policy.calendar import CalendarYear, WorkdayCalendar, parse_notice

CALENDAR_STREAM = "calendar"
NOTICE_LOADED = "agency:calendar_notice:loaded"


@projected()
class CalendarNotice(Base):
    """A State Council notice recorded in an agency's ledger; the latest one per year is in force."""

    __tablename__ = "calendar_notices"

    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(String(80))
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    loaded_at: Mapped[datetime]
    loaded_by: Mapped[str] = mapped_column(String(200))


@dataclass(frozen=True)
class NoticeRecorded:
    agency_code: str
    year: int
    version: str
    replaced: str | None  # the version it replaced; None for a year not loaded before


def record_notice(
    session: Session, agency: Agency, notice: CalendarYear, actor: str, at: datetime
) -> NoticeRecorded | None:
    """Record ``notice`` in ``agency``'s ledger unless the same version is already in force there."""
    lock_stream(session, agency.id, CALENDAR_STREAM)  # two loads at once record it once
    current = session.get(CalendarNotice, (agency.id, notice.year))
    version = notice.version
    if current is not None and current.version == version:
        return None
    record(
        session,
        agency_ref(agency),
        stream=CALENDAR_STREAM,
        type=NOTICE_LOADED,
        actor=actor,
        at=at,
        body={
            "year": notice.year,
            "version": version,
            "notice": notice.to_content(),
            "replaces": current.version if current is not None else None,
        },
    )
    return NoticeRecorded(agency.code, notice.year, version, current.version if current is not None else None)


@projector(NOTICE_LOADED)
def _notice_loaded(session: Session, entry: EntryContent) -> None:
    agency_id = entry_agency_id(session, entry)
    session.info.get(_MEMO, {}).pop(agency_id, None)  # the agency's calendar changes with this notice
    body = entry.body
    agency = session.get(Agency, agency_id)
    assert agency is not None
    agency.calendar_versions = {**agency.calendar_versions, str(int(body["year"])): body["version"]}
    current = session.get(CalendarNotice, (agency_id, int(body["year"])))
    if current is None:
        session.add(
            CalendarNotice(
                agency_id=agency_id,
                year=int(body["year"]),
                version=body["version"],
                content=dict(body["notice"]),
                loaded_at=entry.recorded_at,
                loaded_by=entry.actor,
            )
        )
    else:
        current.version = body["version"]
        current.content = dict(body["notice"])
        current.loaded_at = entry.recorded_at
        current.loaded_by = entry.actor


def loaded_notices(session: Session, agency_id: uuid.UUID) -> list[CalendarNotice]:
    return list(
        session.scalars(
            select(CalendarNotice).where(CalendarNotice.agency_id == agency_id).order_by(CalendarNotice.year)
        )
    )


_MEMO = "caseledger.agency_calendars"  # session.info key: the calendars read in this transaction


def agency_calendar(session: Session, base: WorkdayCalendar, agency_id: uuid.UUID) -> WorkdayCalendar:
    """The calendar an agency's deadlines are counted on: the file's notices and the ones its ledger recorded.

    Read once per transaction (a case view asks for it for the steps and again for the deadlines); a notice
    recorded in the transaction forgets it (``_notice_loaded``)."""
    memo: dict[uuid.UUID, WorkdayCalendar] = session.info.setdefault(_MEMO, {})
    if agency_id not in memo:
        memo[agency_id] = _built(session, base, agency_id)
    return memo[agency_id]


# Built calendars by (base, loaded versions): a notice's content is fixed by its version, so an entry never goes
# stale; a worker meets a new key, and builds it once, when a notice is loaded.
_BUILT: dict[tuple[str, tuple[tuple[int, str], ...]], WorkdayCalendar] = {}


def _built(session: Session, base: WorkdayCalendar, agency_id: uuid.UUID) -> WorkdayCalendar:
    # Which notices are in force is kept on the agency's row (read with the case a request works on).
    versions = agency_of(session, agency_id).calendar_versions
    if not versions:
        return base
    key = (base.version, tuple(sorted((int(year), str(version)) for year, version in versions.items())))
    if key not in _BUILT:
        if len(_BUILT) > 64:
            _BUILT.clear()
        notices = [parse_notice(n.content) for n in loaded_notices(session, agency_id)]
        _BUILT[key] = base.with_notices(notices, "notices recorded in the ledger")
    return _BUILT[key]


def notices_in_force_anywhere(session: Session) -> list[CalendarYear]:
    """The latest notice of each year recorded by any agency: what a new agency adopts."""
    latest: dict[int, CalendarNotice] = {}
    for row in session.scalars(select(CalendarNotice).order_by(CalendarNotice.loaded_at)):
        latest[row.year] = row
    return [parse_notice(row.content) for _, row in sorted(latest.items())]


def adopt_loaded_notices(session: Session, agency: Agency, actor: str, at: datetime) -> list[NoticeRecorded]:
    """Record in a new agency's ledger the notices the other agencies already loaded."""
    recorded = [record_notice(session, agency, notice, actor, at) for notice in notices_in_force_anywhere(session)]
    return [r for r in recorded if r is not None]


@dataclass(frozen=True)
class YearStatus:
    year: int
    official: bool
    notice: str | None
    title: str | None
    version: str | None
    source: str  # "file", "ledger" or "provisional"


def calendar_years(
    calendar: WorkdayCalendar, loaded: Sequence[CalendarNotice], first: int, last: int
) -> list[YearStatus]:
    """Which of the years ``first`` to ``last`` are counted on an official notice, and which provisionally."""
    from_ledger = {n.year for n in loaded}
    out = []
    for year in range(first, last + 1):
        notice = calendar.years.get(year)
        if notice is None:
            out.append(YearStatus(year, False, None, None, None, "provisional"))
        else:
            source = "ledger" if year in from_ledger else "file"
            out.append(YearStatus(year, True, notice.notice, notice.title, notice.version, source))
    return out


# From 1 November the next year's deadlines come within the 90 days to decide; until its notice is loaded they
# are provisional, and heads and admins are told so.
NOTICE_EXPECTED_FROM = (11, 1)
# Those who answer for deadlines being met (heads) and who load the notice (admins).
WARNED_ROLES = frozenset({"head", "admin"})


def missing_notice_warning(calendar: WorkdayCalendar, today: date) -> dict[str, str] | None:
    """A warning from 1 November while next year's State Council notice is not loaded."""
    next_year = today.year + 1
    if (today.month, today.day) < NOTICE_EXPECTED_FROM or next_year in calendar.years:
        return None
    return {
        "code": "calendar_notice_missing",
        "year": str(next_year),
        "text_en": (
            f"The State Council's holiday notice for {next_year} is not loaded: deadlines reaching into {next_year} "
            "(and into this December) are provisional, counted on weekends and the statutory holidays, and will be "
            "recomputed when it is loaded (caseledger calendar load, or PUT /api/v1/calendar/notices/{year})."
        ),
        "text_zh": (
            f"尚未载入国务院办公厅关于{next_year}年部分节假日安排的通知：涉及{next_year}年（及本年12月）的期限为暂定期限，"
            "按周末和法定节假日计算，载入通知后将重新计算。"
        ),
    }


def notice_warnings(
    session: Session, base: WorkdayCalendar, roles: Iterable[str], agency_id: uuid.UUID, today: date
) -> list[dict[str, str]]:
    """The missing-notice warning for a user with ``roles`` in ``agency_id`` (``base``: the shipped calendar), as the
    API's calendar and the console's home show it: only heads and admins are warned."""
    if not set(roles) & WARNED_ROLES:
        return []
    warning = missing_notice_warning(agency_calendar(session, base, agency_id), today)
    return [warning] if warning else []
