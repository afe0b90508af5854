"""Deadlines recorded, and revised when the calendar they were counted on changes.

A step records, in its own entry, the deadlines the case runs against after it (``deadlines_after``): the date
the officer saw is the date the ledger holds. When a State Council notice is loaded, or the calendar file
changes, every case still open is recounted on the new calendar and each date that moved — or that became
final — is recorded in a ``case:deadlines:revised`` entry of the case's chain, with the date before and after.
The rule for who keeps which date is ``schedule.party_keeps_the_later`` (第四十四条、第六十四条、第八十五条).

A revision changes no fact a step or a legal review relies on: it does not make a review stale
(service/cases/review_state.py).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, undefer_group

from service.agencies.models import Agency
from service.agencies.service import agency_ref
from service.cases.casefile import CaseFile
from service.cases.context import CaseContext
from service.cases.models import DEADLINES, Case
from service.cases.schedule import Schedule, case_schedule, recorded_deadlines
from service.cases.workflow import Procedure
from service.ledger.canonical import EntryContent
from service.ledger.projection import projector, record
from service.policy.calendar import CalendarYear, WorkdayCalendar
from service.policy.notices import agency_calendar, record_notice

DEADLINES_REVISED = "case:deadlines:revised"


def deadlines_after(file: CaseFile, context: CaseContext, calendar: WorkdayCalendar) -> Schedule:
    return case_schedule(file, context.workflows[Procedure(file.procedure)], calendar)


def record_of(schedule: Schedule, calendar: WorkdayCalendar) -> dict[str, Any]:
    """What a step's entry records of the deadlines after it: each one counted, and the names of those that could
    not be (only when there are: an entry without them had none)."""
    recorded: dict[str, Any] = {
        "calendar_version": calendar.version,
        "deadlines": [d.to_record() for d in schedule.deadlines],
    }
    if schedule.problems:
        recorded["deadline_problems"] = [p.name for p in schedule.problems]
    return recorded


def keep_in_force(case: Case, file: CaseFile, names: list[str], unknown: bool) -> None:
    """Keep on the case's row the deadlines in force — ``names``, whose dates ``file`` (the case's, as the projector
    keeps it) records — their earliest and latest last day, and whether one could not be counted. Projectors only:
    what the entries recorded, never recounted here."""
    recorded = recorded_deadlines(file)
    dates = [recorded[n] for n in names if n in recorded]
    case.deadlines_in_force = sorted(names)
    case.next_due_on = min(dates, default=None)
    case.last_due_on = max(dates, default=None)
    case.deadline_unknown = unknown


def merge_recorded(file: CaseFile, deadlines: list[dict[str, Any]]) -> CaseFile:
    """The case file with ``deadlines`` recorded: each replaces the date recorded before under its name."""
    recorded = {name: d.model_dump(mode="json") for name, d in file.deadlines.items()}
    for d in deadlines:
        recorded[d["name"]] = {"due_on": d["due_on"], "provisional": bool(d["provisional"])}
    return file.with_changes(deadlines=recorded)


@dataclass(frozen=True)
class Revision:
    case_id: uuid.UUID
    case_number: str | None
    changes: list[dict[str, Any]]


def revise_deadlines(
    session: Session,
    context: CaseContext,
    agency: Agency,
    calendar: WorkdayCalendar,
    why: str,
    actor: str,
    at: datetime,
) -> list[Revision]:
    """Recount every open case of ``agency`` on ``calendar``; record each deadline that moved or became final."""
    out = []
    open_cases = session.scalars(
        select(Case)
        .where(Case.agency_id == agency.id, Case.closed_at.is_(None))
        .order_by(Case.registered_at)
        .options(undefer_group(DEADLINES))
    )
    for case in open_cases:
        file = case.case_file
        schedule = deadlines_after(file, context, calendar)
        recorded = {name: d.model_dump(mode="json") for name, d in file.deadlines.items()}
        changes = []
        for deadline in schedule.deadlines:
            before = recorded.get(deadline.name)
            now = deadline.to_record()
            if before is not None and before["due_on"] == now["due_on"] and before["provisional"] == now["provisional"]:
                continue
            changes.append(
                {
                    **now,
                    "before": None
                    if before is None
                    else {"due_on": before["due_on"], "provisional": before["provisional"]},
                    "basis": deadline.basis.as_dict(),
                }
            )
        in_force = sorted(d.name for d in schedule.deadlines)
        problems = [p.name for p in schedule.problems]
        # A revision also says which deadlines are in force and which cannot be counted: a date that could not be
        # counted on the old calendar may be on the new one, and the other way round.
        if not changes and in_force == case.deadlines_in_force and bool(problems) == case.deadline_unknown:
            continue
        record(
            session,
            agency_ref(agency),
            stream=f"case:{case.id}",
            type=DEADLINES_REVISED,
            actor=actor,
            at=at,
            body={
                "case_id": case.id,
                "calendar_version": calendar.version,
                "why": why,
                "changes": changes,
                "in_force": in_force,
                "problems": problems,
            },
        )
        out.append(Revision(case.id, case.number, changes))
    return out


@projector(DEADLINES_REVISED)
def _deadlines_revised(session: Session, entry: EntryContent) -> None:
    body = entry.body
    case = session.get(Case, uuid.UUID(body["case_id"]))
    assert case is not None
    file = merge_recorded(case.case_file, body["changes"])
    case.keep_file(file)
    # A revision recorded before it said what is in force changed dates only: the names in force stay.
    changed = (c["name"] for c in body["changes"])
    names = body["in_force"] if "in_force" in body else sorted({*case.deadlines_in_force, *changed})
    keep_in_force(case, file, names, bool(body["problems"]) if "problems" in body else case.deadline_unknown)


@dataclass(frozen=True)
class NoticeLoaded:
    """What loading a State Council notice did: the agencies that recorded it, and the deadlines revised."""

    year: int
    version: str
    recorded_in: list[str]  # agency codes; empty when every agency had this version already
    revisions: dict[str, list[Revision]]  # by agency code

    @property
    def deadlines_revised(self) -> int:
        return sum(len(r.changes) for rs in self.revisions.values() for r in rs)


def load_notice(session: Session, context: CaseContext, notice: CalendarYear, actor: str, at: datetime) -> NoticeLoaded:
    """Record ``notice`` in every agency's ledger and recount the open deadlines of each on its new calendar."""
    version = notice.version
    recorded_in: list[str] = []
    revisions: dict[str, list[Revision]] = {}
    for agency in session.scalars(select(Agency).order_by(Agency.code)):
        if record_notice(session, agency, notice, actor, at) is None:
            continue
        recorded_in.append(agency.code)
        calendar = agency_calendar(session, context.calendar, agency.id)
        why = f"{notice.title}（{notice.notice}）loaded, version {version}"
        revisions[agency.code] = revise_deadlines(session, context, agency, calendar, why, actor, at)
    return NoticeLoaded(notice.year, version, recorded_in, revisions)


def revise_for_all_agencies(session: Session, context: CaseContext, why: str, actor: str, at: datetime) -> int:
    """Recount every agency's open deadlines on its calendar (after the calendar file changed); entries written."""
    written = 0
    for agency in session.scalars(select(Agency).order_by(Agency.code)):
        calendar = agency_calendar(session, context.calendar, agency.id)
        written += len(revise_deadlines(session, context, agency, calendar, why, actor, at))
    return written
