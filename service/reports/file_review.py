"""Case-file review (案卷评查): a 100-point score for each closed case, automatic fails, missing documents.

Modelled on 广东省行政执法案卷评查办法 (the reference texts' file-review rules): below 60 points fails, and
some defects fail a file whatever its score. The documents are the entries a complete file holds. Read-only.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.cases.casefile import decision_of
from service.cases.categories import StateCategory
from service.cases.context import CaseContext
from service.cases.items import item_rules
from service.cases.models import Case
from service.cases.review_requirement import review_required
from service.catalogue.service import item_of
from service.ledger.models import LedgerEntry
from service.policy.catalogue import PartyType

# (document, the entry types that are it, points it is worth, when it is required)
DOCUMENTS: tuple[tuple[str, tuple[str, ...], int, str], ...] = (
    ("案件来源登记表", ("case:case:registered",), 5, "always"),
    ("立案审批表", ("case:filing:approved",), 10, "general"),
    ("询问笔录或现场检查笔录", ("case:inquiry:recorded", "case:inspection:recorded"), 10, "general"),
    ("证据材料", ("case:evidence:collected",), 10, "general"),
    ("先行登记保存审批及决定", ("case:preservation:approved", "case:preservation:decided"), 5, "preservation"),
    ("调查终结报告", ("case:investigation:closed",), 10, "general"),
    ("行政处罚事先告知书", ("case:prior_notice:served",), 10, "penalty"),
    (
        "陈述申辩记录或放弃记录",
        ("case:statement:recorded", "case:statement:waived", "case:party_hearing:concluded"),
        5,
        "penalty",
    ),
    ("听证通知及听证笔录", ("case:hearing:scheduled", "case:hearing:held"), 5, "hearing"),
    ("法制审核意见", ("case:legal_review:signed",), 10, "review"),
    ("集体讨论记录", ("case:collective_discussion:signed",), 5, "discussion"),
    (
        "行政处罚决定书",
        ("case:decision:penalty", "case:decision:no_penalty", "case:summary_decision:made"),
        10,
        "always",
    ),
    ("送达回证", ("case:decision:served", "case:decision:served_late", "case:summary_decision:made"), 5, "decision"),
    ("罚没款票据", ("case:payment:recorded",), 5, "fine"),
    ("结案报告", ("case:closure:approved",), 5, "always"),
)


@dataclass
class FileReview:
    case_id: uuid.UUID
    case_number: str | None
    score: int
    passed: bool
    automatic_fails: list[str] = field(default_factory=list)
    missing_documents: list[str] = field(default_factory=list)


def review_file(session: Session, context: CaseContext, case: Case) -> FileReview:
    rows = session.execute(
        select(LedgerEntry.type, LedgerEntry.canonical)
        .where(LedgerEntry.agency_id == case.agency_id, LedgerEntry.stream == f"case:{case.id}")
        .order_by(LedgerEntry.stream_seq)
    ).all()
    types = {t for t, _ in rows}
    bodies = [(t, json.loads(c)["body"]) for t, c in rows]
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
    applies = {
        "always": True,
        "general": general,
        "preservation": file.preservation is not None,
        "penalty": general and decision is not None and decision.outcome == "penalty",
        "hearing": file.hearing.requested_at is not None,
        "review": needs_review,
        "discussion": file.collective_discussion is not None,
        "decision": decision is not None,
        "fine": bool(penalty and penalty.fine_fen),
    }
    score = 100
    missing = []
    for name, kinds, points, when in DOCUMENTS:
        if applies[when] and not types & set(kinds):
            missing.append(name)
            score -= points
    fails = []
    for entry_type, body in bodies:
        for q in body.get("qualifications") or []:
            if not q.get("ok", True):
                fails.append(f"执法人员不具备执法资格（{entry_type}）")
        check = body.get("check")
        if isinstance(check, dict) and not check.get("ok", True):
            fails.append(f"程序违法（{entry_type}）")
    if general and decision is not None and decision.outcome == "penalty" and "case:prior_notice:served" not in types:
        fails.append("程序违法：未经事先告知作出处罚决定")
    reviews = file.reviews
    if needs_review and not any(r.opinion == "agree" and r.signed for r in reviews):
        fails.append("应当法制审核而未审核或审核未通过")
    if reviews and reviews[-1].opinion == "problems_found" and decision is not None:
        fails.append("法制审核提出的问题未整改即作出决定")
    passed = not fails and score >= 60
    return FileReview(case.id, case.number, max(score, 0) if not fails else 0, passed, sorted(set(fails)), missing)


def review_files(session: Session, context: CaseContext, agency_id: uuid.UUID, year: int | None) -> list[FileReview]:
    closed = {s.value for w in context.workflows.values() for s in w.in_category(StateCategory.CLOSED)}
    query = select(Case).where(Case.agency_id == agency_id, Case.state.in_(sorted(closed)))
    out = []
    for case in session.scalars(query.order_by(Case.registered_at)):
        if year is not None and (case.closed_at is None or case.closed_at.year != year):
            continue
        out.append(review_file(session, context, case))
    return out
