"""The head's desk (负责人): what waits for their approval or signature, the deadlines at risk across the agency,
and the cases that need the heads' collective discussion.

Read-only views over the case service, one pass over the open cases: ``steps_now`` decides whether a case's
filing can be approved now (the approval every registered case waits for, service/console/desks.py), whether a
decision deadline at risk can be extended, and which steps the lack of a signed collective discussion blocks (the
``collective_discussion_held`` guard, 行政处罚法 第五十七条第二款), so the desk lists exactly what the head's routes
would accept; the signatures waiting are read from the case file (``decision_signed``, ``discussion_signed``, the
discussion's chair).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from service.auth.permissions import Permission
from service.auth.principal import Principal
from service.cases import casefile, search
from service.cases import service as cases
from service.cases.deadlines_view import CaseDeadline
from service.cases.guards import DecisionOutcome
from service.console.desks import CaseLine, Waiting, case_line, waiting_approvals
from service.documents.kinds import RULES, DocumentKind
from service.runtime import Runtime

# The guard that stops a decision until a collective discussion is recorded and signed by its chair.
DISCUSSION_GUARD = "collective_discussion_held"
# 行政处罚法 第六十条: the time to decide may be extended, by the head's approval; offered beside that deadline at risk.
EXTENSION = "extend_decision_deadline"
DECISION_DEADLINE = "decision"
SCAN = 200  # cases looked at, newest first (the desk of a township office, not a report)


@dataclass
class HeadDesk:
    approvals: list[tuple[CaseLine, list[Waiting]]] = field(default_factory=list)
    decisions_to_sign: list[CaseLine] = field(default_factory=list)
    # signed, their document (行政处罚决定书, 不予行政处罚决定书) not issued: not to be served before (第六十一条)
    decisions_to_issue: list[CaseLine] = field(default_factory=list)
    discussions_to_sign: list[CaseLine] = field(default_factory=list)  # chaired by this head, not yet signed
    discussions_awaiting_chair: list[tuple[CaseLine, str]] = field(default_factory=list)  # another head chairs
    discussions_needed: list[CaseLine] = field(default_factory=list)
    # each with the steps offered beside it (the extension of the decision deadline, where it can be given now)
    at_risk: list[tuple[CaseLine, CaseDeadline, list[str]]] = field(default_factory=list)
    cases: list[CaseLine] = field(default_factory=list)  # every case looked at, closed ones too, newest first


def _decision_to_issue(file: casefile.CaseFile) -> bool:
    """Whether the document stating the case's decision is the head's to issue (an order decided is printed in the
    officers' 责令改正通知书) and is not issued yet."""
    decision = file.decision
    kind = casefile.DECISION_DOCUMENTS.get(DecisionOutcome(decision.outcome)) if decision else None
    if kind is None or RULES[DocumentKind(kind)].issued_with is not Permission.CASE_DECIDE:
        return False
    return not casefile.decision_document_issued(file)


def head_desk(session: Session, runtime: Runtime, principal: Principal, chair_names: dict[str, str]) -> HeadDesk:
    """``chair_names``: user id → display name, to say whose signature a discussion waits for."""
    now = runtime.clock.now()
    context = runtime.case_context
    desk = HeadDesk()
    me = str(principal.user_id)
    available: dict[str, list[str]] = {}  # case id → the steps it allows now, for the deadlines at risk below
    for case in search.search_cases(session, context, principal, search.CaseSearch(limit=SCAN), now):
        line = case_line(session, runtime, case)
        desk.cases.append(line)
        if case.closed_at is not None:
            continue
        steps = cases.steps_now(session, context, case, now)
        available[line.id] = steps.available
        waiting = waiting_approvals(case, steps.available)
        if waiting:
            desk.approvals.append((line, waiting))
        file = case.case_file
        if case.state == "decided" and file.decision is not None and not file.decision_signed:
            desk.decisions_to_sign.append(line)
        elif case.state == "decided" and _decision_to_issue(file):
            desk.decisions_to_issue.append(line)
        discussion = file.collective_discussion
        unsigned = discussion is not None and not file.discussion_signed
        if unsigned and discussion is not None:
            if discussion.chair == me:
                desk.discussions_to_sign.append(line)
            else:
                desk.discussions_awaiting_chair.append((line, chair_names.get(discussion.chair, discussion.chair)))
        elif any(f.guard == DISCUSSION_GUARD for _name, failures in steps.blocked for f in failures):
            desk.discussions_needed.append(line)
    # Across the agency: every open case the head may see, the overdue and those due soon first by date; a
    # deadline that cannot be computed is at risk too (nobody knows when it falls) and comes first.
    for case, deadline in search.deadlines_of_open_cases(
        session, context, principal, search.DeadlineSearch(at_risk=True, limit=1000), now
    ):
        line = case_line(session, runtime, case)
        beside = []
        if deadline.name == DECISION_DEADLINE:
            if line.id not in available:  # beyond the cases scanned above
                available[line.id] = cases.steps_now(session, context, case, now).available
            beside = [EXTENSION] if EXTENSION in available[line.id] else []
        desk.at_risk.append((line, deadline, beside))
    return desk
