"""Case-file review (案卷评查): each closed case graded after 广东省行政执法案卷评查办法 (2016). Read-only.

The computed part — documents present (weights: ``policies/file-review.yaml``) and the automatic fails of
第十七条 — is read from the case's entries and its case file (service/reports/file_review_rules.py has the rules).
Named reviewers' independent scores (第十条) are entries of their own (service/reports/scoring.py); once enough
have scored a round, the file is graded on their mean.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.cases.casefile import decision_of, extensions_of
from service.cases.categories import StateCategory
from service.cases.context import CaseContext
from service.cases.deadlines import decision_deadline
from service.cases.guards import EVIDENCE_ENTRY_TYPES
from service.cases.items import item_rules
from service.cases.models import Case
from service.cases.review_requirement import review_required
from service.cases.workflow import Procedure
from service.catalogue.service import item_of
from service.ledger.canonical import parse_instant
from service.ledger.models import LedgerEntry
from service.policy.calendar import local_date
from service.policy.catalogue import PartyType
from service.policy.notices import agency_calendar
from service.reports.file_review_rules import (
    GRADE_ZH,
    Assessment,
    FileFacts,
    FileReviewPolicy,
    ReviewerScore,
    assess,
    automatic_fails,
    document_score,
)
from service.reports.models import FileReviewScore

# The entries that record evidence the decision can rely on (第四十六条: 询问笔录、现场笔录 and the evidence).
EVIDENCE_ENTRIES = frozenset({"case:inquiry:recorded", "case:inspection:recorded", "case:evidence:collected"})
# What a decision may cite as its evidence (the guard decision_evidence_recorded, 行政处罚法 第四十条).
CITABLE_ENTRIES = EVIDENCE_ENTRY_TYPES
DECISION_ENTRIES = frozenset(
    {"case:decision:penalty", "case:decision:no_penalty", "case:summary_decision:made", "case:decision:order"}
)


@dataclass
class FileReview:
    case_id: uuid.UUID
    case_number: str | None
    score: int
    passed: bool
    automatic_fails: list[str] = field(default_factory=list)
    missing_documents: list[str] = field(default_factory=list)
    grade: str = ""
    grade_zh: str = ""
    round: int = 1
    final: bool = False
    reviewers: list[dict[str, object]] = field(default_factory=list)


def assess_file(
    session: Session, context: CaseContext, policy: FileReviewPolicy, case: Case
) -> tuple[Assessment, list[str]]:
    """The file's assessment and the documents it lacks."""
    numbered = session.execute(
        select(LedgerEntry.stream_seq, LedgerEntry.type, LedgerEntry.canonical)
        .where(LedgerEntry.agency_id == case.agency_id, LedgerEntry.stream == f"case:{case.id}")
        .order_by(LedgerEntry.stream_seq)
    ).all()
    rows = [(t, c) for _, t, c in numbered]
    types = frozenset(t for t, _ in rows)
    bodies = [(t, json.loads(c)["body"]) for t, c in rows]
    # The evidence recorded before the decision, by entry number: what the decision may rely on (第四十条).
    recorded_evidence: set[int] = set()
    for seq, entry_type, _ in numbered:
        if entry_type in DECISION_ENTRIES:
            break
        if entry_type in CITABLE_ENTRIES:
            recorded_evidence.add(int(seq))
    file = case.case_file
    decision = file.decision
    decided = decision_of(file)
    penalty = decided.penalty if decided is not None else None
    general = case.procedure == "general"
    party_type: PartyType = "organisation" if case.party_type == "organisation" else "individual"
    rules = item_rules(item_of(session, case.agency_id, case.catalogue_version, case.item_code), party_type)
    needs_review = general and bool(
        review_required(
            context.review_catalogue,
            rules,
            party_type,
            penalty,
            hearing_held=file.hearing.held_at is not None,
            major=file.major,
        )
    )
    penalty_decided = decision is not None and decision.outcome == "penalty"
    applies = {
        "always": True,
        "general": general,
        "preservation": file.preservation is not None,
        "penalty": general and penalty_decided,
        "hearing": file.hearing.requested_at is not None,
        "review": needs_review,
        "discussion": file.collective_discussion is not None,
        "decision": decision is not None,
        "fine": bool(penalty and penalty.fine_fen),
    }
    computed, missing = document_score(policy, applies, types)
    before_decision: list[str] = []
    for entry_type, _ in bodies:
        if entry_type in DECISION_ENTRIES:
            break
        before_decision.append(entry_type)
    deadline = None
    if general and file.filed_at is not None:
        calendar = agency_calendar(session, context.calendar, case.agency_id)
        days = context.workflows[Procedure.GENERAL].periods.require("decision_calendar_days")
        deadline = decision_deadline(calendar, parse_instant(file.filed_at), days, extensions_of(file))
    hearing = file.hearing
    reviews = file.reviews
    facts = FileFacts(
        general=general,
        penalty_decided=penalty_decided,
        decided_at=decided.decided_at if decided is not None else None,
        evidence_before_decision=sum(1 for t in before_decision if t in EVIDENCE_ENTRIES),
        notice_served_before_decision="case:prior_notice:served" in before_decision,
        hearing_scheduled_for=_day(hearing.scheduled_for),
        hearing_held_on=_day(hearing.held_at),
        decision_deadline=deadline,
        served_late="case:decision:served_late" in types,
        failed_checks=tuple(
            t for t, body in bodies if isinstance(body.get("check"), dict) and not body["check"].get("ok", True)
        ),
        unqualified_acts=tuple(
            t for t, body in bodies for q in body.get("qualifications") or [] if not q.get("ok", True)
        ),
        review_required_not_passed=needs_review and not any(r.opinion == "agree" and r.signed for r in reviews),
        decided_despite_review_problems=bool(
            reviews and reviews[-1].opinion == "problems_found" and decision is not None
        ),
        cited_evidence=tuple(decision.evidence) if decision is not None else (),
        cited_not_recorded=tuple(n for n in decision.evidence if n not in recorded_evidence) if decision else (),
    )
    scores = [
        ReviewerScore(s.reviewer, s.round, s.score)
        for s in session.scalars(select(FileReviewScore).where(FileReviewScore.case_id == case.id))
    ]
    return assess(policy, computed, automatic_fails(facts), scores), missing


def _day(instant: str | None) -> date | None:
    return None if instant is None else local_date(parse_instant(instant))


def review_file(session: Session, context: CaseContext, policy: FileReviewPolicy, case: Case) -> FileReview:
    assessment, missing = assess_file(session, context, policy, case)
    fails = sorted({str(f) for f in assessment.automatic_fails})
    return FileReview(
        case.id,
        case.number,
        assessment.computed_score if not fails else 0,
        not fails and assessment.grade.value != "fail",
        fails,
        missing,
        grade=assessment.grade.value,
        grade_zh=GRADE_ZH[assessment.grade],
        round=assessment.round,
        final=assessment.final,
        reviewers=[{"reviewer": r.reviewer, "score": r.score} for r in assessment.reviewers],
    )


def closed_states(context: CaseContext) -> frozenset[str]:
    return frozenset(s.value for w in context.workflows.values() for s in w.in_category(StateCategory.CLOSED))


def review_files(
    session: Session, context: CaseContext, policy: FileReviewPolicy, agency_id: uuid.UUID, year: int | None
) -> list[FileReview]:
    query = select(Case).where(Case.agency_id == agency_id, Case.state.in_(sorted(closed_states(context))))
    out = []
    for case in session.scalars(query.order_by(Case.registered_at)):
        if year is not None and (case.closed_at is None or case.closed_at.year != year):
            continue
        out.append(review_file(session, context, policy, case))
    return out
