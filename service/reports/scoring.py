"""Reviewers score case files (案卷评查): independently, in writing, signed by the entry (广东省行政执法案卷评查办法
第十条); a failed file may be reviewed again (复评, 第十二条第五项). Each score is an entry of the file-review
stream of the case, projected onto ``file_review_scores``."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.agencies.service import agency_of, agency_ref, entry_agency_id
from service.auth.principal import Principal
from service.cases.context import CaseContext
from service.cases.locking import case_stream, lock_case
from service.cases.models import Case, CaseOfficer
from service.errors import InvalidInput, RuleOfLawRefusal
from service.ledger.canonical import EntryContent
from service.ledger.models import LedgerEntry
from service.ledger.projection import projector, record
from service.legal import LegalBasis
from service.officers.service import officer_of_user
from service.reports.file_review import assess_file, closed_states
from service.reports.file_review_rules import GUANGDONG_FILE_REVIEW, FileReviewPolicy, Grade
from service.reports.models import FileReviewScore

SCORED = "report:file_review:scored"


@dataclass(frozen=True)
class Deduction:
    """Points taken off, with the reason the reviewer writes down (第十条: 扣分理由)."""

    item: str
    points: int
    reason: str


def file_review_stream(case_id: uuid.UUID) -> str:
    return f"file-review:{case_id}"


def score_file(
    session: Session,
    context: CaseContext,
    policy: FileReviewPolicy,
    principal: Principal,
    case: Case,
    deductions: list[Deduction],
    now: datetime,
) -> FileReviewScore:
    lock_case(session, case)
    if case.state not in closed_states(context):
        raise RuleOfLawRefusal(
            "only a closed and archived file is reviewed",
            "案卷评查的对象是已结案归档的案卷",
            basis=LegalBasis(GUANGDONG_FILE_REVIEW, 6),
        )
    _require_independent(session, principal, case)
    if any(d.points <= 0 or not d.reason.strip() or not d.item.strip() for d in deductions):
        raise InvalidInput(
            "each deduction names its item, its points (> 0) and its reason", "每项扣分须写明项目、分值和理由"
        )
    assessment, _ = assess_file(session, context, policy, case)
    round_ = assessment.round
    if assessment.final:
        if assessment.grade is not Grade.FAIL:
            raise RuleOfLawRefusal(
                f"the file is graded ({assessment.grade.value}); only a failed file is reviewed again",
                "案卷已评定等次，仅不合格案卷可以复评",
                basis=LegalBasis(GUANGDONG_FILE_REVIEW, 12),
                extra={"guard": "re_review_of_failed_file_only"},
            )
        round_ += 1
    if any(r.reviewer == principal.actor for r in assessment.reviewers if r.round == round_):
        raise RuleOfLawRefusal(
            "you have already scored this file in this round",
            "您已在本轮评查中对该案卷评分",
            basis=LegalBasis(GUANGDONG_FILE_REVIEW, 10, 2),
        )
    score = max(0, 100 - sum(d.points for d in deductions))
    agency = agency_of(session, principal.agency_id)
    record(
        session,
        agency_ref(agency),
        stream=file_review_stream(case.id),
        type=SCORED,
        actor=principal.actor,
        at=now,
        body={
            "case_id": case.id,
            "round": round_,
            "reviewer": principal.actor,
            "score": score,
            "deductions": [{"item": d.item, "points": d.points, "reason": d.reason.strip()} for d in deductions],
        },
    )
    found = session.get(FileReviewScore, (case.id, round_, principal.actor))
    assert found is not None
    return found


def _require_independent(session: Session, principal: Principal, case: Case) -> None:
    """第十条: a reviewer who may affect a fair review is recused — here, anyone who acted on the case."""
    acted = session.scalar(
        select(LedgerEntry.id).where(
            LedgerEntry.agency_id == case.agency_id,
            LedgerEntry.stream == case_stream(case.id),
            LedgerEntry.actor == principal.actor,
        )
    )
    officer = officer_of_user(session, principal.user_id)
    assigned = officer is not None and (
        session.scalar(
            select(CaseOfficer.case_id).where(CaseOfficer.case_id == case.id, CaseOfficer.officer_id == officer.id)
        )
        is not None
    )
    if acted is None and not assigned:
        return
    raise RuleOfLawRefusal(
        "a reviewer who acted on the case does not review its file",
        "参与办理本案的人员不得评查本案案卷，应当回避",
        basis=LegalBasis(GUANGDONG_FILE_REVIEW, 10),
        extra={"guard": "reviewer_independent"},
    )


@projector(SCORED)
def _scored(session: Session, entry: EntryContent) -> None:
    body = entry.body
    session.add(
        FileReviewScore(
            case_id=uuid.UUID(body["case_id"]),
            round=int(body["round"]),
            reviewer=body["reviewer"],
            agency_id=entry_agency_id(session, entry),
            score=int(body["score"]),
            deductions=list(body["deductions"]),
            scored_at=entry.recorded_at,
        )
    )
