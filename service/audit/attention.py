"""The supervisor's agency-wide view: the cases that need attention, and why."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.cases.categories import StateCategory
from service.cases.context import CaseContext
from service.cases.deadlines_view import case_deadlines
from service.cases.history import case_history
from service.cases.models import Case
from service.cases.review_state import stale_reasons
from service.cases.workflow import Procedure


@dataclass(frozen=True)
class Attention:
    case_id: uuid.UUID
    case_number: str | None
    state: str
    chain_verifies: bool
    stale_review: list[str]
    overdue: list[str]


def cases_needing_attention(
    session: Session, context: CaseContext, agency_id: uuid.UUID, now: datetime
) -> list[Attention]:
    """Cases whose chain fails to verify, whose legal approval went stale before the decision, or that passed a
    deadline."""
    out = []
    for case in session.scalars(select(Case).where(Case.agency_id == agency_id).order_by(Case.registered_at)):
        verifies = all(h.verifies for h in case_history(session, case))
        review = case.case_file.latest_review()
        stale = (
            stale_reasons(session, case, review.frozen_seq)
            if review is not None
            and review.opinion == "agree"
            # A review is stale only while its decision is still to be taken.
            and context.workflows[Procedure(case.procedure)].category_of(case.state)
            in (StateCategory.INTAKE, StateCategory.OPEN)
            else []
        )
        overdue = [d.name for d in case_deadlines(session, context, case, now) if d.overdue]
        if not verifies or stale or overdue:
            out.append(Attention(case.id, case.number, case.state, verifies, stale, overdue))
    return out
