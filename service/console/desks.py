"""What each role's desk lists: cases as lines, a head's approvals waiting, a reviewer's queue.

Read-only views over the case service: ``steps_now`` (service/cases/service.py) decides whether a case's approval
can be given now, so the desk shows only what the head's step routes would accept.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from service.auth.principal import Principal
from service.cases import search
from service.cases import service as cases
from service.cases.casefile import ApprovalRequestRecord
from service.cases.models import Case
from service.cases.workflow import CaseState, Procedure
from service.runtime import Runtime

# The approval a case waits for by its state alone: filing (立案), the step every registered case waits for (行政处罚法
# 第五十四条). A head's other approvals — preserving evidence (第五十六条), sealing or seizing (行政强制法 第十八条),
# extending the time to decide (第六十条) — wait when an officer asked for them on the case's record
# (request_*_approval, request_deadline_extension): listed for every case they are possible in, they would fill the
# desk with approvals nobody asked for. Unasked, they are on the case's page; the extension also beside a decision
# deadline at risk (head_desk.py).
WAITING_APPROVALS = ("approve_filing",)


@dataclass(frozen=True)
class Waiting:
    """An approval a case waits for now, and the officer's request for it when one asked."""

    step: str
    request: ApprovalRequestRecord | None = None


def waiting_approvals(case: Case, available: Sequence[str]) -> list[Waiting]:
    """The approvals ``case`` waits for among the steps ``available`` now: those its state waits for, and those an
    officer asked for — each only while the case allows it (an asked preservation no longer waits once the
    investigation is closed)."""
    requests = case.case_file.approval_requests
    return [Waiting(s, requests.get(s)) for s in available if s in WAITING_APPROVALS or s in requests]


@dataclass(frozen=True)
class CaseLine:
    id: str
    number: str | None
    title: str
    state: str
    state_zh: str
    state_en: str
    item_code: str
    procedure: str
    registered_at: datetime


def case_line(session: Session, runtime: Runtime, case: Case) -> CaseLine:
    workflow = runtime.case_context.workflows[Procedure(case.procedure)]
    return CaseLine(
        id=str(case.id),
        number=case.number,
        title=case.title,
        state=case.state,
        state_zh=workflow.state_info(CaseState(case.state)).zh,
        state_en=workflow.state_info(CaseState(case.state)).en,
        item_code=case.item_code,
        procedure=case.procedure,
        registered_at=case.registered_at,
    )


def approvals_waiting(session: Session, runtime: Runtime, principal: Principal) -> list[tuple[CaseLine, list[Waiting]]]:
    now = runtime.clock.now()
    out = []
    open_cases = search.search_cases(session, runtime.case_context, principal, search.CaseSearch(limit=200), now)
    for case in open_cases:
        if case.closed_at is not None:
            continue
        steps = cases.steps_now(session, runtime.case_context, case, now)
        waiting = waiting_approvals(case, steps.available)
        if waiting:
            out.append((case_line(session, runtime, case), waiting))
    return out


def review_queue(session: Session, runtime: Runtime, principal: Principal) -> list[tuple[CaseLine, str, str]]:
    """Reviews requested and not yet signed: (case, review id, where it stands)."""
    now = runtime.clock.now()
    out = []
    for case in search.search_cases(session, runtime.case_context, principal, search.CaseSearch(limit=200), now):
        for review in case.case_file.reviews:
            if review.signed:
                continue
            stands = "opinion" if review.opinion else ("taken" if review.taken_by else "requested")
            out.append((case_line(session, runtime, case), review.review_id, stands))
    return out
