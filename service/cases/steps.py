"""The step registry: every step of a procedure declared once, with everything that gives it meaning.

A step is named by a transition (or in-state act) of the workflow files (policies/workflows/*.yaml), which say
*when* it may be taken: from which states, to which state, with which permission, under which guards and
articles. The registry says *what it is*:

- ``payload`` — the strict model of the data it takes (service/cases/payloads.py), its documented contract;
- ``effect`` — what it changes in the typed, immutable case file (a pure function of service/cases/casefile.py);
- ``investigating`` — the officers acting join the case's investigators (who may then not chair its hearing);
- ``assigns_officers`` — the officers acting are assigned to the case, so it appears in their lists;
- ``names_officers`` — data fields naming an officer, who must be an active officer of the agency (第四十二条);
- ``prepare`` — what the database adds to the recorded data (a review request freezes the case's chain head);
- ``numbers_case`` — the follow-up of giving the case its number (立案, or a decision on the spot).

Every step's entry also records the deadlines the case runs against after it (service/cases/schedule.py).
At start-up ``check_against_workflows`` compares the registry with the workflow files: a transition without a
step, or a step no workflow has, stops the service with a message naming both.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, cast

from pydantic import BaseModel
from sqlalchemy.orm import Session

from service.cases import casefile
from service.cases import payloads as p
from service.cases.context import CaseContext
from service.cases.models import Case
from service.cases.review_requests import collective_discussion_data, review_request_data
from service.cases.setter_approval import approval_document
from service.cases.workflow import Procedure, Workflow

# What the database adds to a step's validated data before it is recorded.
Prepare = Callable[[Session, CaseContext, Case, dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class Step:
    name: str
    payload: type[BaseModel]
    effect: casefile.Effect = casefile.no_change
    investigating: bool = False
    assigns_officers: bool = False
    names_officers: tuple[str, ...] = ()
    prepare: Prepare | None = None
    numbers_case: bool = False

    def act(self, file: casefile.CaseFile, act: casefile.Act) -> casefile.CaseFile:
        """The case file after this step was taken as ``act`` records it."""
        return casefile.apply(file, self.effect, act, investigating=self.investigating)

    def judged(self, session: Session, file: casefile.CaseFile, act: casefile.Act) -> casefile.CaseFile:
        """:meth:`act`, for the step being judged: the file it makes is kept in ``session`` for its projector."""
        after = self.act(file, act)
        session.info[_JUDGED] = (self.name, file, act, after)
        return after

    def recorded(self, session: Session, file: casefile.CaseFile, act: casefile.Act) -> casefile.CaseFile:
        """:meth:`act`, for the projector of the entry that records the step: the file the step was judged on, if
        this is the step just judged — the same step, the same file (the very object) and an equal act, as the
        entry read back from its bytes has it — and the effect worked out again otherwise (replay, a file or act
        that differs in anything). An effect is a pure function of the file and the act, so the file is the same
        either way: a step does not work its effect out twice (1 % of an inquiry's instructions, bench/README.md,
        stop 48)."""
        judged = session.info.pop(_JUDGED, None)
        if judged is not None and judged[0] == self.name and judged[1] is file and judged[2] == act:
            return cast(casefile.CaseFile, judged[3])
        return self.act(file, act)


# Where a session keeps the file of the step it judged (``Step.judged``), until the step's projector takes it.
_JUDGED = "caseledger.step_judged"


def _review_request(session: Session, context: CaseContext, case: Case, data: dict[str, Any]) -> dict[str, Any]:
    return review_request_data(session, case, data)


def _collective_discussion(session: Session, context: CaseContext, case: Case, data: dict[str, Any]) -> dict[str, Any]:
    return collective_discussion_data(session, case.agency_id, data, context.review_catalogue.quorum)


_STEPS = (
    # 立案 (第五十四条)
    Step("approve_filing", p.Nothing, casefile.filing_approved, numbers_case=True),
    Step("refuse_filing", p.Nothing),
    # 调查取证 (第五十四条、第五十五条)
    Step("record_inquiry", p.FieldRecord, investigating=True, assigns_officers=True),
    Step("record_inspection", p.FieldRecord, investigating=True, assigns_officers=True),
    # 先行登记保存 (第五十六条)
    Step("request_preservation_approval", p.ApprovalRequest, casefile.approval_requested("approve_preservation")),
    Step(
        "approve_preservation",
        p.Nothing,
        casefile.answering_request("approve_preservation", casefile.preservation_approved),
    ),
    Step(
        "register_preservation",
        p.PreservationItems,
        casefile.preservation_registered,
        investigating=True,
        assigns_officers=True,
    ),
    Step("decide_preservation", p.PreservationDecision, casefile.preservation_decided),
    # 查封、扣押 (行政强制法 第十八条、第十九条、第二十一条、第二十四条至第二十八条)
    Step("request_seizure_approval", p.ApprovalRequest, casefile.approval_requested("approve_seizure")),
    Step(
        "approve_seizure", p.SeizureApproval, casefile.answering_request("approve_seizure", casefile.seizure_approved)
    ),
    Step("decide_seizure", p.SeizureDecision, casefile.seizure_decided, investigating=True, assigns_officers=True),
    Step("extend_seizure", p.SeizureExtension, casefile.seizure_extended),
    Step("release_seizure", p.SeizureRelease, casefile.seizure_released, assigns_officers=True),
    Step("confiscate_seized", p.SeizureRef, casefile.seized_confiscated),
    Step("transfer_seized", p.SeizureRef, casefile.seized_transferred),
    # 检测、检验、检疫、技术鉴定 (行政强制法 第二十五条第三款): its days are not the seizure's
    Step("start_seizure_appraisal", p.AppraisalStart, casefile.seizure_appraisal_started),
    Step("end_seizure_appraisal", p.AppraisalEnd, casefile.seizure_appraisal_ended),
    Step("close_investigation", p.InvestigationReport, investigating=True, assigns_officers=True),
    Step("reopen_investigation", p.Nothing),
    # 审查与事先告知 (第五十七条、第四十四条)
    Step("intend_penalty", p.IntendedPenalty, casefile.penalty_intended),
    Step("serve_prior_notice", p.PriorNotice, casefile.prior_notice_served, assigns_officers=True),
    # 陈述、申辩与听证 (第四十五条、第六十三条至第六十五条)
    Step("request_hearing", p.Nothing, casefile.hearing_requested),
    Step("schedule_hearing", p.HearingSchedule, casefile.hearing_scheduled, names_officers=("chair_officer_id",)),
    Step("hold_hearing", p.HearingRecord, casefile.hearing_held),
    Step("record_hearing_waiver", p.Nothing, casefile.hearing_waived),
    Step("record_statement", p.Statement, casefile.statement_recorded),
    Step("record_statement_waiver", p.Nothing, casefile.statement_waived),
    Step("conclude_party_hearing", p.Nothing),
    # 责令改正与复查 (第二十八条)
    Step("order_correction", p.CorrectionOrder, casefile.correction_ordered, assigns_officers=True),
    Step("reinspect_correction", p.Reinspection, casefile.correction_reinspected, assigns_officers=True),
    # 当事人的情节 (第二十九条至第三十三条)
    Step("record_circumstances", p.Circumstances, casefile.circumstances_recorded),
    # 回避 (第四十三条)
    Step("apply_for_recusal", p.RecusalApplication, casefile.recusal_applied, names_officers=("officer_id",)),
    Step("decide_recusal", p.Recusal, casefile.recusal_decided, names_officers=("officer_id",)),
    # 期限、裁量、法制审核、集体讨论 (第六十条、第五十八条、第五十七条第二款)
    Step("request_deadline_extension", p.ApprovalRequest, casefile.approval_requested("extend_decision_deadline")),
    Step(
        "extend_decision_deadline",
        p.Extension,
        casefile.answering_request("extend_decision_deadline", casefile.decision_deadline_extended),
    ),
    Step(
        "request_discretion_departure_approval",
        p.ApprovalRequest,
        casefile.approval_requested("approve_discretion_departure"),
    ),
    Step(
        "approve_discretion_departure",
        p.Nothing,
        casefile.answering_request("approve_discretion_departure", casefile.discretion_departure_approved),
    ),
    # 重庆市规范行政处罚裁量权办法 第十九条第二款: a standard set by the district is departed from with its approval.
    Step(
        "record_standard_setter_approval",
        p.StandardSetterApproval,
        casefile.standard_setter_approval_recorded,
        prepare=approval_document,
    ),
    Step("request_legal_review", p.ReviewRequest, casefile.legal_review_requested, prepare=_review_request),
    Step(
        "record_collective_discussion",
        p.CollectiveDiscussion,
        casefile.collective_discussion_recorded,
        prepare=_collective_discussion,
    ),
    # 决定 (第五十七条、第五十一条、第五十二条)
    Step("decide_penalty", p.PenaltyDecision, casefile.penalty_decided),
    Step(
        "decide_on_the_spot",
        p.OnTheSpotDecision,
        casefile.decided_on_the_spot,
        investigating=True,
        assigns_officers=True,
        numbers_case=True,
    ),
    Step("decide_no_penalty", p.NoPenaltyDecision, casefile.no_penalty_decided),
    Step("decide_order", p.OrderDecision, casefile.order_decided),
    Step("transfer_to_judicial_organs", p.Nothing, casefile.transferred),
    # 送达与执行 (第六十一条、第六十六条至第七十三条)
    Step("serve_decision", p.Service, casefile.decision_served),
    Step("serve_decision_late", p.Service, casefile.decision_served),
    Step("record_payment", p.Payment, casefile.payment_recorded),
    Step("record_execution", p.Execution, casefile.execution_recorded),
    # 分期、暂缓缴纳，催告，申请法院强制执行，终结执行 (第六十六条第二款; 行政强制法 第三十五条、第四十条、第五十三条)
    Step("apply_for_instalments", p.InstalmentApplication, casefile.instalments_applied),
    Step("decide_instalments", p.InstalmentDecision, casefile.instalments_decided),
    Step("serve_reminder", p.Reminder, casefile.reminder_served, assigns_officers=True),
    Step("apply_for_court_execution", p.CourtApplication, casefile.court_execution_applied),
    Step("end_execution", p.ExecutionEnd, casefile.execution_ended),
    # 行政复议、行政诉讼与出庭应诉 (第七条; 行政诉讼法 第三条第三款)
    Step("record_remedy_filed", p.RemedyFiling, casefile.remedy_filed),
    Step("record_remedy_result", p.RemedyResult, casefile.remedy_decided),
    Step("record_court_appearance", p.CourtAppearance, casefile.court_appearance_recorded),
    # 行政机关自行强制执行 (行政强制法 第三十四条至第四十四条) and 执行回转 (第四十一条)
    Step("hear_execution_statement", p.ExecutionStatement, casefile.execution_statement_heard),
    Step("decide_own_execution", p.OwnExecutionDecision, casefile.own_execution_decided),
    Step("announce_demolition", p.DemolitionAnnouncement, casefile.demolition_announced),
    Step(
        "carry_out_own_execution",
        p.ExecutionCarriedOut,
        casefile.own_execution_carried_out,
        assigns_officers=True,
    ),
    Step("record_restitution", p.Restitution, casefile.restitution_recorded),
    # 人民法院准予执行后执行的责令决定 (行政强制法 第五十三条、第五十七条)
    Step("record_court_execution", p.CourtExecuted, casefile.court_execution_carried_out),
    # 结案、归档、撤销、转程序、备案
    Step("close_case", p.Nothing),
    Step("archive_case", p.Nothing),
    Step("withdraw_case", p.Nothing),
    Step("revoke_decision", p.Nothing, casefile.decision_revoked),
    Step("refer_to_general_procedure", p.Nothing),
    Step("file_with_agency", p.Nothing),
)

STEPS: Mapping[str, Step] = {step.name: step for step in _STEPS}
assert len(STEPS) == len(_STEPS), "a step is declared twice"


class StepRegistryError(RuntimeError):
    """The workflow files and the step registry disagree; the service does not start."""


def check_against_workflows(workflows: Mapping[Procedure, Workflow], steps: Mapping[str, Step] = STEPS) -> None:
    """Every transition of every workflow is a declared step, and every declared step a transition."""
    in_workflows = {t.name: w.procedure for w in workflows.values() for t in w.transitions}
    problems = [
        f"the {procedure.value} workflow has a step {name!r} that the step registry does not declare"
        " (service/cases/steps.py)"
        for name, procedure in sorted(in_workflows.items())
        if name not in steps
    ]
    problems += [
        f"the step {name!r} is declared in service/cases/steps.py but no workflow has it"
        for name in sorted(set(steps) - set(in_workflows))
    ]
    if problems:
        raise StepRegistryError("; ".join(problems))
