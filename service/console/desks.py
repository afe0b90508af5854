"""What each role's desk lists: cases as lines, a head's approvals waiting, a reviewer's queue.

Read-only views over the case service: ``steps_now`` (service/cases/service.py) decides whether a case's approval
can be given now, so the desk shows only what the head's step routes would accept.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from service.auth.models import User
from service.auth.principal import Principal
from service.auth.users import user_stream
from service.cases import search
from service.cases import service as cases
from service.cases.casefile import ApprovalRequestRecord, RecusalApplicationRecord
from service.cases.models import Case
from service.officers.models import Officer
from service.runtime import Runtime

# The approval a case waits for by its state alone: filing (立案), the step every registered case waits for (行政处罚法
# 第五十四条). A head's other approvals — preserving evidence (第五十六条), sealing or seizing (行政强制法 第十八条),
# extending the time to decide (第六十条), departing from the discretion standard (重庆市规范行政处罚裁量权办法
# 第十九条) — wait when an officer asked for them on the case's record (request_*_approval,
# request_deadline_extension), and a recusal decision when an application for it was recorded (apply_for_recusal,
# 第四十三条): listed for every case they are possible in, they would fill the desk with approvals nobody asked for.
# Unasked, they are on the case's page; the extension also beside a decision deadline at risk (head_desk.py).
WAITING_APPROVALS = ("approve_filing",)
# 第四十三条第三款: the head decides an application for an officer's recusal, one decision per officer applied for.
RECUSAL_DECISION = "decide_recusal"


@dataclass(frozen=True)
class Waiting:
    """An approval a case waits for now, and what asked for it: an officer's request (``request``), or an
    application for the recusal of the officer ``recusal_of`` (``recusal``) that the head's decision answers."""

    step: str
    request: ApprovalRequestRecord | None = None
    recusal_of: str | None = None  # an officer's id
    recusal: RecusalApplicationRecord | None = None


@dataclass(frozen=True)
class Askers:
    """The names a waiting approval is shown with: who asked or recorded it, by the actor the entry recorded
    (``user:<id>``), and whose recusal an application asks for, by the officer's id (第四十三条)."""

    actors: dict[str, str]
    officers: dict[str, str]


NOBODY_ASKED = Askers({}, {})


def askers_of(staff: Iterable[User], officers: Iterable[Officer]) -> Askers:
    return Askers(
        {user_stream(u.id): u.display_name for u in staff},
        {str(o.id): o.name for o in officers},
    )


def waiting_approvals(case: Case, available: Sequence[str]) -> list[Waiting]:
    """The approvals ``case`` waits for among the steps ``available`` now: those its state waits for, those an
    officer asked for, and a recusal decision for each officer an open application names — each only while the
    case allows it (an asked preservation no longer waits once the investigation is closed)."""
    file = case.case_file
    requests = file.approval_requests
    waiting = []
    for step in available:
        if step == RECUSAL_DECISION:
            waiting += [Waiting(step, recusal_of=o, recusal=a) for o, a in file.recusal_applications.items()]
        elif step in WAITING_APPROVALS or step in requests:
            waiting.append(Waiting(step, requests.get(step)))
    return waiting


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
    state = runtime.case_context.state_of(case.procedure, case.state)
    return CaseLine(
        id=str(case.id),
        number=case.number,
        title=case.title,
        state=case.state,
        state_zh=state.zh,
        state_en=state.en,
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
    """Reviews requested and not yet signed: (case, review id, where it stands). A request a later one superseded
    is not listed unless its opinion, recorded before, awaits its signature (``reviews.refuse_superseded``)."""
    now = runtime.clock.now()
    out = []
    for case in search.search_cases(session, runtime.case_context, principal, search.CaseSearch(limit=200), now):
        latest = case.case_file.latest_review()
        for review in case.case_file.reviews:
            if review.signed or (review is not latest and review.opinion is None):
                continue
            stands = "opinion" if review.opinion else ("taken" if review.taken_by else "requested")
            out.append((case_line(session, runtime, case), review.review_id, stands))
    return out
