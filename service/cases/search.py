"""Finding cases: the filters of the case list and the party search, on what the caller may see."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.agencies.models import Agency
from service.agencies.service import hold_agency
from service.auth.principal import Principal
from service.cases.context import CaseContext
from service.cases.deadlines_view import CaseDeadline, case_deadlines
from service.cases.models import Case, CaseOfficer, Party
from service.cases.parties import blind_index
from service.cases.service import visible_cases
from service.policy.calendar import SHANGHAI

# How many cases a deadline filter looks through: it computes each case's deadlines.
DEADLINE_SCAN = 5000


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
    found = []
    # The agency is read with the cases (one statement): their views need it.
    for case, agency in session.execute(
        query.add_columns(Agency)
        .join(Agency, Agency.id == Case.agency_id)
        .order_by(Case.registered_at.desc())
        .limit(DEADLINE_SCAN if by_deadline else search.limit)
    ):
        hold_agency(session, agency)
        if by_deadline:
            deadlines = case_deadlines(session, context, case, now)
            if search.overdue and not any(d.overdue for d in deadlines):
                continue
            if search.due_soon and not any(d.due_soon for d in deadlines):
                continue
        found.append(case)
        if len(found) >= search.limit:
            break
    return found


@dataclass(frozen=True)
class DeadlineSearch:
    overdue: bool = False
    due_soon: bool = False
    provisional: bool | None = None  # None: both
    limit: int = 200


def deadlines_of_open_cases(
    session: Session, context: CaseContext, principal: Principal, search: DeadlineSearch, now: datetime
) -> list[tuple[Case, CaseDeadline]]:
    """The deadlines of the open cases the caller may see, nearest first; one that cannot be computed first."""
    found: list[tuple[Case, CaseDeadline]] = []
    for case in session.scalars(visible_cases(session, principal, context.case_policy).where(Case.closed_at.is_(None))):
        for d in case_deadlines(session, context, case, now):
            if (search.overdue and not d.overdue) or (search.due_soon and not d.due_soon):
                continue
            if search.provisional is not None and d.provisional != search.provisional:
                continue
            found.append((case, d))
    found.sort(key=lambda line: (line[1].due_on is not None, line[1].due_on or date.min, line[0].number or ""))
    return found[: search.limit]
