"""Legal review of major decisions (法制审核, 行政处罚法 第五十八条) and the signed sign-offs.

A review is requested by the case unit (the workflow act ``request_legal_review``, which freezes the chain's
head), taken by a qualified reviewer who did not act on the case, recorded as the ten checks of
国办发〔2018〕118号 item 13 with an opinion, and signed by the reviewer with their own key. The head signs the
decision and the chair the collective discussion's conclusion the same way. Every step is an entry in the
case's chain; the statements signed are built from entries, so a bundle can check them offline.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.agencies.models import Agency
from service.agencies.service import agency_of, agency_ref
from service.auth.principal import Principal
from service.cases.context import CaseContext
from service.cases.locking import case_stream, lock_case
from service.cases.models import Case
from service.errors import Conflict, Forbidden, InvalidInput, NotFound, RuleOfLawRefusal
from service.ledger.canonical import EntryContent, format_instant
from service.ledger.models import LedgerEntry
from service.ledger.projection import projector, record
from service.legal import penalty_law
from service.officers.models import Officer
from service.officers.service import officer_of_user
from service.signing.service import check_signature
from service.signing.statements import statement_bytes

# The ten points a legal review checks (国办发〔2018〕118号 item 13).
TEN_CHECKS = (
    "body_lawful",  # 执法主体是否合法
    "officers_qualified",  # 执法人员是否具备执法资格
    "procedure_lawful",  # 执法程序是否合法
    "facts_clear",  # 案件事实是否清楚
    "evidence_sufficient",  # 证据是否合法充分
    "law_applied_correctly",  # 适用法律法规规章是否准确
    "discretion_proper",  # 裁量基准运用是否适当
    "no_excess_of_power",  # 是否超越执法机关法定权限
    "documents_complete",  # 执法文书是否完备、规范
    "criminal_transfer_considered",  # 违法行为是否涉嫌犯罪、需要移送司法机关
)
OPINIONS = ("agree", "problems_found")


def find_review(case: Case, review_id: uuid.UUID) -> dict[str, Any]:
    for review in case.case_file.reviews:
        if review.review_id == str(review_id):
            return review.model_dump(mode="json", exclude_unset=True)
    raise NotFound("no such review", "审核记录不存在")


def refuse_superseded(case: Case, review: Mapping[str, Any]) -> None:
    """A request followed by a later one (allowed once the case changed after it, ``no_review_open``) is not the
    review the decision waits for: it is not taken or answered any more (第五十八条: the decision to be taken is
    reviewed, as it now stands)."""
    latest = case.case_file.latest_review()
    if latest is not None and latest.review_id != review["review_id"]:
        raise Conflict(
            "a later request for review has superseded this one: review the latest",
            "此后已重新提请法制审核，本次请求已被取代：请审核最新的请求",
            basis=penalty_law(58),
            extra={"latest_review_id": latest.review_id},
        )


def _update_review(session: Session, entry: EntryContent, changes: Mapping[str, Any]) -> None:
    case = session.get(Case, uuid.UUID(entry.body["case_id"]))
    assert case is not None
    file = case.case_file
    reviews = [r.model_dump(mode="json", exclude_unset=True) for r in file.reviews]
    [index] = [i for i, r in enumerate(reviews) if r["review_id"] == entry.body["review_id"]]
    reviews[index] = {**reviews[index], **changes}
    case.keep_file(file.with_changes(reviews=reviews))
    case.updated_at = entry.recorded_at


def _acted_on_case(session: Session, case: Case, principal: Principal, officer: Officer | None) -> bool:
    """Whether the user acted on the case: recorded one of its entries, or is one of its officers."""
    reviews = {"case:legal_review:taken", "case:legal_review:recorded", "case:legal_review:signed"}
    recorded = session.scalar(
        select(func.count())
        .select_from(LedgerEntry)
        .where(
            LedgerEntry.agency_id == case.agency_id,
            LedgerEntry.stream == case_stream(case.id),
            LedgerEntry.actor == principal.actor,
            LedgerEntry.type.not_in(reviews),
        )
    )
    if recorded:
        return True
    if officer is None:
        return False
    file = case.case_file
    involved = set(file.investigators) | set(file.assigned)
    return str(officer.id) in involved


def _signed_reviews_by(session: Session, agency_id: uuid.UUID, principal: Principal) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(LedgerEntry)
            .where(
                LedgerEntry.agency_id == agency_id,
                LedgerEntry.type == "case:legal_review:signed",
                LedgerEntry.actor == principal.actor,
            )
        )
        or 0
    )


def take_review(
    session: Session, context: CaseContext, principal: Principal, case: Case, review_id: uuid.UUID, now: datetime
) -> dict[str, Any]:
    lock_case(session, case)
    review = find_review(case, review_id)
    refuse_superseded(case, review)
    if review.get("taken_by"):
        raise Conflict("the review has already been taken", "该审核已有审核人员承办")
    officer = officer_of_user(session, principal.user_id)
    if _acted_on_case(session, case, principal, officer):
        # The reviewer answers for the opinion; one who investigated would review their own work (第五十八条).
        raise RuleOfLawRefusal(
            "a reviewer who acted on the case may not review it",
            "参与办理本案的人员不得担任本案法制审核人员",
            basis=penalty_law(58),
            extra={"guard": "reviewer_did_not_act"},
        )
    if officer is not None and str(officer.id) in case.case_file.recused:
        raise RuleOfLawRefusal(
            "a recused person may not review the case",
            "已回避人员不得审核本案",
            basis=penalty_law(43),
            extra={"guard": "no_recused_officer"},
        )
    first_time = _signed_reviews_by(session, case.agency_id, principal) == 0
    qualification = officer.legal_qualification_number if officer is not None else None
    if first_time and context.review_catalogue.first_time_reviewer_needs_legal_qualification and not qualification:
        # 第五十八条第二款: 初次从事行政处罚决定法制审核的人员，应当通过国家统一法律职业资格考试取得法律职业资格。
        raise RuleOfLawRefusal(
            "a first-time reviewer must hold the legal professional qualification",
            "初次从事法制审核的人员应当取得法律职业资格",
            basis=penalty_law(58, 2),
            extra={"guard": "reviewer_legally_qualified"},
        )
    record(
        session,
        agency_ref(agency_of(session, principal.agency_id)),
        stream=case_stream(case.id),
        type="case:legal_review:taken",
        actor=principal.actor,
        at=now,
        body={
            "case_id": case.id,
            "review_id": str(review_id),
            "reviewer": principal.actor,
            "first_time": first_time,
            "legal_qualification": qualification,
        },
    )
    return find_review(case, review_id)


@projector("case:legal_review:taken")
def _taken(session: Session, entry: EntryContent) -> None:
    _update_review(session, entry, {"taken_by": entry.body["reviewer"], "taken_at": format_instant(entry.claimed_at)})


def record_opinion(
    session: Session,
    principal: Principal,
    case: Case,
    review_id: uuid.UUID,
    checks: Mapping[str, Mapping[str, str]],
    opinion: str,
    comment: str,
    now: datetime,
) -> dict[str, Any]:
    lock_case(session, case)
    review = find_review(case, review_id)
    refuse_superseded(case, review)
    if review.get("taken_by") != principal.actor:
        raise Forbidden(
            "only the reviewer who took the review records its opinion", "只有承办审核的人员才能出具审核意见"
        )
    if review.get("opinion") is not None:
        raise Conflict("the opinion has already been recorded; a resubmission is a new review", "审核意见已出具")
    missing = [c for c in TEN_CHECKS if c not in checks]
    extra = [c for c in checks if c not in TEN_CHECKS]
    if missing or extra:
        raise InvalidInput(
            f"the ten checks are required exactly: missing {missing}, unknown {extra}", "须逐项填写十项审核内容"
        )
    normalised: dict[str, dict[str, str]] = {}
    for name in TEN_CHECKS:
        result = checks[name].get("result")
        note = str(checks[name].get("comment", "")).strip()
        if result not in ("passed", "problem"):
            raise InvalidInput(f"checks.{name}.result is passed or problem", f"第{name}项结论须为 passed 或 problem")
        if result == "problem" and not note:
            raise InvalidInput(f"checks.{name}: a problem needs a comment", f"第{name}项存在问题时须说明")
        normalised[name] = {"result": result, "comment": note}
    if opinion not in OPINIONS:
        raise InvalidInput(
            "opinion is agree or problems_found", "审核意见须为 agree（同意）或 problems_found（存在问题）"
        )
    if opinion == "agree" and any(c["result"] == "problem" for c in normalised.values()):
        raise InvalidInput("a review that found problems cannot agree", "存在问题的审核不能出具同意意见")
    agency = agency_of(session, principal.agency_id)
    statement = statement_bytes(
        "legal_review",
        {
            "agency": agency.code,
            "case_id": str(case.id),
            "case_number": case.number,
            "review_id": str(review_id),
            "frozen_head": review["frozen_head"],
            "frozen_seq": review["frozen_seq"],
            "draft": review["draft"],
            "reviewer": principal.actor,
            "checks": normalised,
            "opinion": opinion,
            "comment": comment.strip(),
            "time": format_instant(now),
        },
    )
    record(
        session,
        agency_ref(agency),
        stream=case_stream(case.id),
        type="case:legal_review:recorded",
        actor=principal.actor,
        at=now,
        body={
            "case_id": case.id,
            "review_id": str(review_id),
            "checks": normalised,
            "opinion": opinion,
            "comment": comment.strip(),
            "statement": base64.b64encode(statement).decode("ascii"),
        },
    )
    return find_review(case, review_id)


@projector("case:legal_review:recorded")
def _recorded(session: Session, entry: EntryContent) -> None:
    body = entry.body
    _update_review(
        session,
        entry,
        {
            "checks": body["checks"],
            "opinion": body["opinion"],
            "comment": body["comment"],
            "statement": body["statement"],
            "signed": False,
        },
    )


def sign_review(
    session: Session, principal: Principal, case: Case, review_id: uuid.UUID, key_id: str, signature: str, now: datetime
) -> dict[str, Any]:
    lock_case(session, case)
    review = find_review(case, review_id)
    if review.get("taken_by") != principal.actor:
        raise Forbidden("only the reviewer signs their opinion", "只有审核人员本人可以签署审核意见")
    if review.get("statement") is None:
        raise Conflict("no opinion has been recorded yet", "尚未出具审核意见")
    if review.get("signed"):
        raise Conflict("this opinion is already signed: a signature is accepted once", "该审核意见已签名")
    accepted = check_signature(session, principal, base64.b64decode(review["statement"]), key_id, signature)
    record(
        session,
        agency_ref(agency_of(session, principal.agency_id)),
        stream=case_stream(case.id),
        type="case:legal_review:signed",
        actor=principal.actor,
        at=now,
        body={"case_id": case.id, "review_id": str(review_id), "key_id": key_id, "signature": accepted},
    )
    return find_review(case, review_id)


@projector("case:legal_review:signed")
def _signed(session: Session, entry: EntryContent) -> None:
    _update_review(
        session, entry, {"signed": True, "key_id": entry.body["key_id"], "signature": entry.body["signature"]}
    )


# -- the decision and the collective discussion, signed the same way ----------------------------------------


def _entry_of_type(session: Session, case: Case, types: tuple[str, ...]) -> LedgerEntry:
    entry = session.scalars(
        select(LedgerEntry)
        .where(
            LedgerEntry.agency_id == case.agency_id,
            LedgerEntry.stream == case_stream(case.id),
            LedgerEntry.type.in_(types),
        )
        .order_by(LedgerEntry.stream_seq.desc())
        .limit(1)
    ).first()
    if entry is None:
        raise Conflict("there is nothing of that kind to sign in this case", "本案没有可签署的相应文书")
    return entry


DECISION_TYPES = (
    "case:decision:penalty",
    "case:decision:no_penalty",
    "case:judicial_transfer:made",
    "case:decision:order",  # an order the item's law provides, as the decision (行政处罚法 第二十八条)
)
DISCUSSION_TYPES = ("case:collective_discussion:held",)


def signoff_statement(session: Session, case: Case, purpose: str) -> bytes:
    """The exact bytes the head signs for the decision, or the chair for the collective discussion."""
    agency = session.get(Agency, case.agency_id)
    assert agency is not None
    entry = _entry_of_type(session, case, DECISION_TYPES if purpose == "decision" else DISCUSSION_TYPES)
    file = case.case_file
    signed = file.decision if purpose == "decision" else file.collective_discussion
    # The subject as the file stores it: the bytes signed before the file was typed stay the same.
    subject = signed.model_dump(mode="json", exclude_unset=True) if signed is not None else None
    return statement_bytes(
        purpose,
        {
            "agency": agency.code,
            "case_id": str(case.id),
            "case_number": case.number,
            "entry": base64.b64encode(bytes(entry.entry_hash)).decode("ascii"),
            "entry_seq": entry.stream_seq,
            "subject": subject,
        },
    )


def sign_off(
    session: Session, principal: Principal, case: Case, purpose: str, key_id: str, signature: str, now: datetime
) -> None:
    lock_case(session, case)
    file = case.case_file
    if purpose == "decision":
        if case.state != "decided" or file.decision_signed:
            raise Conflict("there is no unsigned decision to sign", "没有待签署的处理决定")
    else:
        discussion = file.collective_discussion
        if discussion is None or file.discussion_signed:
            raise Conflict("there is no unsigned collective discussion to sign", "没有待签署的集体讨论记录")
        if discussion.chair != str(principal.user_id):
            raise Forbidden("only the chair signs the collective discussion's conclusion", "集体讨论结论须由主持人签署")
    statement = signoff_statement(session, case, purpose)
    accepted = check_signature(session, principal, statement, key_id, signature)
    record(
        session,
        agency_ref(agency_of(session, principal.agency_id)),
        stream=case_stream(case.id),
        type="case:decision:signed" if purpose == "decision" else "case:collective_discussion:signed",
        actor=principal.actor,
        at=now,
        body={
            "case_id": case.id,
            "key_id": key_id,
            "signature": accepted,
            "statement": base64.b64encode(statement).decode("ascii"),
        },
    )


@projector("case:decision:signed", "case:collective_discussion:signed")
def _signed_off(session: Session, entry: EntryContent) -> None:
    case = session.get(Case, uuid.UUID(entry.body["case_id"]))
    assert case is not None
    file = case.case_file
    if entry.type == "case:decision:signed":
        case.keep_file(file.with_changes(decision_signed=True))
    else:
        case.keep_file(file.with_changes(discussion_signed=True))
    case.updated_at = entry.recorded_at
