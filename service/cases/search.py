"""Finding cases: the filters of the case list and the party search, on what the caller may see."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Load, Session

from service.agencies.models import Agency
from service.agencies.service import hold_agency
from service.auth.principal import Principal
from service.cases import deadlines
from service.cases.context import CaseContext
from service.cases.deadlines_view import CaseDeadline, case_deadlines
from service.cases.models import DEADLINES, Case, CaseOfficer, Party
from service.cases.parties import blind_index
from service.cases.service import visible_cases
from service.policy.calendar import SHANGHAI, CalendarRangeError, local_date
from service.policy.notices import agency_calendar


@dataclass(frozen=True)
class CaseSearch:
    state: str | None = None
    item: str | None = None
    officer: uuid.UUID | None = None
    registered_from: date | None = None
    registered_to: date | None = None
    party: str | None = None  # an ID number or exact name; matched through the blind index, never stored
    overdue: bool = False
    due_soon: bool = False
    limit: int = 100


def search_cases(
    session: Session, context: CaseContext, principal: Principal, search: CaseSearch, now: datetime
) -> list[Case]:
    """The cases the caller may see that match ``search``, newest first."""
    query = visible_cases(session, principal, context.case_policy)
    if search.state:
        query = query.where(Case.state == search.state)
    if search.item:
        query = query.where(Case.item_code == search.item)
    if search.officer:
        query = query.where(Case.id.in_(select(CaseOfficer.case_id).where(CaseOfficer.officer_id == search.officer)))
    # Dates are days in Asia/Shanghai, as the law counts them.
    if search.registered_from:
        query = query.where(Case.registered_at >= datetime.combine(search.registered_from, time.min, SHANGHAI))
    if search.registered_to:
        query = query.where(
            Case.registered_at < datetime.combine(search.registered_to + timedelta(days=1), time.min, SHANGHAI)
        )
    if search.party:
        # The blind index: an HMAC of the normalised value under the server's key, never the value itself.
        digest = blind_index(context.blind_index_key, search.party)
        matching = select(Party.id).where(
            Party.agency_id == principal.agency_id, (Party.id_number_index == digest) | (Party.name_index == digest)
        )
        query = query.where(Case.party_id.in_(matching))
    by_deadline = search.overdue or search.due_soon
    if by_deadline:
        query = query.where(_may_have_deadline(session, context, principal, search.overdue, search.due_soon, now))
    # The agency is read with the cases (one statement): their views need it.
    ordered = query.add_columns(Agency).join(Agency, Agency.id == Case.agency_id)
    ordered = ordered.order_by(Case.registered_at.desc(), Case.id)
    if not by_deadline:
        rows = session.execute(ordered.limit(search.limit)).all()
        for _, agency in rows:
            hold_agency(session, agency)
        return [case for case, _ in rows]
    # The row's earliest deadline has narrowed the cases to those that may match: each is checked on its counted
    # deadlines, a page at a time, until enough are found.
    found = []
    for case, agency in _in_pages(session, ordered, search.limit):
        hold_agency(session, agency)
        deadlines = case_deadlines(session, context, case, now)
        if search.overdue and not any(d.overdue for d in deadlines):
            continue
        if search.due_soon and not any(d.due_soon for d in deadlines):
            continue
        found.append(case)
        if len(found) >= search.limit:
            break
    return found


def _in_pages(session: Session, query: Select[Case, Agency], size: int) -> Iterator[tuple[Case, Agency]]:
    """The rows of ``query`` (ordered on a unique key), read ``size`` at a time: a reader that stops early reads no
    further page (a server-side cursor would need a transaction, which a list's statements do not hold). Each case
    once: a case registered, or moved by a step, between two pages shifts the rows after it."""
    offset = 0
    seen: set[uuid.UUID] = set()
    while True:
        page = session.execute(query.limit(size).offset(offset)).all()
        for case, agency in page:
            if case.id not in seen:
                seen.add(case.id)
                yield case, agency
        if len(page) < size:
            return
        offset += size


def _may_have_deadline(
    session: Session, context: CaseContext, principal: Principal, overdue: bool, due_soon: bool, now: datetime
) -> ColumnElement[bool]:
    """The open cases that may have a deadline overdue (and) due soon, from the earliest and latest deadlines kept on
    the row: a superset of those that have, never missing one (each found is checked on its counted deadlines)."""
    today = local_date(now)
    condition = Case.closed_at.is_(None) & Case.next_due_on.is_not(None)
    if overdue:
        # Overdue: the last day is before today (deadlines.overdue); the earliest one is, if any is.
        condition &= Case.next_due_on < today
    if due_soon:
        # Due soon: a last day from today to before the (w+1)-th working day after it (deadlines.due_soon); if any
        # is, the earliest is before that day and the latest not before today.
        condition &= (Case.next_due_on < _soon_ends(session, context, principal, today)) & (Case.last_due_on >= today)
    return condition


def _overdue_or_due_soon(
    session: Session, context: CaseContext, principal: Principal, now: datetime
) -> ColumnElement[bool]:
    """The open cases that may have a deadline overdue or due soon: the earliest is before the window ends."""
    ends = _soon_ends(session, context, principal, local_date(now))
    return Case.closed_at.is_(None) & Case.next_due_on.is_not(None) & (Case.next_due_on < ends)


def _soon_ends(session: Session, context: CaseContext, principal: Principal, today: date) -> date:
    """The first day after the due-soon window on the agency's calendar (``deadlines.due_soon_ends``)."""
    calendar = agency_calendar(session, context.calendar, principal.agency_id)
    try:
        return deadlines.due_soon_ends(calendar, today, context.case_policy.due_soon_working_days)
    except CalendarRangeError:
        # Beyond the years any rule covers: every date before is a candidate, and is checked.
        return date.max


@dataclass(frozen=True)
class DeadlineSearch:
    overdue: bool = False
    due_soon: bool = False
    provisional: bool | None = None  # None: both
    # Overdue, due soon, or not countable (nobody knows when it falls): what a head's desk shows at risk.
    at_risk: bool = False
    limit: int = 200

    def keeps(self, deadline: CaseDeadline) -> bool:
        if (self.overdue and not deadline.overdue) or (self.due_soon and not deadline.due_soon):
            return False
        if self.at_risk and not (deadline.overdue or deadline.due_soon or deadline.due_on is None):
            return False
        return self.provisional is None or deadline.provisional == self.provisional


def deadlines_of_open_cases(
    session: Session, context: CaseContext, principal: Principal, search: DeadlineSearch, now: datetime
) -> list[tuple[Case, CaseDeadline]]:
    """The deadlines of the open cases the caller may see, nearest first; one that cannot be computed first.

    The cases are read in the order of the earliest deadline kept on their row, then their number (those with one
    that cannot be counted first), and each one's deadlines counted, until no case left can have a line before the
    last of the ``limit`` nearest found: a list of the nearest 200 counts about 200 cases, not every open case."""
    query = visible_cases(session, principal, context.case_policy)
    if search.overdue or search.due_soon:
        query = query.where(_may_have_deadline(session, context, principal, search.overdue, search.due_soon, now))
    elif search.at_risk:
        at_risk = _overdue_or_due_soon(session, context, principal, now)
        query = query.where(Case.closed_at.is_(None), at_risk | Case.deadline_unknown)
    else:
        query = query.where(Case.closed_at.is_(None), Case.next_due_on.is_not(None) | Case.deadline_unknown)
    # In the order of the lines (``_nearest_first``): a case's lines come no earlier than its earliest deadline with
    # its number, so the cases are read by that, and the numbers compared as Python compares them.
    number: ColumnElement[str] = func.coalesce(Case.number, "")
    if session.get_bind().dialect.name == "postgresql":
        number = number.collate("C")  # by code point, as Python's str; SQLite's default (BINARY) already is
    ordered = query.add_columns(Agency).join(Agency, Agency.id == Case.agency_id)
    ordered = ordered.options(Load(Case).undefer_group(DEADLINES))  # kept on the row, read only here
    ordered = ordered.order_by(Case.deadline_unknown.desc(), Case.next_due_on, number, Case.id)
    found: list[tuple[Case, CaseDeadline]] = []
    # Unfiltered, each case read has a line at least: ``limit`` cases make a full list, a few more the ties on its day.
    for case, agency in _in_pages(session, ordered, search.limit + 8):
        hold_agency(session, agency)
        if len(found) >= search.limit and not case.deadline_unknown:
            found.sort(key=_nearest_first)
            del found[search.limit :]
            # This case has no deadline that cannot be counted, nor has any after it. Every line of it, and of every
            # later case, comes after its earliest deadline with its number: after the last line kept, if that is.
            if _nearest_first(found[-1]) < (True, case.next_due_on or date.max, case.number or ""):
                break
        found.extend((case, d) for d in case_deadlines(session, context, case, now) if search.keeps(d))
    found.sort(key=_nearest_first)
    return found[: search.limit]


def _nearest_first(line: tuple[Case, CaseDeadline]) -> tuple[bool, date, str]:
    """The order of the deadline list: those that cannot be counted first, then by last day, then by case number."""
    case, deadline = line
    return (deadline.due_on is not None, deadline.due_on or date.min, case.number or "")
