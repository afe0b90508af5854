"""What the steps of a procedure take: strict payload models, one per kind of act.

A step's ``data`` is validated by its model — unknown keys refused at every depth, numbers and booleans not
coerced from strings — and dumped as JSON into exactly what its ledger entry records (the shape the step's
effect in ``casefile`` reads). The models are the steps' documented contract: the step registry
(service/cases/steps.py) names each step's model, each step has its own route and schema in the OpenAPI
document, and ``GET /api/v1/procedures/{procedure}`` returns them as JSON Schema.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
    field_serializer,
    field_validator,
    model_validator,
)

from service.cases.guards import AgeAtAct, Harm, MentalCapacity, Mitigation, Penalty
from service.ledger.canonical import format_instant
from service.policy.catalogue import PenaltyKind

_STRICT = ConfigDict(extra="forbid")

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
OptionalText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000)]
FEN_DESCRIPTION = "an amount in fen (1 yuan = 100 fen)"
Fen = Annotated[StrictInt, Field(ge=0, le=10**13, description=FEN_DESCRIPTION)]


class Nothing(BaseModel):
    """This step takes no data."""

    model_config = _STRICT


class PenaltyIn(BaseModel):
    """A penalty: its kinds (第九条) and amounts in fen."""

    model_config = _STRICT
    kinds: list[PenaltyKind] = Field(min_length=1, max_length=10)
    fine_fen: Fen = 0
    confiscated_value_fen: Fen = 0

    @field_validator("kinds")
    @classmethod
    def _recorded_in_order(cls, kinds: list[PenaltyKind]) -> list[PenaltyKind]:
        return sorted(kinds)

    @model_validator(mode="after")
    def _kinds_and_amounts_agree(self) -> PenaltyIn:
        """A fine names its amount and an amount its fine; a confiscated value its confiscation (第九条)."""
        self.penalty()
        return self

    def penalty(self) -> Penalty:
        return Penalty(frozenset(self.kinds), self.fine_fen, self.confiscated_value_fen)


class FieldRecord(BaseModel):
    """An inquiry (询问笔录) or an inspection (现场检查笔录)."""

    model_config = _STRICT
    place: Text
    summary: Text
    subject: OptionalText = Field(default="", description="who was asked, for an inquiry")


class PreservationItems(BaseModel):
    model_config = _STRICT
    items: Text = Field(description="the evidence preserved by registration (先行登记保存清单)")


class PreservationDecision(BaseModel):
    model_config = _STRICT
    measure: Text = Field(description="what is decided on the preserved evidence within 7 days (第五十六条)")


class ApprovalRequest(BaseModel):
    """An officer's request for the head's approval: why it is needed (e.g. the evidence may be lost, 第五十六条)."""

    model_config = _STRICT
    grounds: Text = Field(description="why the approval is needed, as the head will read it")


class SeizureApproval(BaseModel):
    """The head's approval of a sealing or seizure (行政强制法 第十八条第一项, 第十九条)."""

    model_config = _STRICT
    seizure: Annotated[StrictInt, Field(ge=1, le=10_000)] | None = Field(
        default=None,
        description="empty: approval before the next seizure is taken; a number: approval afterwards of the urgent "
        "seizure taken on the spot with that number, within 24 hours (第十九条)",
    )


class SeizedThingIn(BaseModel):
    """One place, facility or thing to seal or seize, and what 行政强制法 第二十三条 requires of it: involved in the
    case, no necessity of life, not already sealed by another state organ.

    Each is identified so that it can be told apart across the agency's cases (one thing is sealed once,
    第二十三条第二款): by its registration number (车牌号、登记证号), its serial number (出厂编号、序列号), its
    address (a place, or a facility fixed to one), or — for a thing with no number of its own — the number of the
    seal or label the officers attach to it (封条、标签编号). Identifiers are compared NFKC-normalised, without
    whitespace, case-folded (guards.seized_thing_key)."""

    model_config = _STRICT
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    quantity: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)] = Field(
        description="how many, with the unit, e.g. 3箱"
    )
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=400)] = ""
    identified_by: Literal["registration_number", "serial_number", "address", "seal_label"] = Field(
        description="what the identifier is: a registration number, a serial number, an address (places and "
        "fixed facilities), or the number of the seal or label attached by the officers (things with no number)"
    )
    identifier: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)] = Field(
        description="the identifier itself, e.g. 渝D12345; one thing is held by one seizure of the agency at a time"
    )
    relation_to_act: Text = Field(
        description="how the thing is involved in the act (第二十三条第一款: 涉案的场所、设施或者财物)"
    )
    necessity_of_life: StrictBool = Field(
        description="a necessity of life of a citizen or the dependants he supports; true is refused (第二十三条第一款)"
    )
    sealed_by_other_organ: StrictBool = Field(
        description="already sealed by another state organ under the law; true is refused (第二十三条第二款)"
    )


class SeizureDecision(BaseModel):
    """The decision to seal or seize and its list (查封、扣押决定书和清单, 行政强制法 第二十四条): the reason, the
    basis and the things; the period is the law's (第二十五条: 30 days)."""

    model_config = _STRICT
    kind: Literal["seal", "seize"] = Field(description="seal (查封) or seize (扣押)")
    reason: Text
    basis: Text = Field(description="the provision that empowers the agency to seal or seize (第二十二条)")
    place: OptionalText = ""
    things: list[SeizedThingIn] = Field(min_length=1, max_length=200)
    urgent: StrictBool = Field(
        default=False, description="taken on the spot in an emergency, to be approved within 24 hours (第十九条)"
    )
    delivered_on_the_spot: StrictBool = Field(
        default=False, description="the decision and the list were handed to the party on the spot (第二十四条)"
    )


class SeizureExtension(BaseModel):
    model_config = _STRICT
    seizure: Annotated[StrictInt, Field(ge=1, le=10_000)]
    calendar_days: Annotated[StrictInt, Field(ge=1, le=365, description="at most 30 (第二十五条)")]
    reason: Text = Field(description="the reason told to the party in writing (第二十五条第二款)")


class SeizureRelease(BaseModel):
    """解除查封、扣押 (行政强制法 第二十八条) and the return of the things."""

    model_config = _STRICT
    seizure: Annotated[StrictInt, Field(ge=1, le=10_000)]
    ground: Literal["no_violation", "unrelated", "decided", "period_ended", "no_longer_needed", "head_disapproved"] = (
        Field(description="第二十八条第一款第一项至第五项, or the head's disapproval of an urgent seizure (第十九条)")
    )
    returned: Text = Field(description="what was returned to the party, and how")


class SeizureRef(BaseModel):
    model_config = _STRICT
    seizure: Annotated[StrictInt, Field(ge=1, le=10_000)]


# -- testing, inspection, quarantine or technical appraisal of seized things (行政强制法 第二十五条第三款) --


class AppraisalNotice(BaseModel):
    """The written notice telling the party the appraisal's period (第二十五条第三款: 应当明确，并书面告知当事人)."""

    model_config = _STRICT
    document: Text = Field(description="the written notice, e.g. its title and number (检测期间告知书)")
    method: Text = Field(description="how it was served on the party, e.g. 直接送达")


class AppraisalStart(BaseModel):
    """Seized things sent for testing, inspection, quarantine or technical appraisal: the seizure's period does
    not run meanwhile (第二十五条第三款). The period is stated and the party told in writing; without either the
    step is refused (guard seizure_appraisal_lawful)."""

    model_config = _STRICT
    seizure: Annotated[StrictInt, Field(ge=1, le=10_000)]
    kind: Literal["testing", "inspection", "quarantine", "technical_appraisal"] = Field(
        description="检测, 检验, 检疫 or 技术鉴定"
    )
    institution: Text = Field(description="who tests or appraises the things")
    calendar_days: Annotated[StrictInt, Field(ge=1, le=365)] | None = Field(
        default=None, description="the period stated to the party, in calendar days from the day after today"
    )
    written_notice: AppraisalNotice | None = Field(default=None, description="the written notice to the party")


class AppraisalEnd(BaseModel):
    model_config = _STRICT
    seizure: Annotated[StrictInt, Field(ge=1, le=10_000)]
    result: Text = Field(description="the result, e.g. the report's number and conclusion (检测报告)")


class InvestigationReport(BaseModel):
    model_config = _STRICT
    report: Text = Field(description="the investigation report (调查终结报告)")


class IntendedPenalty(BaseModel):
    model_config = _STRICT
    penalty: PenaltyIn


class NoticeIn(BaseModel):
    """The prior notice (行政处罚事先告知书) and what it states (第四十四条)."""

    model_config = _STRICT
    penalty: PenaltyIn
    facts: OptionalText = ""
    reasons: OptionalText = ""
    basis: OptionalText = ""
    informs_statement_and_defence: StrictBool = False
    informs_hearing_right: StrictBool = False
    method: OptionalText = Field(default="in_person", description="how it was served; in_person when empty")

    @field_validator("method")
    @classmethod
    def _in_person_unless_said(cls, method: str) -> str:
        return method or "in_person"


class PriorNotice(BaseModel):
    model_config = _STRICT
    notice: NoticeIn


class HearingSchedule(BaseModel):
    model_config = _STRICT
    scheduled_for: AwareDatetime
    chair_officer_id: Annotated[
        uuid.UUID, Field(description="the officer chairing, not an investigator (第六十四条第四项)")
    ]
    place: OptionalText = ""

    @field_serializer("scheduled_for")
    def _as_recorded(self, scheduled_for: datetime) -> str:
        return format_instant(scheduled_for)  # an instant as the ledger writes every instant


class HearingRecord(BaseModel):
    model_config = _STRICT
    record: Text = Field(description="the hearing record (听证笔录)")


class Statement(BaseModel):
    model_config = _STRICT
    summary: Text = Field(description="the party's statement and defence (陈述申辩笔录)")


class RecusalApplication(BaseModel):
    """An application for an officer's recusal (第四十三条): the party's (第二款), or the officer's own, who must
    withdraw (第一款). The head decides it (第三款, ``decide_recusal``); the investigation goes on meanwhile."""

    model_config = _STRICT
    officer_id: uuid.UUID = Field(description="the officer whose recusal is applied for")
    applicant: Literal["party", "officer"] = Field(
        description="party: the party applies (第四十三条第二款); officer: the officer withdraws (第一款)"
    )
    grounds: Text = Field(description="the interest or relation that may affect a fair enforcement, as stated")


class Recusal(BaseModel):
    model_config = _STRICT
    officer_id: uuid.UUID
    recused: StrictBool = True
    requested_by: Literal["officer", "party"] = "officer"


class Extension(BaseModel):
    model_config = _STRICT
    calendar_days: Annotated[StrictInt, Field(ge=1, le=365)]


EntryNumber = Annotated[StrictInt, Field(ge=0, le=10**9, description="an entry's number in the case's chain")]


class PenaltyDecision(BaseModel):
    model_config = _STRICT
    penalty: PenaltyIn
    discretion_statement: OptionalText = Field(default="", description="the discretion reasons (裁量说明)")
    evidence: list[EntryNumber] = Field(
        default_factory=list,
        max_length=500,
        description="the entries of this case (inquiry and inspection records, evidence collected, …) the "
        "decision relies on, by number (第四十条); at least one (guard decision_evidence_recorded)",
    )

    @field_validator("evidence")
    @classmethod
    def _each_once_in_order(cls, evidence: list[int]) -> list[int]:
        return sorted(set(evidence))


class EarlierFine(BaseModel):
    """The decision that already fined the same act (第二十九条)."""

    model_config = _STRICT
    decision: Text = Field(description="the earlier decision: its number and the agency that took it")


class Circumstances(BaseModel):
    """The party's circumstances the decision must consider (第二十九条至第三十三条), as the officers found them."""

    model_config = _STRICT
    age_at_act: AgeAtAct = Field(
        description="adult, aged_14_to_18 (从轻或者减轻, 第三十条), under_14 (不予处罚), or not_applicable for an "
        "organisation"
    )
    mental_capacity: MentalCapacity = Field(
        default=MentalCapacity.FULL,
        description="full; limited (尚未完全丧失辨认或者控制能力, 第三十一条: may be lighter); none (不能辨认或者控制, "
        "不予处罚)",
    )
    mitigations: list[Mitigation] = Field(
        default_factory=list, max_length=5, description="the grounds of 第三十二条 found: the penalty shall be lighter"
    )
    minor_violation: StrictBool = Field(default=False, description="违法行为轻微")
    harm: Harm = Field(description="none (没有造成危害后果), minor (危害后果轻微) or more_than_minor")
    corrected_in_time: StrictBool = Field(default=False, description="及时改正")
    first_violation: StrictBool = Field(default=False, description="初次违法")
    no_fault_proven: StrictBool = Field(
        default=False, description="the party's evidence proves no fault (第三十三条第二款)"
    )
    fined_before: EarlierFine | None = Field(
        default=None, description="the same act was already fined (第二十九条: not fined twice)"
    )
    findings: Text = Field(description="how they were established: the records and documents relied on")

    @field_validator("mitigations")
    @classmethod
    def _each_once_in_order(cls, mitigations: list[Mitigation]) -> list[Mitigation]:
        return sorted(set(mitigations))


class CorrectionOrder(BaseModel):
    """An order to correct (责令改正通知书, 第二十八条): one of the item's measures, what to do, by when."""

    model_config = _STRICT
    measure: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)] = Field(
        description="the code of one of the item's measures in the catalogue, e.g. order_correct"
    )
    requirement: Text = Field(description="what the party must do")
    deadline: date = Field(description="the last day to correct")


class Reinspection(BaseModel):
    """The re-inspection after an order to correct (复查): corrected or not, and what was found."""

    model_config = _STRICT
    corrected: StrictBool
    findings: Text


class OnTheSpotNotice(BaseModel):
    """What the officers tell the party on the spot before deciding: the facts, reasons and basis, and the right
    to state and defend (第四十四条, which the summary procedure keeps: 第五十二条第一款)."""

    model_config = _STRICT
    facts: Text
    reasons: Text
    basis: Text
    informs_statement_and_defence: StrictBool = False


class OnTheSpotDecision(BaseModel):
    model_config = _STRICT
    penalty: PenaltyIn
    form_number: Text = Field(description="the number of the pre-printed decision form (第五十二条)")
    notice: OnTheSpotNotice
    defence: OptionalText = Field(default="", description="the party's statement and defence, heard on the spot")
    defence_waived: StrictBool = Field(default=False, description="the party declined to state or defend")


class NoPenaltyDecision(BaseModel):
    model_config = _STRICT
    outcome: Literal["no_penalty_minor", "no_penalty_not_established"]


class OrderDecision(BaseModel):
    """The decision is an order the item's law provides (第二十八条; 城乡规划法 第六十五条: 责令限期改正)."""

    model_config = _STRICT
    measure: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)] = Field(
        description="the code of one of the item's measures in the catalogue, e.g. order_correct_within_time"
    )
    requirement: Text = Field(description="what the party must do")
    deadline: date = Field(description="the last day to comply")


class Service(BaseModel):
    model_config = _STRICT
    on_the_spot: StrictBool = False
    method: OptionalText = ""


class Payment(BaseModel):
    """A payment: to the bank, recorded from its receipt (第六十七条); or collected on the spot on a ground of
    第六十八条、第六十九条, against the special receipt of the finance department (第七十条)."""

    model_config = _STRICT
    amount_fen: Annotated[StrictInt, Field(gt=0, le=10**13)]
    paid_on: date
    receipt: Text = Field(description="the bank's receipt number, or the special receipt's when collected on the spot")
    collected_on_the_spot: StrictBool = False
    on_the_spot_ground: Literal["hard_to_execute_later", "remote_area_on_party_request"] | None = Field(
        default=None,
        description="why payment elsewhere is truly hard: 第六十八条第二项, or 第六十九条 on the party's request; "
        "not needed for a fine of at most 100 yuan decided on the spot (第六十八条第一项)",
    )


class Execution(BaseModel):
    model_config = _STRICT
    non_fine_penalties_performed: StrictBool = False


class StandardSetterApproval(BaseModel):
    """The approval of a departure from the discretion standard by the body that set it — the district's
    department, for a delegated item (重庆市规范行政处罚裁量权办法 第十九条第二款). Its document is uploaded first
    (POST /api/v1/cases/{id}/evidence, kind ``documentary``); the entry carries that file's SHA-256."""

    model_config = _STRICT
    evidence_id: uuid.UUID = Field(description="the uploaded approval document (an evidence id of this case)")
    approving_body: Text = Field(description="the body that approved: the one that set the standard (the catalogue)")
    approver: Text = Field(description="who signed the approval for that body")
    approved_on: date
    reference_number: Text = Field(max_length=100, description="the approval's reference number (文号)")


class ReviewRequest(BaseModel):
    model_config = _STRICT
    materials: OptionalText = Field(default="", description="the materials submitted for review")


class CollectiveDiscussion(BaseModel):
    """The record of the heads' collective discussion (集体讨论记录, 第五十七条第二款)."""

    model_config = _STRICT
    held_on: date
    attendees: list[uuid.UUID] = Field(min_length=1, max_length=50, description="user ids of those present")
    opinions: dict[uuid.UUID, Text] = Field(description="each attendee's opinion, by user id")
    conclusion: Text
    chair: uuid.UUID = Field(description="the user id of the head who chaired")


# --- execution and remedies (第六十六条; 行政强制法 第三十五条、第四十条、第五十三条; 行政复议法、行政诉讼法) ---


class InstalmentIn(BaseModel):
    model_config = _STRICT
    due_on: date = Field(description="the last day to pay this instalment")
    amount_fen: Annotated[StrictInt, Field(gt=0, le=10**13)]


class InstalmentApplication(BaseModel):
    """The party's application to pay in instalments or later (分期、暂缓缴纳罚款, 第六十六条第二款)."""

    model_config = _STRICT
    kind: Literal["instalments", "deferral"]
    plan: list[InstalmentIn] = Field(
        min_length=1, max_length=36, description="the days and amounts proposed; a deferral has one"
    )
    hardship: Text = Field(description="the party's economic hardship (确有经济困难), as stated in the application")


class InstalmentDecision(BaseModel):
    """The head approves or refuses the application; a refusal states its reason (the request's reason)."""

    model_config = _STRICT
    approved: StrictBool


class Reminder(BaseModel):
    """A reminder (催告书, 行政强制法 第三十五条) served in writing: ten working days to perform (第五十四条)."""

    model_config = _STRICT
    method: Text = Field(description="how it was served, e.g. 直接送达")
    perform_by: date | None = Field(
        default=None,
        description="the last day to perform, which a reminder before the agency's own execution states "
        "(第三十五条第一项); a fine's reminder gives the ten working days of 第五十四条",
    )


class CourtApplication(BaseModel):
    """The application to the people's court for compulsory execution (行政强制法 第五十三条、第五十四条)."""

    model_config = _STRICT
    court: Text = Field(description="the competent people's court applied to")


class ExecutionEnd(BaseModel):
    """Why execution ends (终结执行, 行政强制法 第四十条), or the court's refusal to execute (第五十八条)."""

    model_config = _STRICT
    ground: Literal[
        "party_died_without_estate",  # 第四十条第一项
        "organisation_ended_without_property",  # 第四十条第二项
        "object_lost",  # 第四十条第三项
        "decision_revoked",  # 第四十条第四项
        "other_ground",  # 第四十条第五项
        "court_refused",  # 第五十八条第三款: 裁定不予执行
    ]


class RemedyFiling(BaseModel):
    """An administrative reconsideration or lawsuit the party brought against the decision (第七条)."""

    model_config = _STRICT
    kind: Literal["reconsideration", "lawsuit"]
    body: Text = Field(description="the reconsideration body or the court")
    filed_on: date
    execution_suspended: StrictBool = Field(
        default=False,
        description="execution suspended by the body or court (第七十三条第一款: 法律另有规定的除外)",
    )


class RemedyResult(BaseModel):
    """The result of the pending reconsideration or lawsuit, and what the agency did after."""

    model_config = _STRICT
    result: Literal["upheld", "changed", "revoked", "confirmed_illegal"]
    decided_on: date
    document: Text = Field(description="the number of the reconsideration decision or judgment")
    changed_fine_fen: Fen | None = Field(default=None, description="the fine as changed; only for a changed result")
    follow_up: OptionalText = Field(default="", description="what the agency did after the result")

    @model_validator(mode="after")
    def _changed_names_its_fine(self) -> RemedyResult:
        if (self.result == "changed") != (self.changed_fine_fen is not None):
            raise ValueError("changed_fine_fen is given exactly when the result is changed")
        return self


class CourtAppearance(BaseModel):
    """The head's appearance in court for the lawsuit (出庭应诉, 行政诉讼法 第三条第三款)."""

    model_config = _STRICT
    appeared_on: date
    court: Text
    note: OptionalText = ""


# --- the agency's own compulsory execution (行政强制法 第三十四条至第四十四条) and restitution (第四十一条) ---


class ExecutionStatement(BaseModel):
    """The party's statement and defence after the reminder, recorded and re-examined (行政强制法 第三十六条)."""

    model_config = _STRICT
    statement: OptionalText = Field(
        default="", description="what the party stated, with the facts, reasons and evidence; empty: none given"
    )
    review: Text = Field(description="the agency's re-examination (复核) of what the party gave")
    accepted: StrictBool = Field(description="the party's facts, reasons or evidence hold, and are adopted")


class OwnExecutionDecision(BaseModel):
    """The written compulsory execution decision (行政强制执行决定书, 行政强制法 第三十七条): the grounds and basis,
    the manner and time, the ways and periods of remedy; the party is the case's."""

    model_config = _STRICT
    manner: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)] = Field(
        description="the measure executed, one the item's law lets the agency execute itself, e.g. demolish"
    )
    grounds: Text = Field(description="强制执行的理由: the order unperformed after the reminder")
    basis: Text = Field(description="强制执行的依据: the provisions relied on")
    execute_on: date = Field(description="强制执行的时间: the day from which it is carried out")
    how: Text = Field(description="强制执行的方式: how it is carried out")
    remedies: Text = Field(description="申请行政复议或者提起行政诉讼的途径和期限")
    served_by: Text = Field(description="how the decision was served on the party (第三十八条: directly)")


class DemolitionAnnouncement(BaseModel):
    """The announcement of a demolition giving the party a period to demolish themselves (第四十四条)."""

    model_config = _STRICT
    text: Text = Field(description="the announcement (公告)")
    posted_at: Text = Field(description="where it was posted")
    demolish_by: date = Field(description="the last day for the party to demolish themselves")


Supply = Literal["water", "power", "heat", "gas"]


class ExecutionCarriedOut(BaseModel):
    """The execution carried out (执行笔录): what was done, by whom, and any urgency (第四十三条)."""

    model_config = _STRICT
    record: Text = Field(description="the execution record: what was done and found")
    emergency: OptionalText = Field(
        default="", description="why it could not wait for day or a working day (第四十三条第一款: 情况紧急)"
    )
    supplies_cut: list[Supply] = Field(
        default_factory=list,
        max_length=4,
        description="supplies to the dwelling cut to force the party (第四十三条第二款 forbids it)",
    )


class Restitution(BaseModel):
    """Restitution after the decision executed was changed or revoked (行政强制法 第四十一条): money refunded,
    things returned, the former state restored, or, where that cannot be, compensation."""

    model_config = _STRICT
    kind: Literal["refund", "return_property", "restore", "compensate"]
    what: Text = Field(description="what was refunded, returned, restored or compensated, and how")
    amount_fen: Fen = Field(default=0, description="the amount refunded or compensated")
    done_on: date


# --- an order executed by the people's court (行政强制法 第五十三条、第五十七条) ---


class CourtExecuted(BaseModel):
    """The people's court's ruling to execute an order the agency applied for (执行裁定, 行政强制法 第五十七条) and
    its execution, recorded from the court's documents. A fine executed by the court is recorded from the money it
    collected (record_payment, then record_execution)."""

    model_config = _STRICT
    ruling: Text = Field(description="the court's ruling to execute (准予执行的行政裁定书), by its number")
    ruled_on: date = Field(description="the day of the ruling")
    carried_out_on: date = Field(description="the day the order was executed")
    record: Text = Field(description="what was executed, as the court's or the executing body's record states")
