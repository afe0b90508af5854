"""The kinds of enforcement document (执法文书) caseledger prints, who issues each, and when a case has one.

Numbering follows the SAMR model documents of 2021 (国市监法发〔2021〕42号) for orientation. Who may issue a
kind is a permission of ``policies/roles.yaml``: the officers of a case issue their records and notices, the
head issues what the head decides. Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from service.auth.permissions import Permission
from service.cases.casefile import CaseFile
from service.cases.execution import amount_to_execute
from service.cases.schedule import execution_remedies


class DocumentKind(StrEnum):
    FILING_APPROVAL = "filing_approval"  # 立案审批表
    INSPECTION_RECORD = "inspection_record"  # 现场检查（勘验）笔录
    INQUIRY_RECORD = "inquiry_record"  # 询问笔录
    PRESERVATION_NOTICE = "preservation_notice"  # 先行登记保存证据通知书 (第五十六条), with its 清单
    ORDER_TO_CORRECT = "order_to_correct"  # 责令改正通知书 (第二十八条第一款)
    PRIOR_NOTICE = "prior_notice"  # 行政处罚事先告知书 (第四十四条)
    STATEMENT_RECORD = "statement_record"  # 陈述申辩笔录
    HEARING_NOTICE = "hearing_notice"  # 听证通知书
    HEARING_RECORD = "hearing_record"  # 听证笔录 (第六十四条第八项)
    LEGAL_REVIEW_OPINION = "legal_review_opinion"  # 法制审核意见书 (第五十八条)
    COLLECTIVE_DISCUSSION = "collective_discussion"  # 集体讨论记录 (第五十七条第二款)
    PENALTY_DECISION = "penalty_decision"  # 行政处罚决定书 (第五十九条)
    ON_THE_SPOT_DECISION = "on_the_spot_decision"  # 当场行政处罚决定书 (第五十二条)
    NO_PENALTY_DECISION = "no_penalty_decision"  # 不予行政处罚决定书
    SERVICE_RECEIPT = "service_receipt"  # 送达回证 (第六十一条)
    PAYMENT_REMINDER = "payment_reminder"  # 催告书 (行政强制法 第三十五条)
    SEIZURE_DECISION = "seizure_decision"  # 查封、扣押决定书 (行政强制法 第二十四条)
    SEIZURE_LIST = "seizure_list"  # 查封、扣押清单 (行政强制法 第二十四条第三款: 一式二份)
    SEIZURE_EXTENSION = "seizure_extension"  # 延长查封、扣押期限决定书 (行政强制法 第二十五条第二款)
    SEIZURE_RELEASE = "seizure_release"  # 解除查封、扣押决定书 (行政强制法 第二十八条)
    APPRAISAL_NOTICE = "appraisal_notice"  # 检测（检验、检疫、技术鉴定）期间告知书 (行政强制法 第二十五条第三款)
    OWN_EXECUTION_DECISION = "own_execution_decision"  # 行政强制执行决定书 (行政强制法 第三十七条)
    DEMOLITION_ANNOUNCEMENT = "demolition_announcement"  # 强制拆除公告 (行政强制法 第四十四条)
    CLOSING_APPROVAL = "closing_approval"  # 结案审批表
    DOSSIER = "dossier"  # 卷宗封面、卷内目录、备考表


@dataclass(frozen=True)
class KindRule:
    title: str  # as printed
    issued_with: Permission


RULES: dict[DocumentKind, KindRule] = {
    DocumentKind.FILING_APPROVAL: KindRule("立案审批表", Permission.CASE_APPROVE),
    DocumentKind.INSPECTION_RECORD: KindRule("现场检查笔录", Permission.CASE_ACT),
    DocumentKind.INQUIRY_RECORD: KindRule("询问笔录", Permission.CASE_ACT),
    DocumentKind.PRESERVATION_NOTICE: KindRule("先行登记保存证据通知书", Permission.CASE_ACT),
    DocumentKind.ORDER_TO_CORRECT: KindRule("责令改正通知书", Permission.CASE_ACT),
    DocumentKind.PRIOR_NOTICE: KindRule("行政处罚事先告知书", Permission.CASE_ACT),
    DocumentKind.STATEMENT_RECORD: KindRule("陈述申辩笔录", Permission.CASE_ACT),
    DocumentKind.HEARING_NOTICE: KindRule("听证通知书", Permission.CASE_ACT),
    DocumentKind.HEARING_RECORD: KindRule("听证笔录", Permission.CASE_ACT),
    DocumentKind.LEGAL_REVIEW_OPINION: KindRule("法制审核意见书", Permission.REVIEW_PERFORM),
    DocumentKind.COLLECTIVE_DISCUSSION: KindRule("集体讨论记录", Permission.CASE_DECIDE),
    DocumentKind.PENALTY_DECISION: KindRule("行政处罚决定书", Permission.CASE_DECIDE),
    # 第五十二条: the officers decide on the spot and the decision is filed with the agency.
    DocumentKind.ON_THE_SPOT_DECISION: KindRule("当场行政处罚决定书", Permission.CASE_ACT),
    DocumentKind.NO_PENALTY_DECISION: KindRule("不予行政处罚决定书", Permission.CASE_DECIDE),
    DocumentKind.SERVICE_RECEIPT: KindRule("送达回证", Permission.CASE_ACT),
    DocumentKind.PAYMENT_REMINDER: KindRule("催告书", Permission.CASE_ACT),
    # 行政强制法 第二十四条: made by the officers who seal or seize, and handed to the party on the spot.
    DocumentKind.SEIZURE_DECISION: KindRule("查封、扣押决定书", Permission.CASE_ACT),
    DocumentKind.SEIZURE_LIST: KindRule("查封、扣押清单", Permission.CASE_ACT),
    # 第二十五条第二款, 第二十八条: the head decides to extend or release; the officers tell the party in writing.
    DocumentKind.SEIZURE_EXTENSION: KindRule("延长查封、扣押期限决定书", Permission.CASE_ACT),
    DocumentKind.SEIZURE_RELEASE: KindRule("解除查封、扣押决定书", Permission.CASE_ACT),
    # 第二十五条第三款: the head sends the things for testing; the officers tell the party the period in writing.
    DocumentKind.APPRAISAL_NOTICE: KindRule("检测（检验、检疫、技术鉴定）期间告知书", Permission.CASE_ACT),
    # 第三十七条: the decision is the head's, like the decision it executes; 第四十四条: the announcement is the
    # agency's, approved by the head and posted by the officers.
    DocumentKind.OWN_EXECUTION_DECISION: KindRule("行政强制执行决定书", Permission.CASE_DECIDE),
    DocumentKind.DEMOLITION_ANNOUNCEMENT: KindRule("强制拆除公告", Permission.CASE_ACT),
    DocumentKind.CLOSING_APPROVAL: KindRule("结案审批表", Permission.CASE_APPROVE),
    DocumentKind.DOSSIER: KindRule("卷宗", Permission.CASE_ACT),
}

_NO_PENALTY = {"no_penalty_minor", "no_penalty_not_established"}

# Records a case may hold several of, each printed as its own document: the document names the entry it prints
# (its position on the case's chain). 第四十二条、第五十五条: each inquiry and each inspection is recorded, and
# signed by the one questioned or present, as its own record.
ONE_PER_ENTRY: dict[DocumentKind, str] = {
    DocumentKind.INQUIRY_RECORD: "case:inquiry:recorded",
    DocumentKind.INSPECTION_RECORD: "case:inspection:recorded",
    # 行政强制法 第二十四条: each sealing or seizure has its own decision and list.
    DocumentKind.SEIZURE_DECISION: "case:seizure:decided",
    DocumentKind.SEIZURE_LIST: "case:seizure:decided",
    # 第二十五条第二款: the party is told of an extension in writing, with the reason; 第二十八条: a release is decided.
    DocumentKind.SEIZURE_EXTENSION: "case:seizure:extended",
    DocumentKind.SEIZURE_RELEASE: "case:seizure:released",
    # 第二十五条第三款: each testing or appraisal has its period told to the party in writing.
    DocumentKind.APPRAISAL_NOTICE: "case:seizure:appraisal_started",
    # 第三十七条: the written decision (one per case: the guard own_execution_decision_complete refuses another);
    # 第四十四条: each announcement of a demolition, with the period it gives.
    DocumentKind.OWN_EXECUTION_DECISION: "case:own_execution:decided",
    DocumentKind.DEMOLITION_ANNOUNCEMENT: "case:own_execution:announced",
}


def _fine_outstanding(file: CaseFile) -> bool:
    """A fine decided and served, not yet paid in full: what a reminder (催告) is for."""
    decision = file.decision
    if decision is None or decision.penalty is None or not decision.penalty.fine_fen or decision.served_at is None:
        return False
    paid = file.execution.paid_fen if file.execution is not None else 0
    return paid < amount_to_execute(decision.penalty.fine_fen, execution_remedies(file))


# 市场监督管理行政处罚程序规定 第七十七条 (by analogy, as close_case cites it): the 结案审批表 is filled in when the
# case is to be closed — the decision executed, execution ended by the court, the investigation ended, no penalty
# or a transfer decided. So: the states the procedures close a case from (close_case in policies/workflows/; a
# test holds the two together) — there only once close_case may be taken (documents.service.closing_refusals) —
# and the states a case ends in.
CLOSURE_FROM_STATES = frozenset(  # close_case's
    {"served", "executed", "transferred", "execution_ended", "execution_decided"}
)
CLOSING_STATES = CLOSURE_FROM_STATES | {"closed", "archived", "withdrawn", "revoked"}  # closed, or ended otherwise


def missing_fact(kind: DocumentKind, file: CaseFile, recorded: frozenset[str]) -> str | None:
    """Why the case cannot have this document yet (in Chinese, for the refusal), or None when it can.
    ``recorded`` is the set of entry types on the case's chain."""
    decision = file.decision
    match kind:
        case DocumentKind.INSPECTION_RECORD if "case:inspection:recorded" not in recorded:
            return "尚未记录现场检查"
        case DocumentKind.INQUIRY_RECORD if "case:inquiry:recorded" not in recorded:
            return "尚未记录询问"
        case DocumentKind.PRESERVATION_NOTICE if "case:preservation:registered" not in recorded:
            return "尚未先行登记保存证据"
        case DocumentKind.SEIZURE_DECISION | DocumentKind.SEIZURE_LIST if "case:seizure:decided" not in recorded:
            return "尚未作出查封、扣押决定"
        case DocumentKind.SEIZURE_EXTENSION if "case:seizure:extended" not in recorded:
            return "尚未决定延长查封、扣押期限"
        case DocumentKind.SEIZURE_RELEASE if "case:seizure:released" not in recorded:
            return "尚未决定解除查封、扣押"
        case DocumentKind.APPRAISAL_NOTICE if "case:seizure:appraisal_started" not in recorded:
            return "尚未将查封、扣押的物品送检测、检验、检疫或者技术鉴定"
        case DocumentKind.OWN_EXECUTION_DECISION if "case:own_execution:decided" not in recorded:
            return "尚未作出强制执行决定"
        case DocumentKind.DEMOLITION_ANNOUNCEMENT if "case:own_execution:announced" not in recorded:
            return "尚未公告强制拆除"
        case DocumentKind.HEARING_RECORD if file.hearing.held_at is None:
            return "尚未举行听证"
        case DocumentKind.PAYMENT_REMINDER if not _fine_outstanding(file):
            return "没有已送达而逾期未缴清的罚款"
        # 行政强制法 第三十五条: the reminder is the written act the step serve_reminder records (its guard,
        # performance_overdue, checks the party is in default); the document prints that act.
        case DocumentKind.PAYMENT_REMINDER if "case:reminder:served" not in recorded:
            return "尚未催告（须先记录催告）"
        case DocumentKind.ORDER_TO_CORRECT if file.filed_at is None:
            return "案件尚未立案"
        case DocumentKind.PRIOR_NOTICE if file.notice is None:
            return "尚未作出事先告知"
        # 第五十二条第一款: on the spot the party is told and heard there and then, on the pre-printed decision form;
        # there is no written notice with days to state and defend (第四十四条、第四十五条) to print.
        case DocumentKind.PRIOR_NOTICE if file.summary_form_number is not None:
            return "当场作出的处罚决定已当场告知并听取陈述申辩，载于当场行政处罚决定书，不另制作事先告知书"
        case DocumentKind.STATEMENT_RECORD if "case:statement:recorded" not in recorded:
            return "尚未记录陈述申辩"
        case DocumentKind.HEARING_NOTICE if file.hearing.scheduled_for is None:
            return "尚未安排听证"
        case DocumentKind.LEGAL_REVIEW_OPINION if (review := file.latest_review()) is None or review.opinion is None:
            return "尚无法制审核意见"
        case DocumentKind.COLLECTIVE_DISCUSSION if file.collective_discussion is None:
            return "尚未集体讨论"
        case DocumentKind.PENALTY_DECISION if (
            decision is None or decision.outcome != "penalty" or file.procedure == "summary"
        ):
            return "尚未作出（普通程序的）行政处罚决定"
        case DocumentKind.ON_THE_SPOT_DECISION if decision is None or file.procedure != "summary":
            return "尚未当场作出行政处罚决定"
        case DocumentKind.NO_PENALTY_DECISION if decision is None or decision.outcome not in _NO_PENALTY:
            return "尚未作出不予行政处罚决定"
        case DocumentKind.SERVICE_RECEIPT if file.notice is None and decision is None:
            return "尚无须送达的文书"
        case DocumentKind.CLOSING_APPROVAL if file.state not in CLOSING_STATES:
            return "案件尚未到结案阶段（须决定已送达、执行完毕或终结执行，或已移送、终止调查）"
    return None
