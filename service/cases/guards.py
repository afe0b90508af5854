"""Guards: the named pure rules a case transition requires, over the facts of the case.

A guard is a function of ``CaseFacts`` and the workflow's ``Periods``. It returns ``None`` when its rule
holds, or a ``Refusal`` saying why not, in English and Chinese, with the article. ``GUARDS`` names every
guard; a workflow file cites guards by these names and the loader refuses any other. A missing fact fails
the rule that needs it: a guard never passes for want of information.

The database layer builds ``CaseFacts`` from the ledger at the moment of the act. Facts that take judgement
— whether a legal review is required (第五十八条), whether the case is complex or major (第五十七条第二款) —
arrive computed, as booleans; the guards only enforce them. Money is integer fen.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from itertools import pairwise
from types import MappingProxyType

from service.cases.deadlines import (
    PERIOD_NAMES,
    SEIZURE_DAYS,
    SEIZURE_EXTENSION_MAX_DAYS,
    DeadlineExtension,
    Periods,
    SeizureAppraisal,
    appraisals_days,
    decision_deadline,
    earliest_hearing_date,
    hearing_request_deadline,
    payment_due_date,
    preservation_decision_deadline,
    seizure_last_day,
    service_deadline,
    statement_deadline,
)
from service.cases.execution import (
    Instalment,
    Owed,
    Remedy,
    amount_to_execute,
    court_application_deadline,
    instalments_due,
    overdue_since,
    owed,
    remedy_periods_end,
    reminder_period_end,
)
from service.cases.schedule import party_keeps_the_later
from service.legal import ADMINISTRATIVE_LITIGATION_LAW, LegalBasis, coercion_law, penalty_law
from service.officers.qualification import Qualification
from service.policy.calendar import SHANGHAI, WorkdayCalendar, local_date
from service.policy.catalogue import (
    CONFISCATION_KINDS,
    HEARING_ALWAYS_KINDS,
    SUMMARY_FINE_LIMIT_FEN,
    SUMMARY_PENALTY_KINDS,
    PartyType,
    PenaltyKind,
)

CHONGQING_DISCRETION_RULES = "重庆市规范行政处罚裁量权办法"

_PARTY = {"individual": ("a citizen", "公民"), "organisation": ("an organisation", "法人或者其他组织")}


def _require_aware(at: datetime, what: str) -> None:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware, got the naive {at.isoformat()}")


def money_en(fen: int) -> str:
    """``25,000 fen (250 yuan)``: the amount as stored, and as a person reads it."""
    yuan, cents = divmod(fen, 100)
    return f"{fen:,} fen ({yuan:,}{f'.{cents:02d}' if cents else ''} yuan)"


def money_zh(fen: int) -> str:
    yuan, cents = divmod(fen, 100)
    return f"{yuan}{f'.{cents:02d}' if cents else ''}元（{fen}分）"


# --- the facts ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FineRange:
    """An inclusive range of fines in fen."""

    min_fen: int
    max_fen: int

    def __post_init__(self) -> None:
        if not 0 <= self.min_fen <= self.max_fen:
            raise ValueError(f"a fine range needs 0 <= min_fen <= max_fen, got [{self.min_fen}, {self.max_fen}]")

    def contains(self, fen: int) -> bool:
        return self.min_fen <= fen <= self.max_fen


@dataclass(frozen=True)
class DiscretionBand:
    """A level (裁量阶次) of the item's published discretion standard (重庆市规范行政处罚裁量权办法 第十一条)."""

    code: str
    level_zh: str  # 减轻, 从轻, 一般, 从重
    penalty_kinds: frozenset[PenaltyKind]
    fines: Mapping[PartyType, FineRange]  # absent: the level fines no party of that type


@dataclass(frozen=True)
class ItemRules:
    """What the guards need of a catalogue item (service/policy/catalogue.py); the case layer maps one onto it."""

    code: str
    penalty_kinds: frozenset[PenaltyKind]
    statutory_fines: Mapping[PartyType, FineRange]  # absent: the law fines no party of that type
    discretion: tuple[DiscretionBand, ...]
    hearing_threshold_fen: Mapping[PartyType, int]  # 较大数额 (第六十三条第一款第一项、第二项)
    hearing_always_for: frozenset[PenaltyKind]  # the item's kinds that always give a hearing right
    single_officer_allowed_by: LegalBasis | None  # 第四十二条 “法律另有规定的除外”
    required_kinds: Mapping[PartyType, frozenset[PenaltyKind]]  # 并处, or no alternative to a fine
    time_bar_years: int  # 第三十六条: 2, or 5 for all cases of the item
    time_bar_years_if_harm: int | None  # 第三十六条: 5 where life, health or financial safety is harmed
    measures: frozenset[str]  # the orders that are not penalties (责令改正……, 第二十八条), by code
    # 第三十三条第一款: the item is on the agency's published first-violation no-penalty list (首违不罚清单), which
    # turns the law's “可以不予行政处罚” into the agency's rule for the item.
    first_violation_no_penalty: bool = False
    # 重庆市规范行政处罚裁量权办法 第十九条第二款: the body above the agency that set the item's discretion standard
    # (the district's department, for a delegated item); None when the agency applies its own (第一款).
    discretion_set_by: str | None = None
    # 行政强制法 第十三条、第三十四条: the compulsory execution a law lets the agency carry out itself; None: the
    # agency applies to the people's court (第五十三条).
    own_execution: OwnExecutionPower | None = None


@dataclass(frozen=True)
class SetterApproval:
    """The approval of a departure from the discretion standard by the body that set it (办法 第十九条第二款), as the
    case file records it: the body and person who approved, when, its reference number, the uploaded document."""

    body: str
    approver: str
    approved_on: date
    reference_number: str
    document_sha256: str


@dataclass(frozen=True)
class OwnExecutionPower:
    """The manners of compulsory execution (the item's measures, by code) a law grants the agency, and that law."""

    manners: frozenset[str]
    basis: LegalBasis


@dataclass(frozen=True)
class Penalty:
    """A penalty intended, proposed or decided: its kinds (第九条) and amounts in fen."""

    kinds: frozenset[PenaltyKind]
    fine_fen: int = 0
    confiscated_value_fen: int = 0

    def __post_init__(self) -> None:
        if not self.kinds:
            raise ValueError("a penalty has at least one kind")
        if (self.fine_fen > 0) != (PenaltyKind.FINE in self.kinds):
            raise ValueError(f"a fine of {self.fine_fen} fen does not match the kinds {sorted(self.kinds)}")
        if self.fine_fen < 0 or self.confiscated_value_fen < 0:
            raise ValueError("amounts of fen are not negative")
        if self.confiscated_value_fen and not self.kinds & CONFISCATION_KINDS:
            raise ValueError("a confiscated value is given but no confiscation is among the kinds")

    def describe_en(self) -> str:
        kinds = ", ".join(sorted(self.kinds))
        return kinds + (f" of {money_en(self.fine_fen)}" if self.fine_fen else "")


class StatementStatus(StrEnum):
    NONE = "none"  # 尚未陈述、申辩
    RECORDED = "recorded"  # 已记录陈述、申辩
    WAIVED = "waived"  # 当事人明确放弃陈述、申辩 (第六十二条)


class DecisionOutcome(StrEnum):
    """The head's determination after the investigation (第五十七条第一款)."""

    PENALTY = "penalty"  # 给予行政处罚
    NO_PENALTY_MINOR = "no_penalty_minor"  # 违法行为轻微，不予行政处罚
    NO_PENALTY_NOT_ESTABLISHED = "no_penalty_not_established"  # 违法事实不能成立，不予行政处罚
    TRANSFERRED = "transferred"  # 涉嫌犯罪，移送司法机关
    ORDER = "order"  # 责令（限期）改正、停止建设等, where the item's law provides only such orders (第二十八条)


@dataclass(frozen=True)
class PriorNotice:
    """The prior notice (行政处罚事先告知书) and what it states (第四十四条)."""

    intended: Penalty
    states_facts: bool
    states_reasons: bool
    states_basis: bool
    informs_statement_and_defence: bool
    informs_hearing_right: bool
    served_at: datetime | None


@dataclass(frozen=True)
class HearingFacts:
    """The hearing (听证) sub-procedure of 第六十四条; all absent until something happens."""

    requested_at: datetime | None = None
    waived: bool = False  # expressly waived, or deemed waived by not attending (第六十四条第六项)
    notified_at: datetime | None = None
    scheduled_for: datetime | None = None
    chair_id: str | None = None
    held_at: datetime | None = None


@dataclass(frozen=True)
class DecisionFacts:
    outcome: DecisionOutcome
    penalty: Penalty | None  # present exactly when the outcome is a penalty
    decided_at: datetime
    served_at: datetime | None  # when the party received it; the 15 days to pay run from here (第六十七条)
    served_on_the_spot: bool  # 宣告后当场交付 (第六十一条第一款); served_at is then the decision's moment

    def __post_init__(self) -> None:
        if (self.penalty is not None) != (self.outcome is DecisionOutcome.PENALTY):
            raise ValueError(
                f"a decision with outcome {self.outcome} {'lacks' if self.penalty is None else 'has'} a penalty"
            )


@dataclass(frozen=True)
class ExecutionFacts:
    """Performance of the decision (第六十六条、第六十七条)."""

    paid_fen: int  # everything paid, fine and late fee
    last_payment_on: date | None
    non_fine_penalties_performed: bool  # confiscation handed over, business stopped, ...
    completed_at: datetime | None  # when execution was recorded complete


@dataclass(frozen=True)
class PreservationFacts:
    """One registered preservation of evidence (先行登记保存, 第五十六条)."""

    approved_at: datetime | None
    registered_at: datetime | None
    decided_at: datetime | None
    decisions: int = 0  # more than one: decided again, which the law does not provide


@dataclass(frozen=True)
class SeizedThingFacts:
    """One line of a seizure's list, with what 行政强制法 第二十三条 requires of it."""

    name: str
    identifier: str  # registration or serial number, address, or seal label (payloads.SeizedThingIn)
    relation_to_act: str  # how it is involved in the act (第二十三条第一款)
    necessity_of_life: bool  # 公民个人及其所扶养家属的生活必需品 (第二十三条第一款)
    sealed_by_other_organ: bool  # 已被其他国家机关依法查封 (第二十三条第二款)


@dataclass(frozen=True)
class AppraisalFacts:
    """Seized things under testing, inspection, quarantine or technical appraisal (第二十五条第三款)."""

    started_at: datetime
    stated_days: int | None  # the period stated; None: not stated
    told_in_writing: bool
    ended_at: datetime | None = None
    endings: int = 0  # its end recorded: once


@dataclass(frozen=True)
class SeizureFacts:
    """One sealing or seizure (查封、扣押, 行政强制法 第二十二条至第二十八条), numbered from 1 in the case."""

    number: int
    approved_at: datetime | None  # the head's approval: before (第十八条第一项), or after an urgent one (第十九条)
    approved_before: bool
    urgent: bool  # taken on the spot in an emergency, to be reported and approved within 24 hours (第十九条)
    decided_at: datetime | None  # the decision, with its list of things (第二十四条); None: approved, not taken
    delivered_on_the_spot: bool  # the decision and the list handed to the party on the spot (第二十四条第一款)
    extensions: int = 0  # 第二十五条: once
    extended_days: int = 0
    extended_at: datetime | None = None
    ended_at: datetime | None = None
    ended_how: str | None = None  # released, confiscated, transferred
    approvals: int = 0  # the head's approvals recorded: one
    endings: int = 0  # releases, confiscations, transfers recorded: one
    things: tuple[SeizedThingFacts, ...] = ()
    appraisals: tuple[AppraisalFacts, ...] = ()  # 第二十五条第三款, in the order started

    @property
    def held(self) -> bool:
        return self.decided_at is not None and self.ended_at is None

    @property
    def appraisal_days(self) -> int:
        """The days of testing or appraisal the seizure's period does not include (第二十五条第三款)."""
        return appraisals_days(
            tuple(SeizureAppraisal(a.started_at, a.stated_days or 0, a.ended_at) for a in self.appraisals)
        )

    def last_day(self, *, extended: bool = True) -> date:
        """The seizure's last day (第二十五条), with its extension unless ``extended`` is false, and its appraisals."""
        assert self.decided_at is not None
        return seizure_last_day(self.decided_at, self.extended_days if extended else 0, self.appraisal_days)


@dataclass(frozen=True)
class TimeBarFacts:
    """When the act happened and when it was discovered (第三十六条): the period runs from the act, or from the
    end of a continuing act, to the registration of the case source."""

    occurred_on: date | None
    continued_until: date | None  # the last day of a continuing or repeated act (连续或者继续状态)
    registered_on: date
    harms_life_health_or_finance: bool  # 涉及公民生命健康安全、金融安全且有危害后果


@dataclass(frozen=True)
class CorrectionFacts:
    """The latest order to correct (责令改正, 第二十八条) and its re-inspection."""

    measure: str
    deadline: date
    ordered_at: datetime
    reinspected_at: datetime | None
    corrected: bool | None
    reinspections: int = 0


@dataclass(frozen=True)
class PaymentFacts:
    """The payment this act records (第六十七条至第七十条)."""

    amount_fen: int
    receipt: str  # the bank's receipt, or the special receipt given for a fine collected on the spot (第七十条)
    collected_on_the_spot: bool
    on_the_spot_ground: str | None  # why payment elsewhere is truly hard (第六十八条第二项、第六十九条)
    recorded_by: str  # the actor
    recording_officers: frozenset[str]


class AgeAtAct(StrEnum):
    """The party's age when the act was done (第三十条); organisations have none."""

    ADULT = "adult"  # 已满十八周岁
    AGED_14_TO_18 = "aged_14_to_18"  # 已满十四周岁不满十八周岁: 应当从轻或者减轻
    UNDER_14 = "under_14"  # 不满十四周岁: 不予行政处罚
    NOT_A_PERSON = "not_applicable"  # 法人或者其他组织


class MentalCapacity(StrEnum):
    """The party's capacity at the act (第三十一条)."""

    FULL = "full"  # including an intermittent mental illness while well: 应当给予行政处罚
    LIMITED = "limited"  # 尚未完全丧失辨认或者控制自己行为能力: 可以从轻或者减轻
    NONE = "none"  # 不能辨认或者不能控制自己行为: 不予行政处罚


class Mitigation(StrEnum):
    """The grounds of 第三十二条 on which the penalty shall be lighter (从轻或者减轻)."""

    REMOVED_HARM = "removed_or_reduced_harm"  # （一）主动消除或者减轻违法行为危害后果
    COERCED = "coerced_or_deceived"  # （二）受他人胁迫或者诱骗实施违法行为
    CONFESSED = "confessed_unknown_acts"  # （三）主动供述行政机关尚未掌握的违法行为
    MERITORIOUS = "meritorious_cooperation"  # （四）配合行政机关查处违法行为有立功表现
    OTHER_LAW = "other_law"  # （五）法律、法规、规章规定其他应当从轻或者减轻行政处罚的


MITIGATION_ITEM = {
    Mitigation.REMOVED_HARM: 1,
    Mitigation.COERCED: 2,
    Mitigation.CONFESSED: 3,
    Mitigation.MERITORIOUS: 4,
    Mitigation.OTHER_LAW: 5,
}


class Harm(StrEnum):
    NONE = "none"  # 没有造成危害后果
    MINOR = "minor"  # 危害后果轻微
    MORE = "more_than_minor"


@dataclass(frozen=True)
class Circumstances:
    """The party's circumstances the law makes the decision consider (第二十九条至第三十三条), as recorded."""

    age: AgeAtAct
    capacity: MentalCapacity
    mitigations: frozenset[Mitigation]
    minor_violation: bool  # 违法行为轻微
    harm: Harm
    corrected_in_time: bool  # 及时改正
    first_violation: bool  # 初次违法
    no_fault_proven: bool  # 有证据足以证明没有主观过错 (第三十三条第二款)
    already_fined_by: str | None  # the decision that already fined the same act (第二十九条)


@dataclass(frozen=True)
class InstalmentFacts:
    """The party's application to pay in instalments or later, and the head's decision (第六十六条第二款)."""

    kind: str  # instalments | deferral
    plan: tuple[Instalment, ...]
    applied_at: datetime
    paid_before_fen: int  # paid before the application: the plan covers the rest
    approved: bool | None  # None while pending
    decided_at: datetime | None = None
    previous: str | None = None  # an application pending or approved that this one would replace


@dataclass(frozen=True)
class OwnExecutionFacts:
    """The agency's own compulsory execution (行政强制法 第三十四条至第四十四条), as far as it went."""

    statement_at: datetime | None = None  # the party's statement and defence heard after the reminder (第三十六条)
    statement_accepted: bool | None = None  # the facts, reasons or evidence the party gave hold: adopted
    decided_at: datetime | None = None  # the written decision (强制执行决定书, 第三十七条)
    manner: str | None = None  # the measure executed, by code (e.g. demolish)
    execute_on: date | None = None  # the time the decision sets (第三十七条第二款第三项)
    decisions: int = 0
    announced_at: datetime | None = None  # the announcement of a demolition (第四十四条)
    demolish_by: date | None = None  # the period it gives the party to demolish themselves
    carried_out_at: datetime | None = None
    emergency: str = ""  # why it could not wait for day or a working day (第四十三条第一款: 情况紧急)
    supplies_cut: tuple[str, ...] = ()  # water, power, heat, gas cut to force performance (第四十三条第二款)


@dataclass(frozen=True)
class RestitutionFacts:
    """What the agency restored, returned, refunded or compensated after the decision executed was set aside
    (恢复原状或者退还财物；不能恢复原状或者退还财物的，依法给予赔偿, 行政强制法 第四十一条)."""

    kind: str  # refund | return_property | restore | compensate
    amount_fen: int


@dataclass(frozen=True)
class CourtExecutedFacts:
    """An order executed on the people's court's ruling (准予执行的裁定, 行政强制法 第五十七条)."""

    ruled_on: date
    carried_out_on: date


@dataclass(frozen=True)
class CaseFacts:
    """Everything a guard reads, as of ``now``. Every field is required: no rule defaults to “fine”."""

    now: datetime
    calendar: WorkdayCalendar
    party_type: PartyType
    item_code: str
    item: ItemRules | None  # the catalogue's rules for item_code; None when the catalogue lacks it
    filed_at: datetime | None
    decision_deadline_extensions: tuple[DeadlineExtension, ...]
    investigators: frozenset[str]  # officer ids who investigated the case
    acting_officers: tuple[Qualification, ...]  # the officers of this act, qualified at ``now`` for the item
    recused_officers: frozenset[str]  # 回避 decided by the head (第四十三条)
    reason: str | None  # the stated reason of a refusal, withdrawal, revocation, extension
    notice: PriorNotice | None
    statement: StatementStatus
    hearing: HearingFacts
    proposed: Penalty | None  # the penalty this act would decide
    review_required: bool  # 第五十八条第一款
    review_passed_and_current: bool  # a passed review of the decision now proposed
    collective_discussion_required: bool  # complex or major (第五十七条第二款), or departing from the standard
    collective_discussion_held: bool
    decision: DecisionFacts | None
    execution: ExecutionFacts | None
    preservation: PreservationFacts | None
    summary_form_number: str | None  # 编有号码的行政处罚决定书 (第五十二条)
    summary_form_used_by: str | None  # another case of the agency that already used this form number
    time_bar: TimeBarFacts | None  # None once the case is filed: the bar is checked at filing
    payment: PaymentFacts | None  # the payment this act records
    correction: CorrectionFacts | None  # the latest order to correct
    deciders: frozenset[str]  # the actor and officers who took the decision (第六十七条第一款)
    discretion_departure_by_principal: bool  # approved by the principal head (办法 第十九条第一款)
    # The decision document bears the head's electronic signature (第五十九条: 盖章; 国办发〔2018〕118号 item 9).
    decision_signed: bool = False
    # The document stating the decision was issued after it was taken (第六十一条: what is served is the 决定书).
    decision_document_issued: bool = False
    # The party's statement as the file stood before this act (``statement`` is after it): a waiver is judged on it.
    statement_before: StatementStatus = StatementStatus.NONE
    # A legal review requested before this act and not answered yet, of the case as it still stands (第五十八条).
    review_open: bool = False
    # The last days of the party's periods as recorded when they were communicated (or revised since): the
    # party keeps the later of these and the date counted now (service/cases/schedule.py: party_keeps_the_later).
    communicated_deadlines: Mapping[str, date] = field(default_factory=dict)
    # Execution and remedies (第六十六条至第七十三条; 行政强制法 第三十五条、第四十条、第五十三条、第五十四条).
    instalments: InstalmentFacts | None = None
    payments_made: tuple[tuple[date, int], ...] = ()  # (paid on, fen) of every payment, fine and late fee
    reminder_served_at: datetime | None = None  # the latest reminder (催告书)
    court_execution_applied: bool = False
    execution_ended_ground: str | None = None  # the ground this act or an earlier one recorded
    remedies: tuple[Remedy, ...] = ()  # reconsiderations and lawsuits, in the order filed
    remedy_result_recorded_now: bool = False  # the latest remedy's result is the one this act records
    court_appearance_on: date | None = None  # the head's appearance this act records
    # Sealings and seizures (查封、扣押, 行政强制法), in the order taken.
    seizures: tuple[SeizureFacts, ...] = ()
    # The seizure the act names (its data's ``seizure``); None: the case's latest, which the act creates or takes.
    seizure_named: int | None = None
    # The things the act would seal or seize that another case of the agency holds under a seizure not yet ended,
    # by seized_thing_key, with where (read only for decide_seizure; 行政强制法 第二十三条第二款).
    seized_elsewhere: Mapping[str, tuple[str, int]] = field(default_factory=dict)  # key: (case number, seizure)
    # The party's circumstances as recorded (record_circumstances; 第二十九条至第三十三条); None until recorded.
    circumstances: Circumstances | None = None
    # The entries of this case the decision cites as its evidence (第四十条), by their number in the case's
    # chain, and the type of every entry of the case by number (read only for a step that cites evidence).
    cited_evidence: tuple[int, ...] = ()
    case_entries: Mapping[int, str] = field(default_factory=dict)
    # The approval of a departure by the body that set the discretion standard (办法 第十九条第二款); None until
    # recorded.
    setter_approval: SetterApproval | None = None
    # The agency's own compulsory execution (行政强制法 第三十四条至第四十四条) and restitution (第四十一条).
    reminder_perform_by: date | None = None  # the period the latest reminder states (第三十五条第一项)
    own_execution: OwnExecutionFacts | None = None
    revoked_by_agency: bool = False  # the agency revoked its own decision (revoke_decision)
    restitutions: tuple[RestitutionFacts, ...] = ()  # in the order recorded, this act's last
    # The application to the court and the order executed on its ruling (行政强制法 第五十三条、第五十七条).
    court_applied_at: datetime | None = None
    court_executed: CourtExecutedFacts | None = None

    def __post_init__(self) -> None:
        _require_aware(self.now, "now")
        if self.item is not None and self.item.code != self.item_code:
            raise ValueError(f"the rules of item {self.item.code} were given for a case on item {self.item_code}")


# --- the registry ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    """Why a guard does not hold; ``basis`` overrides the guard's own article when a narrower one applies."""

    reason_en: str
    reason_zh: str
    basis: LegalBasis | None = None


GuardCheck = Callable[[CaseFacts, Periods], Refusal | None]
# What the case as it stands must hold for any data of a step (named) to pass a guard that the step's data decides
# (which seizure, which appraisal, which outcome): ``None`` when some data could, else why none can.
PossibleCheck = Callable[[CaseFacts, Periods, str], Refusal | None]


@dataclass(frozen=True)
class Guard:
    name: str
    basis: LegalBasis
    needs: frozenset[str]  # the periods of the workflow it reads
    check: GuardCheck
    # Decided by the case as it stands, not by what a step brings (its officers, data or reason): the case
    # view evaluates these to list only the steps that can be taken now.
    standing: bool = False
    # For a guard the step's data decides: what the case must hold for any data to pass it (something sealed or
    # seized, to release a seizure). The case view evaluates it as it does a standing guard, so that it does not
    # offer a step no data could make lawful; a step taken is judged by ``check`` alone, which implies it.
    possible: PossibleCheck | None = None


_REGISTRY: dict[str, Guard] = {}


def _guard(
    name: str, basis: LegalBasis, *needs: str, standing: bool = False, possible: PossibleCheck | None = None
) -> Callable[[GuardCheck], GuardCheck]:
    unknown = set(needs) - PERIOD_NAMES
    if unknown:
        raise ValueError(f"guard {name} needs unknown periods {sorted(unknown)}")
    if standing and possible is not None:
        raise ValueError(f"guard {name} is standing: the case decides it whole, it needs no possible check")

    def register(check: GuardCheck) -> GuardCheck:
        if name in _REGISTRY:
            raise ValueError(f"guard {name} is defined twice")
        _REGISTRY[name] = Guard(name, basis, frozenset(needs), check, standing, possible)
        return check

    return register


def _today(facts: CaseFacts) -> date:
    return local_date(facts.now)


def _party_period(facts: CaseFacts, name: str, counted: date) -> date:
    """The last day of a period communicated to the party: never earlier than the date it was told."""
    return party_keeps_the_later(name, counted, facts.communicated_deadlines.get(name))


def _served_notice(facts: CaseFacts) -> PriorNotice | None:
    notice = facts.notice
    if notice is None or notice.served_at is None or notice.served_at > facts.now:
        return None
    return notice


_NO_DECISION = Refusal("No decision has been made.", "尚未作出决定。", penalty_law(57))
_NO_NOTICE = Refusal(
    "No prior notice of the intended penalty has been served.",
    "尚未送达行政处罚事先告知书。",
    penalty_law(44),
)


def hearing_right(item: ItemRules, party_type: PartyType, penalty: Penalty) -> bool:
    """Whether ``penalty`` gives the party a right to a hearing (第六十三条): a fine or confiscation from the
    item's “large amount”, and the heavy kinds of 第一款第三项、第四项 and the item's own, whatever the amount."""
    if penalty.kinds & (HEARING_ALWAYS_KINDS | item.hearing_always_for):
        return True
    threshold = item.hearing_threshold_fen[party_type]
    if penalty.fine_fen >= threshold:
        return True
    return bool(penalty.kinds & CONFISCATION_KINDS) and penalty.confiscated_value_fen >= threshold


def discretion_band(item: ItemRules, party_type: PartyType, penalty: Penalty) -> DiscretionBand | None:
    """The level of the item's discretion standard (裁量阶次) that holds ``penalty`` for the party: its kinds are
    the level's and its fine lies in the level's range. None when no level does: the penalty departs from the
    standard (重庆市规范行政处罚裁量权办法 第十九条)."""
    for band in item.discretion:
        fines = band.fines.get(party_type)
        if penalty.kinds <= band.penalty_kinds and (
            not penalty.fine_fen or (fines is not None and fines.contains(penalty.fine_fen))
        ):
            return band
    return None


def penalty_unlawful(item: ItemRules, party: PartyType, penalty: Penalty) -> Refusal | None:
    """Whether ``penalty`` is one the law lets this agency impose on the party for the item: the one check of
    the prior notice (第四十四条) and of the decision (第三十八条). A township never detains (第十八条第三款);
    a kind the item's basis does not provide, a jointly imposed kind left out (并处), or a fine above the law's
    maximum has no basis (第三十八条第一款). Below the level of the discretion standard is a departure
    (重庆市规范行政处罚裁量权办法 第十九条), not a matter of legality."""
    if PenaltyKind.DETENTION in penalty.kinds:
        return Refusal(
            "Detention restricts personal freedom: only the public security organs impose it, never a township "
            "(art. 18(3)).",
            "限制人身自由的行政处罚权只能由公安机关和法律规定的其他机关行使，乡镇人民政府不得作出行政拘留（第十八条第三款）。",
            penalty_law(18, 3),
        )
    foreign = sorted(penalty.kinds - item.penalty_kinds)
    if foreign:
        return Refusal(
            f"Item {item.code} provides no penalty of kind {', '.join(foreign)}.",
            f"执法事项{item.code}的处罚依据未规定{'、'.join(foreign)}。",
            penalty_law(38),
        )
    omitted = sorted(item.required_kinds.get(party, frozenset()) - penalty.kinds)
    if omitted:
        return Refusal(
            f"For {_PARTY[party][0]}, item {item.code}'s basis imposes {', '.join(omitted)} in every case; "
            f"{penalty.describe_en()} leaves it out.",
            f"事项{item.code}的处罚依据对{_PARTY[party][1]}应当给予{'、'.join(omitted)}，拟作出的处罚缺少该项。",
            penalty_law(38),
        )
    statutory = item.statutory_fines.get(party)
    if penalty.fine_fen and (statutory is None or penalty.fine_fen > statutory.max_fen):
        ceiling = "no fine" if statutory is None else f"at most {money_en(statutory.max_fen)}"
        ceiling_zh = "不得罚款" if statutory is None else f"罚款不超过{money_zh(statutory.max_fen)}"
        return Refusal(
            f"The law sets {ceiling} for {_PARTY[party][0]} under item {item.code}; {money_en(penalty.fine_fen)} "
            "exceeds it.",
            f"事项{item.code}对{_PARTY[party][1]}{ceiling_zh}，{money_zh(penalty.fine_fen)}超出法定幅度。",
            penalty_law(38),
        )
    return None


# --- who acts (第二十四条、第四十二条、第四十三条) ---


@_guard("item_in_catalogue", penalty_law(24), standing=True)
def item_in_catalogue(facts: CaseFacts, periods: Periods) -> Refusal | None:
    if facts.item is not None:
        return None
    return Refusal(
        f"Item {facts.item_code} is not in the agency's enforcement catalogue; a township enforces only the "
        "published items.",
        f"执法事项{facts.item_code}不在本机关行政执法事项清单内，乡镇只能在公布的范围内实施行政处罚。",
    )


@_guard("two_qualified_officers", penalty_law(42))
def two_qualified_officers(facts: CaseFacts, periods: Periods) -> Refusal | None:
    allowed_by = facts.item.single_officer_allowed_by if facts.item is not None else None
    required = officers_required(allowed_by)
    problems_en: list[str] = []
    problems_zh: list[str] = []
    qualified_ids: set[str] = set()
    for q in facts.acting_officers:
        if q.at != facts.now:
            problems_en.append(f"officer {q.officer_id} was checked at {q.at.isoformat()}, not at this act")
            problems_zh.append(f"执法人员{q.officer_id}的资格核验时间{q.at.isoformat()}不是本次行为时间")
        elif q.item_code != facts.item_code:
            problems_en.append(f"officer {q.officer_id} was checked for item {q.item_code}, not {facts.item_code}")
            problems_zh.append(f"执法人员{q.officer_id}的资格核验针对事项{q.item_code}，而非{facts.item_code}")
        elif not q.ok:
            # Each reason a sentence; the officers' problems joined into one, so their last stops are the join's.
            problems_en.append(" ".join(r.text_en for r in q.reasons).rstrip("."))
            problems_zh.append("".join(r.text_zh for r in q.reasons).rstrip("。"))
        else:
            qualified_ids.add(q.officer_id)
    if len(qualified_ids) < required:
        unless = "" if allowed_by is None else f" ({allowed_by.cite()} allows one)"
        too_few_en, too_few_zh = too_few_officers(len(qualified_ids), required)
        problems_en.append(too_few_en + unless)
        problems_zh.append(too_few_zh)
    if not problems_en:
        return None
    return Refusal("; ".join(problems_en) + ".", "；".join(problems_zh) + "。")


def officers_required(single_officer_allowed_by: object | None) -> int:
    """第四十二条: two officers act, or one where a law lets one act alone (``single_officer_allowed_by``)."""
    return 1 if single_officer_allowed_by is not None else 2


def too_few_officers(qualified: int, required: int) -> tuple[str, str]:
    """What is wrong when ``qualified`` officers act where ``required`` must, in English and in Chinese."""
    return (
        f"{qualified} qualified officer(s) act; at least {required} are required",
        f"具有执法资格的执法人员{qualified}人，不得少于{required}人",
    )


@_guard("no_recused_officer", penalty_law(43))
def no_recused_officer(facts: CaseFacts, periods: Periods) -> Refusal | None:
    acting = {q.officer_id for q in facts.acting_officers}
    if facts.hearing.chair_id is not None:
        acting.add(facts.hearing.chair_id)
    recused = sorted(acting & facts.recused_officers)
    if not recused:
        return None
    return Refusal(
        f"Recused from this case, {', '.join(recused)} can no longer act on it.",
        f"{'、'.join(recused)}已在本案回避，不得再参与本案。",
    )


# --- notice, statement and hearing (第四十四条、第四十五条、第六十三条、第六十四条) ---


@_guard("notice_complete", penalty_law(44))
def notice_complete(facts: CaseFacts, periods: Periods) -> Refusal | None:
    notice = facts.notice
    if notice is None:
        return Refusal("No prior notice has been drawn up.", "尚未制作行政处罚事先告知书。")
    missing = [
        (en, zh)
        for present, en, zh in (
            (notice.states_facts, "the facts", "事实"),
            (notice.states_reasons, "the reasons", "理由"),
            (notice.states_basis, "the legal basis", "依据"),
            (notice.informs_statement_and_defence, "the rights to statement and defence", "陈述、申辩的权利"),
        )
        if not present
    ]
    if facts.item is None:
        missing.append(("the hearing right (the item is not in the catalogue)", "听证权利（事项不在清单内）"))
    elif hearing_right(facts.item, facts.party_type, notice.intended) and not notice.informs_hearing_right:
        missing.append(("the right to a hearing, which this penalty gives (art. 63)", "要求听证的权利（第六十三条）"))
    elif notice.informs_hearing_right and not hearing_right(facts.item, facts.party_type, notice.intended):
        # A notice telling of a hearing the law does not give here (第六十三条) misinforms the party, who would then
        # ask for a hearing the agency must refuse: the notice states the right exactly when the law gives it.
        return Refusal(
            "The prior notice tells the party of a right to a hearing this penalty does not give (art. 63): a "
            "request for it would be refused.",
            "行政处罚事先告知书告知了当事人本案拟作出的处罚不适用的听证权利（第六十三条），当事人据此要求听证将被拒绝。",
        )
    if not missing:
        return None
    return Refusal(
        "The prior notice does not state " + ", ".join(en for en, _ in missing) + ".",
        "行政处罚事先告知书未载明" + "、".join(zh for _, zh in missing) + "。",
    )


@_guard("notice_penalty_lawful", penalty_law(44))
def notice_penalty_lawful(facts: CaseFacts, periods: Periods) -> Refusal | None:
    """The notice announces a penalty the law allows (the decision's own check, ``penalty_unlawful``)."""
    notice = facts.notice
    if notice is None:
        return Refusal("No prior notice has been drawn up.", "尚未制作行政处罚事先告知书。")
    if facts.item is None:
        return Refusal(f"Item {facts.item_code} is not in the catalogue.", f"执法事项{facts.item_code}不在清单内。")
    return penalty_unlawful(facts.item, facts.party_type, notice.intended)


@_guard("notice_served", penalty_law(44), standing=True)
def notice_served(facts: CaseFacts, periods: Periods) -> Refusal | None:
    if _served_notice(facts) is not None:
        return None
    return Refusal(
        "No decision before the party is notified of the intended penalty, its facts, reasons and basis, and "
        "of the rights to statement, defence and hearing: no prior notice has been served.",
        "作出行政处罚决定之前，应当告知当事人拟作出的行政处罚内容及事实、理由、依据和陈述、申辩、要求听证等权利；"
        "尚未送达行政处罚事先告知书。",
    )


@_guard("statement_period_over_or_waived", penalty_law(45), "statement_working_days", standing=True)
def statement_period_over_or_waived(facts: CaseFacts, periods: Periods) -> Refusal | None:
    if facts.statement in (StatementStatus.RECORDED, StatementStatus.WAIVED):
        return None
    notice = _served_notice(facts)
    if notice is None or notice.served_at is None:
        return _NO_NOTICE
    last = _party_period(
        facts,
        "statement",
        statement_deadline(facts.calendar, notice.served_at, periods.require("statement_working_days")),
    )
    if _today(facts) > last:
        return None
    return Refusal(
        f"The party has not been heard: no statement or defence is recorded or waived, and the period for them "
        f"runs until {last.isoformat()} (art. 62).",
        f"当事人的陈述、申辩尚未记录，也未明确放弃，陈述、申辩期限至{last.isoformat()}届满（第六十二条）。",
    )


@_guard("statement_not_recorded", penalty_law(62), standing=True)
def statement_not_recorded(facts: CaseFacts, periods: Periods) -> Refusal | None:
    """第六十二条: 当事人明确放弃陈述或者申辩权利的除外 — a waiver is the party's choice not to be heard. Once their
    statement is on record they were heard: a waiver then would make the file say they never spoke."""
    if facts.statement_before is not StatementStatus.RECORDED:
        return None
    return Refusal(
        "The party's statement and defence are already recorded: they were heard, there is nothing left to waive.",
        "当事人的陈述、申辩已经记录，不存在放弃陈述、申辩的问题。",
    )


@_guard("no_review_open", penalty_law(58), standing=True)
def no_review_open(facts: CaseFacts, periods: Periods) -> Refusal | None:
    """第五十八条: the decision is reviewed before it is taken — once. A request the reviewer has not answered, of
    the case as it still stands, is the review; another would set two reviewers on the same draft. A request of a
    case changed since (the review would be stale) or one already answered may be followed by a new one."""
    if not facts.review_open:
        return None
    return Refusal(
        "A legal review of the case as it stands is already requested and not answered yet: wait for its opinion.",
        "本案已提请法制审核，审核意见尚未作出，案件此后也未变动：请等待审核意见，不得重复提请。",
    )


@_guard("hearing_right_applies", penalty_law(63), standing=True)
def hearing_right_applies(facts: CaseFacts, periods: Periods) -> Refusal | None:
    notice = _served_notice(facts)
    if notice is None:
        return _NO_NOTICE
    if facts.item is None:
        return Refusal(
            f"Item {facts.item_code} is not in the catalogue; its hearing right cannot be determined.",
            f"执法事项{facts.item_code}不在清单内，无法确定听证权利。",
        )
    if hearing_right(facts.item, facts.party_type, notice.intended):
        return None
    threshold = facts.item.hearing_threshold_fen[facts.party_type]
    return Refusal(
        f"The notified penalty ({notice.intended.describe_en()}) gives no right to a hearing: for "
        f"{_PARTY[facts.party_type][0]} a fine or confiscation gives it from {money_en(threshold)}.",
        f"告知的行政处罚不属于应当告知听证权利的情形：对{_PARTY[facts.party_type][1]}，罚款或者没收"
        f"{money_zh(threshold)}以上方可要求听证。",
    )


@_guard("hearing_requested_in_time", penalty_law(64), "hearing_request_working_days")
def hearing_requested_in_time(facts: CaseFacts, periods: Periods) -> Refusal | None:
    notice = _served_notice(facts)
    if notice is None or notice.served_at is None:
        return _NO_NOTICE
    requested = facts.hearing.requested_at
    if requested is None:
        return Refusal("No request for a hearing is recorded.", "未记录当事人的听证申请。")
    days = periods.require("hearing_request_working_days")
    last = _party_period(facts, "hearing_request", hearing_request_deadline(facts.calendar, notice.served_at, days))
    if local_date(requested) <= last:
        return None
    return Refusal(
        f"The hearing was requested on {local_date(requested).isoformat()}, after the last day "
        f"{last.isoformat()}: a request is made within {days} working days of the notice (art. 64(1)).",
        f"当事人于{local_date(requested).isoformat()}要求听证，已超过告知后{days}个工作日的期限"
        f"（{last.isoformat()}届满，第六十四条第一项）。",
    )


@_guard("hearing_notice_period_respected", penalty_law(64), "hearing_notice_working_days")
def hearing_notice_period_respected(facts: CaseFacts, periods: Periods) -> Refusal | None:
    notified, held_on = facts.hearing.notified_at, facts.hearing.scheduled_for
    if notified is None or held_on is None:
        return Refusal(
            "The party has not been notified of the hearing's time and place.",
            "尚未通知当事人举行听证的时间、地点。",
        )
    days = periods.require("hearing_notice_working_days")
    earliest = earliest_hearing_date(facts.calendar, notified, days)
    if local_date(held_on) >= earliest:
        return None
    return Refusal(
        f"Notified on {local_date(notified).isoformat()}, the hearing on {local_date(held_on).isoformat()} is too "
        f"soon: the party is notified {days} working days before, so the earliest day is {earliest.isoformat()} "
        "(art. 64(2), art. 85).",
        f"{local_date(notified).isoformat()}通知、{local_date(held_on).isoformat()}举行听证，不足{days}个工作日；"
        f"最早可于{earliest.isoformat()}举行（第六十四条第二项、第八十五条）。",
    )


@_guard("hearing_held_as_notified", penalty_law(64), standing=True)
def hearing_held_as_notified(facts: CaseFacts, periods: Periods) -> Refusal | None:
    scheduled = facts.hearing.scheduled_for
    if scheduled is None:
        return Refusal(
            "The party has not been notified of the hearing's time and place.", "尚未通知当事人举行听证的时间、地点。"
        )
    notified_for, today = local_date(scheduled), _today(facts)
    if today >= notified_for:
        return None
    return Refusal(
        f"The party was notified of a hearing on {notified_for.isoformat()}; it cannot be held on "
        f"{today.isoformat()}, before the day notified (art. 64(2)).",
        f"已通知当事人于{notified_for.isoformat()}举行听证，不得提前于{today.isoformat()}举行（第六十四条第二项）。",
    )


@_guard("hearing_chair_not_investigator", penalty_law(64))
def hearing_chair_not_investigator(facts: CaseFacts, periods: Periods) -> Refusal | None:
    chair = facts.hearing.chair_id
    if chair is None:
        return Refusal("No one has been designated to chair the hearing.", "尚未指定听证主持人。")
    if chair not in facts.investigators:
        return None
    return Refusal(
        f"{chair} investigated this case and cannot chair its hearing (art. 64(4)).",
        f"{chair}是本案调查人员，不得主持听证（第六十四条第四项）。",
    )


@_guard("hearing_settled", penalty_law(63), "hearing_request_working_days", standing=True)
def hearing_settled(facts: CaseFacts, periods: Periods) -> Refusal | None:
    notice = _served_notice(facts)
    if notice is None or notice.served_at is None:
        return _NO_NOTICE
    if facts.item is not None and not hearing_right(facts.item, facts.party_type, notice.intended):
        return None
    hearing = facts.hearing
    if hearing.held_at is not None or hearing.waived:
        return None
    if hearing.requested_at is not None:
        return Refusal(
            "The party requested a hearing, which has been neither held nor waived.",
            "当事人已要求听证，听证尚未举行，当事人也未放弃。",
            penalty_law(64),
        )
    last = _party_period(
        facts,
        "hearing_request",
        hearing_request_deadline(facts.calendar, notice.served_at, periods.require("hearing_request_working_days")),
    )
    if _today(facts) > last:
        return None
    return Refusal(
        f"The party may still request a hearing until {last.isoformat()}.",
        f"当事人要求听证的期限至{last.isoformat()}尚未届满。",
        penalty_law(64),
    )


# --- the decision (第四十五条、第五十七条、第五十八条、第六十条; 重庆市规范行政处罚裁量权办法) ---


@_guard("within_discretion", LegalBasis(CHONGQING_DISCRETION_RULES, 11))
def within_discretion(facts: CaseFacts, periods: Periods) -> Refusal | None:
    penalty, item, party = facts.proposed, facts.item, facts.party_type
    if penalty is None:
        return Refusal("No penalty is proposed.", "未提出拟作出的行政处罚。", penalty_law(57))
    if item is None:
        return Refusal(f"Item {facts.item_code} is not in the catalogue.", f"执法事项{facts.item_code}不在清单内。")
    unlawful = penalty_unlawful(item, party, penalty)
    if unlawful is not None:
        return unlawful
    if discretion_band(item, party, penalty) is not None:
        return None
    if not item.discretion and not penalty.fine_fen:
        return None
    if item.discretion_set_by is not None:
        return None  # a standard set above the agency: guard departure_approved_by_standard_setter (第十九条第二款)
    # 重庆市规范行政处罚裁量权办法 第十九条: the principal head's approval, or the heads' collective discussion.
    if facts.discretion_departure_by_principal or facts.collective_discussion_held:
        return None
    return Refusal(
        f"{penalty.describe_en().capitalize()} for {_PARTY[party][0]} lies in no level of item {item.code}'s "
        "discretion standard; departing from it needs the principal head's approval or a collective discussion "
        f"record ({CHONGQING_DISCRETION_RULES} art. 19).",
        f"拟作出的行政处罚不在事项{item.code}的裁量基准阶次内；调整适用须经主要负责人批准或者集体讨论通过"
        f"（{CHONGQING_DISCRETION_RULES}第十九条）。",
    )


@_guard("fine_not_above_notified", penalty_law(45, 2))
def fine_not_above_notified(facts: CaseFacts, periods: Periods) -> Refusal | None:
    notice, penalty = _served_notice(facts), facts.proposed
    if notice is None:
        return _NO_NOTICE
    if penalty is None:
        return Refusal("No penalty is proposed.", "未提出拟作出的行政处罚。", penalty_law(57))
    notified = notice.intended
    problems: list[tuple[str, str]] = []
    added = sorted(penalty.kinds - notified.kinds)
    if added:
        problems.append((f"adds {', '.join(added)}, which was not notified", f"增加了未告知的{'、'.join(added)}"))
    if penalty.fine_fen > notified.fine_fen:
        problems.append(
            (
                f"fines {money_en(penalty.fine_fen)}, above the notified {money_en(notified.fine_fen)}",
                f"罚款{money_zh(penalty.fine_fen)}高于告知的{money_zh(notified.fine_fen)}",
            )
        )
    if penalty.confiscated_value_fen > notified.confiscated_value_fen:
        problems.append(
            (
                f"confiscates {money_en(penalty.confiscated_value_fen)}, above the notified "
                f"{money_en(notified.confiscated_value_fen)}",
                f"没收{money_zh(penalty.confiscated_value_fen)}高于告知的{money_zh(notified.confiscated_value_fen)}",
            )
        )
    if not problems:
        return None
    return Refusal(
        "The decision may not be heavier than the notified penalty: it " + "; it ".join(en for en, _ in problems) + ".",
        "不得给予比告知更重的处罚：" + "；".join(zh for _, zh in problems) + "。",
    )


@_guard("legal_review_passed", penalty_law(58), standing=True)
def legal_review_passed(facts: CaseFacts, periods: Periods) -> Refusal | None:
    if not facts.review_required or facts.review_passed_and_current:
        return None
    return Refusal(
        "This case requires a legal review before the decision, and there is no passed review of the decision "
        "now proposed.",
        "本案应当在作出决定前进行法制审核，拟作出的决定未经法制审核或者审核未通过。",
    )


@_guard("collective_discussion_held", penalty_law(57, 2), standing=True)
def collective_discussion_held(facts: CaseFacts, periods: Periods) -> Refusal | None:
    if not facts.collective_discussion_required or facts.collective_discussion_held:
        return None
    return Refusal(
        "The case is complex or major, or departs from the discretion standard: the heads must decide it by "
        f"collective discussion, and no record of one exists ({CHONGQING_DISCRETION_RULES} art. 19).",
        "情节复杂或者重大违法行为，或者调整适用裁量基准，应当由负责人集体讨论决定，尚无集体讨论记录。",
    )


@_guard("decision_deadline_not_passed", penalty_law(60), "decision_calendar_days", standing=True)
def decision_deadline_not_passed(facts: CaseFacts, periods: Periods) -> Refusal | None:
    if facts.filed_at is None:
        return Refusal("The case has not been filed.", "案件尚未立案。", penalty_law(54, 2))
    days = periods.require("decision_calendar_days")
    try:
        last = decision_deadline(facts.calendar, facts.filed_at, days, facts.decision_deadline_extensions)
    except ValueError as exc:
        return Refusal(f"The decision deadline cannot be extended after it passed: {exc}.", "决定期限届满后不得延长。")
    if _today(facts) <= last:
        return None
    extended = " as extended" if facts.decision_deadline_extensions else ""
    return Refusal(
        f"The period to decide — {days} days from filing on {local_date(facts.filed_at).isoformat()}{extended} — "
        f"ended on {last.isoformat()}.",
        f"自{local_date(facts.filed_at).isoformat()}立案之日起的决定期限已于{last.isoformat()}届满。",
    )


# --- summary procedure (第五十一条、第五十二条) ---


@_guard("summary_procedure_allowed", penalty_law(51))
def summary_procedure_allowed(facts: CaseFacts, periods: Periods) -> Refusal | None:
    if facts.item is None:
        return Refusal(f"Item {facts.item_code} is not in the catalogue.", f"执法事项{facts.item_code}不在清单内。")
    if facts.proposed is None:
        return Refusal("No penalty is proposed.", "未提出拟作出的行政处罚。")
    other = sorted(facts.proposed.kinds - SUMMARY_PENALTY_KINDS)
    if not other:
        return None
    return Refusal(
        f"On the spot only a warning or a fine may be decided, not {', '.join(other)}.",
        f"当场只能作出警告或者罚款的行政处罚，不得作出{'、'.join(other)}。",
    )


@_guard("summary_fine_within_limit", penalty_law(51))
def summary_fine_within_limit(facts: CaseFacts, periods: Periods) -> Refusal | None:
    if facts.proposed is None:
        return Refusal("No penalty is proposed.", "未提出拟作出的行政处罚。")
    limit = SUMMARY_FINE_LIMIT_FEN[facts.party_type]
    fine = facts.proposed.fine_fen
    if fine <= limit:
        return None
    return Refusal(
        f"A fine of {money_en(fine)} exceeds the summary-procedure limit of {money_en(limit)} for "
        f"{_PARTY[facts.party_type][0]}; decide it in the general procedure.",
        f"罚款{money_zh(fine)}超过简易程序对{_PARTY[facts.party_type][1]}{money_zh(limit)}以下的限额，应当适用普通程序。",
    )


@_guard("numbered_form_used", penalty_law(52))
def numbered_form_used(facts: CaseFacts, periods: Periods) -> Refusal | None:
    if facts.summary_form_number is not None and facts.summary_form_number.strip():
        return None
    return Refusal(
        "An on-the-spot decision is written on the pre-printed, numbered decision form; no form number is given.",
        "当场作出行政处罚决定应当填写预定格式、编有号码的行政处罚决定书，未填写决定书编号。",
    )


@_guard("heard_on_the_spot", penalty_law(45))
def heard_on_the_spot(facts: CaseFacts, periods: Periods) -> Refusal | None:
    """第四十五条、第五十二条: on the spot too, the party is heard (or declines) before the decision."""
    if facts.statement in (StatementStatus.RECORDED, StatementStatus.WAIVED):
        return None
    return Refusal(
        "The party's statement and defence on the spot are neither recorded nor declined.",
        "未记录当事人当场的陈述、申辩，也未记录其放弃。",
    )


@_guard("form_number_unused", penalty_law(52))
def form_number_unused(facts: CaseFacts, periods: Periods) -> Refusal | None:
    used_by = facts.summary_form_used_by
    if used_by is None:
        return None
    number = facts.summary_form_number or ""
    return Refusal(
        f"Decision form {number} was already used for case {used_by}: each pre-printed form bears its own "
        "number and serves one decision (art. 52).",
        f"编号为{number}的当场行政处罚决定书已用于案件{used_by}，每份编有号码的决定书只能使用一次（第五十二条）。",
    )


# --- filing (第三十六条) ---


def time_bar_ends(bar: TimeBarFacts, item: ItemRules) -> tuple[date, int]:
    """The last day on which the act can still be discovered, and the years of the bar (第三十六条)."""
    assert bar.occurred_on is not None
    years = item.time_bar_years
    if bar.harms_life_health_or_finance and item.time_bar_years_if_harm is not None:
        years = item.time_bar_years_if_harm
    start = max(bar.occurred_on, bar.continued_until or bar.occurred_on)
    try:
        return start.replace(year=start.year + years), years
    except ValueError:  # 29 February: the period ends on the last day of that month (民法典 第二百零三条)
        return start.replace(year=start.year + years, day=28), years


@_guard("not_time_barred", penalty_law(36), standing=True)
def not_time_barred(facts: CaseFacts, periods: Periods) -> Refusal | None:
    bar, item = facts.time_bar, facts.item
    if item is None:
        return Refusal(f"Item {facts.item_code} is not in the catalogue.", f"执法事项{facts.item_code}不在清单内。")
    if bar is None:
        return Refusal("The case source's registration is not found.", "未找到案件来源登记。")
    if bar.occurred_on is None:
        return Refusal(
            "The date of the act is not recorded: whether it is time-barred cannot be checked (art. 36).",
            "案件来源登记未载明违法行为发生日期，无法判断是否超过追责时效（第三十六条）。",
        )
    last, years = time_bar_ends(bar, item)
    if bar.registered_on <= last:
        return None
    counted = "ended" if bar.continued_until else "happened"
    return Refusal(
        f"The act {counted} on {max(bar.occurred_on, bar.continued_until or bar.occurred_on).isoformat()} and was "
        f"discovered on {bar.registered_on.isoformat()}, after the {years}-year time bar ended on "
        f"{last.isoformat()}: no penalty may be imposed, and the case is not filed (art. 36).",
        f"违法行为于{max(bar.occurred_on, bar.continued_until or bar.occurred_on).isoformat()}"
        f"{'终了' if bar.continued_until else '发生'}，{bar.registered_on.isoformat()}被发现，已超过{years}年的追责"
        f"时效（{last.isoformat()}届满），不再给予行政处罚，不予立案（第三十六条）。",
    )


@_guard("principal_head_approves", LegalBasis(CHONGQING_DISCRETION_RULES, 19))
def principal_head_approves(facts: CaseFacts, periods: Periods) -> Refusal | None:
    if facts.discretion_departure_by_principal:
        return None
    return Refusal(
        "A departure from the discretion standard is approved by the agency's principal head (主要负责人), or "
        f"passed by collective discussion; the approver is not the principal head ({CHONGQING_DISCRETION_RULES} "
        "art. 19).",
        f"调整适用裁量基准须经本行政机关主要负责人批准或者集体讨论通过，批准人不是主要负责人（{CHONGQING_DISCRETION_RULES}"
        "第十九条）。",
    )


# --- a discretion standard set above the agency (重庆市规范行政处罚裁量权办法 第十九条第二款) ---


def _approved_by_setter(facts: CaseFacts, setter: str) -> bool:
    approval = facts.setter_approval
    return approval is not None and _same_body(approval.body, setter)


def _same_body(written: str, named: str) -> bool:
    """The approving body as the officer typed it is the body the catalogue names: compared NFKC-normalised and
    without whitespace, so a full-width bracket or a stray space does not refuse a genuine approval."""
    return seized_thing_key(written) == seized_thing_key(named)


def _departs_from_standard(item: ItemRules, party: PartyType, penalty: Penalty) -> bool:
    if discretion_band(item, party, penalty) is not None:
        return False
    return bool(item.discretion or penalty.fine_fen)


@_guard("standard_set_above", LegalBasis(CHONGQING_DISCRETION_RULES, 19, 2))
def standard_set_above(facts: CaseFacts, periods: Periods) -> Refusal | None:
    """The approval recorded is that of the body that set the item's standard: the district's, for a delegated
    item; a standard of the agency's own is departed from with its principal head's approval (第一款)."""
    item, approval = facts.item, facts.setter_approval
    if item is None or item.discretion_set_by is None:
        return Refusal(
            f"The discretion standard of item {facts.item_code} is the agency's own: a departure is approved by "
            f"its principal head or by collective discussion ({CHONGQING_DISCRETION_RULES} art. 19 §1).",
            f"事项{facts.item_code}适用本机关制定的裁量基准，调整适用由本机关主要负责人批准或者集体讨论通过"
            f"（{CHONGQING_DISCRETION_RULES}第十九条第一款）。",
            LegalBasis(CHONGQING_DISCRETION_RULES, 19, 1),
        )
    if approval is None or not _same_body(approval.body, item.discretion_set_by):
        return Refusal(
            f"The standard of item {item.code} was set by {item.discretion_set_by}; the approval recorded is "
            f"{'missing' if approval is None else 'by ' + approval.body} ({CHONGQING_DISCRETION_RULES} art. 19 §2).",
            f"事项{item.code}的裁量基准由{item.discretion_set_by}制定，调整适用须报请该基准制定机关批准；所记录的批准"
            f"{'缺失' if approval is None else '出自' + approval.body}（{CHONGQING_DISCRETION_RULES}第十九条第二款）。",
        )
    return None


@_guard("departure_approved_by_standard_setter", LegalBasis(CHONGQING_DISCRETION_RULES, 19, 2))
def departure_approved_by_standard_setter(facts: CaseFacts, periods: Periods) -> Refusal | None:
    """A decision departing from a standard set above the agency needs that body's approval on file; the principal
    head's approval or a collective discussion of the agency does not replace it."""
    penalty, item = facts.proposed, facts.item
    if penalty is None:
        return Refusal("No penalty is proposed.", "未提出拟作出的行政处罚。", penalty_law(57))
    if item is None:
        return Refusal(f"Item {facts.item_code} is not in the catalogue.", f"执法事项{facts.item_code}不在清单内。")
    if item.discretion_set_by is None:
        return None  # the agency's own standard: within_discretion decides (第十九条第一款)
    if not _departs_from_standard(item, facts.party_type, penalty):
        return None
    if _approved_by_setter(facts, item.discretion_set_by):
        return None
    return Refusal(
        f"{penalty.describe_en().capitalize()} lies in no level of item {item.code}'s discretion standard, which "
        f"{item.discretion_set_by} set: departing from it needs that body's approval, recorded with its document "
        f"(record_standard_setter_approval) ({CHONGQING_DISCRETION_RULES} art. 19 §2).",
        f"拟作出的行政处罚不在事项{item.code}的裁量基准阶次内，该基准由{item.discretion_set_by}制定：调整适用须报请"
        f"该基准制定机关批准，并上传批准文件记录在案（{CHONGQING_DISCRETION_RULES}第十九条第二款）。",
    )


# --- orders to correct (第二十八条) ---


@_guard("measure_in_catalogue", penalty_law(28))
def measure_in_catalogue(facts: CaseFacts, periods: Periods) -> Refusal | None:
    order, item = facts.correction, facts.item
    if order is None:
        return Refusal("No order to correct is given.", "未作出责令改正。")
    if item is None:
        return Refusal(f"Item {facts.item_code} is not in the catalogue.", f"执法事项{facts.item_code}不在清单内。")
    if order.measure not in item.measures:
        known = ", ".join(sorted(item.measures)) or "none"
        return Refusal(
            f"Item {item.code} provides no measure {order.measure} (its measures: {known}).",
            f"执法事项{item.code}的依据未规定{order.measure}。",
        )
    if order.deadline <= local_date(order.ordered_at):
        return Refusal(
            f"An order to correct leaves the party time: the deadline {order.deadline.isoformat()} is not after "
            f"the order of {local_date(order.ordered_at).isoformat()}.",
            f"责令限期改正应当给予当事人改正期限，{order.deadline.isoformat()}不晚于作出之日。",
        )
    return None


_NO_ORDER_TO_REINSPECT = Refusal("No order to correct awaits its re-inspection.", "没有待复查的责令改正。")


def _correction_to_reinspect(facts: CaseFacts, periods: Periods, step: str) -> Refusal | None:
    """Possible only while the latest order to correct awaits its re-inspection (第二十八条第一款)."""
    order = facts.correction
    return None if order is not None and order.reinspections == 0 else _NO_ORDER_TO_REINSPECT


@_guard("correction_reinspected_lawfully", penalty_law(28), possible=_correction_to_reinspect)
def correction_reinspected_lawfully(facts: CaseFacts, periods: Periods) -> Refusal | None:
    order = facts.correction
    if order is None or order.reinspections != 1 or order.reinspected_at != facts.now:
        return Refusal(
            "No order to correct awaits its re-inspection: a new finding needs a new order.",
            "没有待复查的责令改正；再次认定须重新责令改正。",
        )
    if order.corrected or _today(facts) > order.deadline:
        return None
    return Refusal(
        f"The party has until {order.deadline.isoformat()} to correct: a failure to correct is found only after "
        "the deadline.",
        f"当事人改正期限至{order.deadline.isoformat()}，期限届满前不得认定为拒不改正。",
    )


# --- service, execution, preservation (第五十六条、第六十一条、第六十六条、第六十七条、第七十二条) ---


@_guard("service_within_deadline", penalty_law(61), "service_working_days", standing=True)
def service_within_deadline(facts: CaseFacts, periods: Periods) -> Refusal | None:
    decision = facts.decision
    if decision is None:
        return _NO_DECISION
    if decision.served_on_the_spot:
        return None
    days = periods.require("service_working_days")
    last = service_deadline(facts.calendar, decision.decided_at, days)
    served_on = local_date(decision.served_at or facts.now)
    if served_on <= last:
        return None
    return Refusal(
        f"Served on {served_on.isoformat()}, the decision of {local_date(decision.decided_at).isoformat()} is past "
        f"the {days} working days to serve it, which ended on {last.isoformat()}.",
        f"{local_date(decision.decided_at).isoformat()}作出的决定于{served_on.isoformat()}送达，已超过"
        f"{days}个工作日的送达期限（{last.isoformat()}届满）。",
    )


@_guard("decision_signed", penalty_law(59), standing=True)
def decision_signed(facts: CaseFacts, periods: Periods) -> Refusal | None:
    if facts.decision is None:
        return _NO_DECISION
    if facts.decision_signed:
        return None
    return Refusal(
        "The decision document has not been signed by the head: it cannot be served unsigned.",
        "行政处罚决定书尚未经负责人电子签名，不得送达。",
    )


@_guard("decision_document_issued", penalty_law(61, 1), standing=True)
def decision_document_issued(facts: CaseFacts, periods: Periods) -> Refusal | None:
    """第六十一条第一款: 行政处罚决定书应当在宣告后当场交付当事人 … 将行政处罚决定书送达当事人. Serving is the handing
    over of the written decision: a decision whose document was never issued has nothing to serve."""
    if facts.decision is None:
        return _NO_DECISION
    if facts.decision_document_issued:
        return None
    return Refusal(
        "The decision's document has not been issued: what is served is the written decision. Issue it first.",
        "决定书尚未制发：送达的是书面决定书，请先制发决定书。",
    )


@_guard("preservation_approved", penalty_law(56), standing=True)
def preservation_approved(facts: CaseFacts, periods: Periods) -> Refusal | None:
    p = facts.preservation
    if p is not None and p.approved_at is not None and p.approved_at <= facts.now:
        return None
    return Refusal(
        "Evidence is preserved by registration only with the approval of the agency's head.",
        "先行登记保存证据须经行政机关负责人批准，尚无批准。",
    )


@_guard("preservation_registered", penalty_law(56), standing=True)
def preservation_registered(facts: CaseFacts, periods: Periods) -> Refusal | None:
    p = facts.preservation
    # The guards read the file as the step would leave it: the decision this act takes is dated now.
    decided_now_once = p is not None and p.decided_at == facts.now and p.decisions <= 1
    if p is not None and p.registered_at is not None and (p.decided_at is None or decided_now_once):
        return None
    return Refusal(
        "There is no registered preservation of evidence awaiting a decision.",
        "没有待作出处理决定的先行登记保存。",
    )


@_guard(
    "penalty_performed", penalty_law(67, 3), "payment_calendar_days", "late_fee_basis_points_per_day", standing=True
)
def penalty_performed(facts: CaseFacts, periods: Periods) -> Refusal | None:
    decision = facts.decision
    if decision is None or decision.penalty is None:
        return Refusal("No penalty has been decided; there is nothing to execute.", "未作出行政处罚决定，无需执行。")
    if decision.served_at is None:
        return Refusal("The decision has not been served.", "行政处罚决定书尚未送达。", penalty_law(61))
    penalty, execution = decision.penalty, facts.execution
    if penalty.fine_fen:
        if _revoked_by_remedy(facts):
            return _REVOKED_NOTHING_TO_EXECUTE
        # The amounts and days due follow an approved plan (第六十六条第二款) and a changed fine; the late fee
        # is counted per amount and not while a remedy is pending (第七十二条第一项、第七十三条第三款).
        due_now = _owed_now(facts, periods)
        assert due_now is not None
        first = due_now.instalments[0].due_on if due_now.instalments else local_date(decision.served_at)
        fine, fee, total, paid = due_now.fine_fen, due_now.fee_fen, due_now.total_fen, due_now.paid_fen
        if paid < total:
            plan_en, plan_zh = (
                ("", "") if len(due_now.instalments) < 2 else (" and the plan's days", "及批准的分期日期")
            )
            return Refusal(
                f"Paid {money_en(paid)} of {money_en(total)}: the fine of {money_en(fine)} was due by "
                f"{first.isoformat()}{plan_en}, and the late fee is {money_en(fee)} (art. 72).",
                f"已缴纳{money_zh(paid)}，应缴{money_zh(total)}：罚款{money_zh(fine)}应于{first.isoformat()}"
                f"{plan_zh}前缴纳，加处罚款{money_zh(fee)}（第七十二条）。",
            )
    others = sorted(penalty.kinds - {PenaltyKind.FINE, PenaltyKind.WARNING})
    if others and (execution is None or not execution.non_fine_penalties_performed):
        return Refusal(
            f"The penalties {', '.join(others)} have not been performed.",
            f"{'、'.join(others)}尚未履行。",
            penalty_law(66),
        )
    return None


ON_THE_SPOT_MAX_FEN = 10_000  # 第六十八条第一项: 一百元以下


@_guard("collection_separate_from_decision", penalty_law(67, 2))
def collection_separate_from_decision(facts: CaseFacts, periods: Periods) -> Refusal | None:
    """Outside on-the-spot collection the fine goes to the bank (第六十七条): the payment is recorded from the
    bank's receipt, and not by those who decided."""
    payment = facts.payment
    if payment is None:
        return Refusal("No payment is recorded.", "未记录缴款。")
    if payment.collected_on_the_spot:
        return None
    if not payment.receipt.strip():
        return Refusal(
            "A payment is recorded from the bank's receipt; none is given.",
            "缴款应当依据银行出具的缴款凭证登记，未提供凭证。",
        )
    deciders = facts.deciders & ({payment.recorded_by} | payment.recording_officers)
    if not deciders:
        return None
    return Refusal(
        "The agency that decides a fine does not collect it: a payment to the bank is recorded by someone who did "
        f"not take the decision, and {', '.join(sorted(deciders))} did (art. 67(2)).",
        f"作出罚款决定的行政机关应当与收缴罚款的机构分离，缴款由未参与作出决定的人员依据银行凭证登记（第六十七条第二款）；"
        f"{'、'.join(sorted(deciders))}参与了决定。",
    )


@_guard("on_the_spot_collection_lawful", penalty_law(68))
def on_the_spot_collection_lawful(facts: CaseFacts, periods: Periods) -> Refusal | None:
    payment, decision = facts.payment, facts.decision
    if payment is None:
        return Refusal("No payment is recorded.", "未记录缴款。")
    if not payment.collected_on_the_spot:
        return None
    if decision is None or decision.penalty is None or not decision.penalty.fine_fen:
        return Refusal("No fine has been decided.", "未作出罚款决定。", penalty_law(67))
    fine = decision.penalty.fine_fen
    decided_on_the_spot = facts.summary_form_number is not None
    if payment.on_the_spot_ground == "remote_area_on_party_request":
        return None  # 第六十九条: after a decision under 第五十一条 or 第五十七条
    if decided_on_the_spot and fine <= ON_THE_SPOT_MAX_FEN:
        return None  # 第六十八条第一项
    if decided_on_the_spot and payment.on_the_spot_ground == "hard_to_execute_later":
        return None  # 第六十八条第二项
    return Refusal(
        f"A fine of {money_en(fine)} may not be collected on the spot: officers collect on the spot only a fine of "
        "at most 100 yuan decided on the spot, one that would be hard to execute later (art. 68), or where the "
        "party asks because paying at a bank is truly hard in a remote area (art. 69); no such ground is declared.",
        f"罚款{money_zh(fine)}不得当场收缴：当场收缴限于当场作出的一百元以下罚款、不当场收缴事后难以执行的（第六十八条），"
        "或者在边远、水上、交通不便地区经当事人提出的（第六十九条）；未说明上述情形。",
    )


def _something_owed(facts: CaseFacts, periods: Periods, step: str) -> Refusal | None:
    """Possible while the party owes something of a fine served (or no fine is served: the collection rules say
    why): the case view does not offer a payment of a fine paid in full, late fee and all."""
    due = _owed_now(facts, periods)
    if due is None or due.outstanding_fen > 0:
        return None
    return Refusal(
        "The fine and its late fee are paid in full: nothing is owed.", "罚款及加处罚款已经缴清，当事人没有欠缴的款项。"
    )


@_guard(
    "payment_not_above_owed",
    penalty_law(72),
    "payment_calendar_days",
    "late_fee_basis_points_per_day",
    possible=_something_owed,
)
def payment_not_above_owed(facts: CaseFacts, periods: Periods) -> Refusal | None:
    """A payment is recorded of what the party owes: the fine as it stands (changed or revoked on a remedy) and its
    late fee, which never exceeds the fine (第七十二条第一款第（一）项). Money paid beyond it is no fine: it is returned
    to the party, not recorded as a fine paid (the case's execution and its documents state what is recorded)."""
    if facts.payment is None:
        return Refusal("No payment is recorded.", "未记录缴款。")
    due = _owed_now(facts, periods)
    if due is None or due.paid_fen <= due.total_fen:
        return None  # no fine served: the collection rules say why a payment cannot be taken
    before = due.paid_fen - facts.payment.amount_fen
    left = max(due.total_fen - before, 0)
    return Refusal(
        f"The payment of {money_en(facts.payment.amount_fen)} is more than the {money_en(left)} still owed (the fine "
        f"{money_en(due.fine_fen)} and its late fee {money_en(due.fee_fen)}, {money_en(before)} paid): record what is "
        "owed; the rest is returned to the party.",
        f"本次缴款{money_zh(facts.payment.amount_fen)}超过尚欠的{money_zh(left)}（罚款{money_zh(due.fine_fen)}、"
        f"加处罚款{money_zh(due.fee_fen)}，已缴{money_zh(before)}）：只登记应缴的数额，多缴的部分应当退还当事人。",
    )


@_guard("execution_settled", penalty_law(66), standing=True)
def execution_settled(facts: CaseFacts, periods: Periods) -> Refusal | None:
    decision = facts.decision
    if decision is None:
        return _NO_DECISION
    if decision.outcome is not DecisionOutcome.PENALTY:
        return None
    if facts.execution is not None and facts.execution.completed_at is not None:
        return None
    if facts.execution_ended_ground is not None:
        return None  # execution lawfully ended (行政强制法 第四十条)
    return Refusal(
        "The penalty decided has not been executed, nor its execution lawfully ended; the case is closed only "
        "after either.",
        "行政处罚决定尚未执行完毕，也未依法终结执行，不得结案。",
    )


# --- the record (第四十七条) ---


@_guard("reason_given", penalty_law(47))
def reason_given(facts: CaseFacts, periods: Periods) -> Refusal | None:
    if facts.reason is not None and facts.reason.strip():
        return None
    return Refusal("This act is recorded with its reason, and none is given.", "本行为应当记录理由，未说明理由。")


# --- execution and remedies (第六十六条至第七十三条; 行政强制法 第三十五条、第四十条、第五十三条、第五十四条) ---


def _payments(facts: CaseFacts) -> tuple[tuple[date, int], ...]:
    """Every payment as (day, fen); a file from before payments were listed has its total on its last day."""
    if facts.payments_made:
        return facts.payments_made
    execution = facts.execution
    if execution is not None and execution.paid_fen and execution.last_payment_on is not None:
        return ((execution.last_payment_on, execution.paid_fen),)
    return ()


def _revoked_by_remedy(facts: CaseFacts) -> bool:
    return any(r.result == "revoked" for r in facts.remedies if r.decided_on is not None)


_REVOKED_NOTHING_TO_EXECUTE = Refusal(
    "The decision was revoked on reconsideration or by the court: nothing is executed, and execution ends "
    "(行政强制法 art. 40(4)).",
    "行政处罚决定已被复议机关或者人民法院撤销，不再执行，应当终结执行（《中华人民共和国行政强制法》第四十条第四项）。",
    coercion_law(40),
)


def _owed_now(facts: CaseFacts, periods: Periods) -> Owed | None:
    """What the party owes today on the fine decided and served, or None when no fine was served."""
    decision = facts.decision
    if decision is None or decision.penalty is None or not decision.penalty.fine_fen or decision.served_at is None:
        return None
    amount = amount_to_execute(decision.penalty.fine_fen, facts.remedies)
    due = payment_due_date(facts.calendar, decision.served_at, periods.require("payment_calendar_days"))
    plan = facts.instalments
    approved = plan.plan if plan is not None and plan.approved else None
    instalments = instalments_due(amount, due, approved, plan.paid_before_fen if plan is not None else 0)
    return owed(
        instalments,
        _payments(facts),
        facts.remedies,
        _today(facts),
        periods.require("late_fee_basis_points_per_day"),
    )


def _remedy_pending(facts: CaseFacts) -> Remedy | None:
    return next((r for r in facts.remedies if r.decided_on is None), None)


_KIND_ZH = {"reconsideration": "行政复议", "lawsuit": "行政诉讼"}


def _fine_left_to_apply_for(facts: CaseFacts, periods: Periods, step: str) -> Refusal | None:
    """Possible while some of the fine decided and served is unpaid and no application is pending or approved:
    the case view does not offer an application for a fine paid in full."""
    due_now = _owed_now(facts, periods)
    if due_now is None:
        return Refusal("No fine has been decided and served.", "尚无已送达的罚款决定。", penalty_law(67, 3))
    if due_now.paid_fen >= due_now.fine_fen:
        return Refusal(
            "The fine is paid in full: nothing is left to pay in instalments or later.",
            "罚款已经缴清，没有可以分期或者暂缓缴纳的罚款。",
        )
    plan = facts.instalments
    if plan is not None and plan.approved is not False:
        return _applied_already("pending" if plan.approved is None else "approved")
    return None


def _applied_already(standing: str) -> Refusal:
    """An application to pay in instalments or later ``standing`` (pending or approved): no second one before a
    refusal (第六十六条第二款)."""
    pending = standing == "pending"
    return Refusal(
        f"An application to pay in instalments or later {'is pending' if pending else 'was approved'}; a new one only "
        "after a refusal.",
        f"当事人分期或者暂缓缴纳罚款的申请{'尚待批准' if pending else '已经批准'}，不得重复申请。",
    )


@_guard(
    "instalment_plan_lawful",
    penalty_law(66, 2),
    "payment_calendar_days",
    "late_fee_basis_points_per_day",
    possible=_fine_left_to_apply_for,
)
def instalment_plan_lawful(facts: CaseFacts, periods: Periods) -> Refusal | None:
    """第六十六条第二款: on the party's application, for the fine still to pay; one application at a time."""
    application = facts.instalments
    due_now = _owed_now(facts, periods)
    if due_now is None or application is None:
        return Refusal("No fine has been decided and served.", "尚无已送达的罚款决定。", penalty_law(67, 3))
    if application.previous is not None:
        return _applied_already(application.previous)
    rest = due_now.fine_fen - application.paid_before_fen
    planned = sum(i.amount_fen for i in application.plan)
    problems_en: list[str] = []
    problems_zh: list[str] = []
    if planned != rest:
        problems_en.append(f"the plan covers {money_en(planned)}, and {money_en(rest)} of the fine remains to pay")
        problems_zh.append(f"申请的计划合计{money_zh(planned)}，尚未缴纳的罚款为{money_zh(rest)}")
    if application.kind == "deferral" and len(application.plan) != 1:
        problems_en.append("a deferral names one day to pay")
        problems_zh.append("暂缓缴纳只能载明一个缴纳日期")
    if application.kind == "instalments" and len(application.plan) < 2:
        problems_en.append("instalments are at least two")
        problems_zh.append("分期缴纳至少分两期")
    days = [i.due_on for i in application.plan]
    if any(b <= a for a, b in pairwise(days)):
        problems_en.append("the days of the plan follow one another")
        problems_zh.append("各期缴纳日期应当先后排列")
    if days and days[0] <= local_date(application.applied_at):
        problems_en.append(f"the first day to pay, {days[0].isoformat()}, is not after the application")
        problems_zh.append(f"第一期缴纳日期{days[0].isoformat()}不晚于申请之日")
    if not problems_en:
        return None
    return Refusal(
        "The application is not one the head can approve: " + "; ".join(problems_en) + ".",
        "分期、暂缓缴纳罚款的申请不符合要求：" + "；".join(problems_zh) + "。",
    )


def _application_awaiting_decision(facts: CaseFacts, periods: Periods, step: str) -> Refusal | None:
    """Possible while an application awaits the head's decision."""
    plan = facts.instalments
    if plan is not None and plan.approved is None:
        return None
    return Refusal(
        "No application to pay in instalments or later awaits the head's decision.",
        "没有待批准的分期或者暂缓缴纳罚款申请。",
    )


@_guard("instalment_application_pending", penalty_law(66, 2), possible=_application_awaiting_decision)
def instalment_application_pending(facts: CaseFacts, periods: Periods) -> Refusal | None:
    application = facts.instalments
    if application is None or application.approved is None or application.decided_at != facts.now:
        return Refusal(
            "No application to pay in instalments or later awaits the head's decision.",
            "没有待批准的分期或者暂缓缴纳罚款申请。",
        )
    if application.approved or (facts.reason is not None and facts.reason.strip()):
        return None
    return Refusal("A refusal states its reason (art. 47).", "不予批准应当说明理由（第四十七条）。")


@_guard(
    "performance_overdue",
    coercion_law(35),
    "payment_calendar_days",
    "late_fee_basis_points_per_day",
    standing=True,
)
def performance_overdue(facts: CaseFacts, periods: Periods) -> Refusal | None:
    """A reminder is for a fine overdue and unpaid, or an order not performed in its time (行政强制法 第三十四条),
    whose execution is not suspended (行政处罚法 第七十三条)."""
    if _revoked_by_remedy(facts):
        return _REVOKED_NOTHING_TO_EXECUTE
    if facts.decision is not None and facts.decision.outcome is DecisionOutcome.ORDER:
        return _order_unperformed(facts)
    due_now = _owed_now(facts, periods)
    if due_now is None:
        return Refusal("No fine has been decided and served.", "尚无已送达的罚款决定。", penalty_law(67, 3))
    suspended = next((r for r in facts.remedies if r.decided_on is None and r.execution_suspended), None)
    if suspended is not None:
        return Refusal(
            f"Execution is suspended while the {suspended.kind} filed on {suspended.filed_on.isoformat()} is pending "
            "(art. 73(1)).",
            f"{suspended.filed_on.isoformat()}提起的{_KIND_ZH[suspended.kind]}期间已停止执行（第七十三条第一款）。",
            penalty_law(73, 1),
        )
    since = overdue_since(due_now.instalments, _payments(facts), _today(facts))
    if since is None or due_now.outstanding_fen == 0:
        return Refusal(
            "No amount of the fine is past its day to pay: the party is not yet in default.",
            "罚款尚未到缴纳期限或者已经缴清，当事人未逾期不履行。",
        )
    return None


@_guard(
    "reminder_period_over", coercion_law(54), "payment_calendar_days", "late_fee_basis_points_per_day", standing=True
)
def reminder_period_over(facts: CaseFacts, periods: Periods) -> Refusal | None:
    served = facts.reminder_served_at
    if served is None or served > facts.now:
        return Refusal(
            "The party has not been reminded in writing (催告书) to perform: the court is applied to only after "
            "a reminder (行政强制法 art. 35, 54).",
            "尚未书面催告当事人履行义务，申请人民法院强制执行前应当催告（《中华人民共和国行政强制法》第三十五条、第五十四条）。",
        )
    last = reminder_period_end(facts.calendar, local_date(served))
    if _today(facts) <= last:
        return Refusal(
            f"The reminder served on {local_date(served).isoformat()} gives the party until {last.isoformat()} "
            "(10 working days) to perform (行政强制法 art. 54, 69).",
            f"催告书于{local_date(served).isoformat()}送达，当事人履行期限至{last.isoformat()}（十个工作日）届满"
            "（《中华人民共和国行政强制法》第五十四条、第六十九条）。",
        )
    stated = facts.reminder_perform_by
    if stated is not None and _today(facts) <= stated:
        return Refusal(
            f"The reminder gives the party until {stated.isoformat()} to perform (行政强制法 art. 35(1)).",
            f"催告书载明的履行期限至{stated.isoformat()}届满（《中华人民共和国行政强制法》第三十五条第一项）。",
        )
    if facts.decision is not None and facts.decision.outcome is DecisionOutcome.ORDER:
        # An order the agency has no power to execute itself goes to the court once still unperformed (第五十三条).
        return _order_unperformed(facts)
    due_now = _owed_now(facts, periods)
    if due_now is None or due_now.outstanding_fen == 0:
        return Refusal("Nothing remains to pay.", "罚款已经缴清，无需申请强制执行。")
    return None


@_guard("remedy_periods_over", coercion_law(53), standing=True)
def remedy_periods_over(facts: CaseFacts, periods: Periods) -> Refusal | None:
    decision = facts.decision
    if decision is None or decision.served_at is None:
        return Refusal("The decision has not been served.", "行政处罚决定书尚未送达。", penalty_law(61))
    pending = _remedy_pending(facts)
    if pending is not None:
        return Refusal(
            f"The party's {pending.kind} filed on {pending.filed_on.isoformat()} is pending: the court is applied to "
            "only after the party's remedies (行政强制法 art. 53).",
            f"当事人于{pending.filed_on.isoformat()}提起的{_KIND_ZH[pending.kind]}尚未审结，不得申请人民法院强制执行"
            "（《中华人民共和国行政强制法》第五十三条）。",
        )
    end = remedy_periods_end(facts.calendar, local_date(decision.served_at), facts.remedies)
    assert end is not None
    if _today(facts) > end:
        return None
    return Refusal(
        f"The party may still apply for reconsideration (60 days) or sue (6 months) until {end.isoformat()}: the "
        "court is applied to only after those periods end (行政强制法 art. 53).",
        f"当事人申请行政复议（六十日）、提起行政诉讼（六个月）的期限至{end.isoformat()}届满，期限届满前不得申请人民法院"
        "强制执行（《中华人民共和国行政强制法》第五十三条）。",
    )


@_guard("court_application_in_time", coercion_law(53), standing=True)
def court_application_in_time(facts: CaseFacts, periods: Periods) -> Refusal | None:
    decision = facts.decision
    if decision is None or decision.served_at is None:
        return Refusal("The decision has not been served.", "行政处罚决定书尚未送达。", penalty_law(61))
    end = remedy_periods_end(facts.calendar, local_date(decision.served_at), facts.remedies)
    if end is None:
        return None  # a remedy is pending: remedy_periods_over refuses
    last = court_application_deadline(facts.calendar, end)
    if _today(facts) <= last:
        return None
    return Refusal(
        f"The three months to apply to the court ended on {last.isoformat()} (行政强制法 art. 53).",
        f"申请人民法院强制执行的三个月期限已于{last.isoformat()}届满（《中华人民共和国行政强制法》第五十三条）。",
    )


_END_GROUNDS_ZH = {
    "party_died_without_estate": "公民死亡，无遗产可供执行，又无义务承受人",
    "organisation_ended_without_property": "法人或者其他组织终止，无财产可供执行，又无义务承受人",
    "object_lost": "执行标的灭失",
    "decision_revoked": "据以执行的行政决定被撤销",
    "other_ground": "行政机关认为需要终结执行的其他情形",
    "court_refused": "人民法院裁定不予执行",
}


@_guard("execution_end_lawful", coercion_law(40))
def execution_end_lawful(facts: CaseFacts, periods: Periods) -> Refusal | None:
    ground = facts.execution_ended_ground
    if ground is None:
        return Refusal("No ground to end execution is given.", "未载明终结执行的情形。")
    if ground == "decision_revoked" and not _revoked_by_remedy(facts):
        return Refusal(
            "No reconsideration or judgment revoking the decision is recorded.",
            "没有撤销该行政处罚决定的复议决定或者判决记录。",
        )
    if ground == "court_refused" and not facts.court_execution_applied:
        return Refusal(
            "The court was not applied to: it cannot have refused to execute (行政强制法 art. 58).",
            "未申请人民法院强制执行，不存在不予执行的裁定（《中华人民共和国行政强制法》第五十八条）。",
            coercion_law(58),
        )
    if ground != "decision_revoked" and not (facts.reason is not None and facts.reason.strip()):
        return Refusal(
            f"Ending execution on the ground “{_END_GROUNDS_ZH[ground]}” states the facts that establish it.",
            f"以“{_END_GROUNDS_ZH[ground]}”终结执行，应当说明事实和理由。",
        )
    return None


@_guard("remedy_filing_lawful", penalty_law(7))
def remedy_filing_lawful(facts: CaseFacts, periods: Periods) -> Refusal | None:
    if facts.decision is None or not facts.remedies:
        return _NO_DECISION
    latest = facts.remedies[-1]
    if any(r.decided_on is None for r in facts.remedies[:-1]):
        return Refusal(
            "A reconsideration or lawsuit is already pending: record its result first.",
            "已有尚未审结的行政复议或者行政诉讼，应当先记录其结果。",
        )
    decided_on = local_date(facts.decision.decided_at)
    if not decided_on <= latest.filed_on <= _today(facts):
        return Refusal(
            f"Filed on {latest.filed_on.isoformat()}: a remedy is filed after the decision of "
            f"{decided_on.isoformat()} and not later than today.",
            f"提起日期{latest.filed_on.isoformat()}应当在{decided_on.isoformat()}作出决定之后、今日之前。",
        )
    return None


@_guard("remedy_result_lawful", penalty_law(7))
def remedy_result_lawful(facts: CaseFacts, periods: Periods) -> Refusal | None:
    if not facts.remedy_result_recorded_now or not facts.remedies:
        return Refusal(
            "No reconsideration or lawsuit awaits its result.",
            "没有待记录结果的行政复议或者行政诉讼。",
        )
    latest = facts.remedies[-1]
    assert latest.decided_on is not None
    if not latest.filed_on <= latest.decided_on <= _today(facts):
        return Refusal(
            f"Decided on {latest.decided_on.isoformat()}: a result comes after the filing of "
            f"{latest.filed_on.isoformat()} and not later than today.",
            f"结果日期{latest.decided_on.isoformat()}应当在{latest.filed_on.isoformat()}提起之后、今日之前。",
        )
    decision = facts.decision
    if latest.result == "changed" and latest.changed_fine_fen is not None and decision and decision.penalty:
        before = amount_to_execute(decision.penalty.fine_fen, facts.remedies[:-1])
        if latest.changed_fine_fen > before:
            # 行政复议法 第六十三条第二款; 行政诉讼法 第七十七条第二款: never to the party's detriment.
            return Refusal(
                f"A changed fine of {money_en(latest.changed_fine_fen)} exceeds the {money_en(before)} decided: "
                "neither a reconsideration nor a court makes it heavier for the party who challenged it.",
                f"变更后的罚款{money_zh(latest.changed_fine_fen)}高于原决定的{money_zh(before)}，"
                "行政复议和行政诉讼不得作出对申请人、原告更为不利的变更。",
                LegalBasis(ADMINISTRATIVE_LITIGATION_LAW, 77, 2),
            )
    return None


@_guard("lawsuit_on_file", LegalBasis(ADMINISTRATIVE_LITIGATION_LAW, 3, 3))
def lawsuit_on_file(facts: CaseFacts, periods: Periods) -> Refusal | None:
    lawsuits = [r for r in facts.remedies if r.kind == "lawsuit"]
    if not lawsuits:
        return Refusal(
            "No lawsuit against the decision is recorded: the head appears in court for a lawsuit.",
            "未记录针对本决定的行政诉讼，行政机关负责人出庭应诉以行政诉讼为前提。",
        )
    appeared = facts.court_appearance_on
    if appeared is None or not lawsuits[0].filed_on <= appeared <= _today(facts):
        return Refusal(
            "The appearance is dated after the lawsuit was filed and not later than today.",
            "出庭日期应当在提起诉讼之后、今日之前。",
        )
    return None


# --- coercive measures (行政强制法) ---
# Sealing and seizure (查封、扣押) and the evidence preserved by registration (先行登记保存, 行政处罚法 第五十六条).
# The effects of the steps (service/cases/casefile.py) mark the seizure an act touches with the act's moment, so
# these guards find it as the step would leave it; a step naming a seizure that is not there changes nothing,
# and its guard refuses.


_NOTHING_HELD = Refusal("Nothing is sealed or seized in this case now.", "本案当前没有查封、扣押的场所、设施或者财物。")
_NO_APPRAISAL = Refusal(
    "No testing or appraisal of seized things is under way in this case.",
    "本案没有正在进行的查封、扣押财物的检测、检验、检疫或者技术鉴定。",
)


def _something_held(facts: CaseFacts, periods: Periods, step: str) -> Refusal | None:
    """Possible only while something is sealed or seized and not yet released, confiscated or transferred."""
    return None if any(s.held for s in facts.seizures) else _NOTHING_HELD


def _appraisal_under_way(facts: CaseFacts, periods: Periods, step: str) -> Refusal | None:
    """Possible only while some seized things are under testing or appraisal (第二十五条第三款)."""
    return None if any(a.ended_at is None for s in facts.seizures for a in s.appraisals) else _NO_APPRAISAL


def _named(facts: CaseFacts) -> SeizureFacts | None:
    """The seizure the act is about, in the file as the act would leave it."""
    if facts.seizure_named is None:
        return facts.seizures[-1] if facts.seizures else None
    return next((s for s in facts.seizures if s.number == facts.seizure_named), None)


def _decided_now(facts: CaseFacts) -> SeizureFacts | None:
    seizure = _named(facts)
    return seizure if seizure is not None and seizure.decided_at == facts.now else None


def _not_held(facts: CaseFacts) -> Refusal:
    number = facts.seizure_named
    return Refusal(
        f"Seizure {number} is not held: the case has no such sealing or seizure, or it has already ended.",
        f"第{number}项查封、扣押不存在，或者已经解除、处理。",
    )


@_guard("seizure_approved", coercion_law(18))
def seizure_approved(facts: CaseFacts, periods: Periods) -> Refusal | None:
    """第十八条第一项: approved by the head before it is taken; 第十九条: in an emergency, taken on the spot and
    reported and approved within 24 hours."""
    seizure = _decided_now(facts)
    if seizure is None:
        return Refusal("No sealing or seizure is decided.", "未作出查封、扣押决定。")
    if seizure.approved_before or seizure.urgent:
        return None
    return Refusal(
        "A sealing or seizure is approved by the agency's head before it is taken (art. 18(1)); only in an "
        "emergency may officers take it on the spot and report to the head within 24 hours (art. 19). Neither "
        "an approval nor an emergency is recorded.",
        "实施查封、扣押前须向行政机关负责人报告并经批准（第十八条第一项）；情况紧急需要当场实施的，应当在二十四小时内"
        "向负责人报告并补办批准手续（第十九条）。本次既无批准，也未说明情况紧急。",
    )


@_guard("seizure_papers_delivered", coercion_law(24))
def seizure_papers_delivered(facts: CaseFacts, periods: Periods) -> Refusal | None:
    seizure = _decided_now(facts)
    if seizure is None:
        return Refusal("No sealing or seizure is decided.", "未作出查封、扣押决定。")
    if seizure.delivered_on_the_spot:
        return None
    return Refusal(
        "The decision to seal or seize and its list of the things are made and handed to the party on the spot "
        "(art. 24); their delivery is not recorded.",
        "决定实施查封、扣押的，应当制作并当场交付查封、扣押决定书和清单（第二十四条）；未记录当场交付。",
    )


@_guard("urgent_seizure_approved_in_time", coercion_law(19))
def urgent_seizure_approved_in_time(facts: CaseFacts, periods: Periods) -> Refusal | None:
    """The head's approval: before a seizure (approved_before), or of an urgent one within 24 hours (第十九条)."""
    seizure = _named(facts)
    if facts.seizure_named is None and seizure is not None and seizure.approved_before:
        return None  # approved before it is taken (第十八条第一项)
    awaiting = seizure is not None and seizure.urgent and seizure.decided_at is not None and seizure.ended_at is None
    if seizure is None or not awaiting or seizure.decided_at is None or seizure.approvals != 1:
        return Refusal(
            f"Seizure {facts.seizure_named} is not an urgent sealing or seizure awaiting the head's approval.",
            f"第{facts.seizure_named}项不是待补办批准手续的紧急查封、扣押。",
        )
    if facts.now - seizure.decided_at <= timedelta(hours=24):
        return None
    return Refusal(
        f"Seizure {seizure.number} was taken on the spot at {seizure.decided_at.isoformat()}: the head is told and "
        "approves within 24 hours (art. 19), and that time has passed; release it.",
        f"第{seizure.number}项查封、扣押于{seizure.decided_at.isoformat()}当场实施，应当在二十四小时内向负责人报告并补办"
        "批准手续（第十九条），已逾期；应当解除。",
    )


@_guard("seizure_extension_lawful", coercion_law(25), possible=_something_held)
def seizure_extension_lawful(facts: CaseFacts, periods: Periods) -> Refusal | None:
    seizure = _named(facts)
    if seizure is None or seizure.decided_at is None or seizure.ended_at is not None:
        return _not_held(facts)
    if seizure.approved_at is None:
        return Refusal(
            f"Seizure {seizure.number} was taken urgently and the head has not yet approved it (art. 19).",
            f"第{seizure.number}项紧急查封、扣押尚未补办批准手续（第十九条）。",
            coercion_law(19),
        )
    if seizure.extensions > 1:
        return Refusal(
            f"Seizure {seizure.number} has already been extended once: a sealing or seizure lasts at most "
            f"{SEIZURE_DAYS} days and may be extended once, by at most {SEIZURE_EXTENSION_MAX_DAYS} days (art. 25).",
            f"第{seizure.number}项查封、扣押已经延长过一次：查封、扣押的期限不得超过{SEIZURE_DAYS}日，经负责人批准可以延长"
            f"一次，延长期限不得超过{SEIZURE_EXTENSION_MAX_DAYS}日（第二十五条）。",
        )
    if seizure.extended_days > SEIZURE_EXTENSION_MAX_DAYS:
        return Refusal(
            f"An extension of {seizure.extended_days} days exceeds the {SEIZURE_EXTENSION_MAX_DAYS} days the law "
            "allows (art. 25).",
            f"延长{seizure.extended_days}日超过法定的{SEIZURE_EXTENSION_MAX_DAYS}日（第二十五条）。",
        )
    last = seizure.last_day(extended=False)  # 30 days, not counting testing or appraisal (第二十五条第三款)
    if _today(facts) > last:
        return Refusal(
            f"Seizure {seizure.number}'s {SEIZURE_DAYS} days ended on {last.isoformat()}: it can no longer be "
            "extended and is to be released (art. 25, art. 28(4)).",
            f"第{seizure.number}项查封、扣押的{SEIZURE_DAYS}日期限已于{last.isoformat()}届满，不得再延长，应当解除"
            "（第二十五条、第二十八条第一款第四项）。",
        )
    return None


@_guard("seizure_held", coercion_law(28), possible=_something_held)
def seizure_held(facts: CaseFacts, periods: Periods) -> Refusal | None:
    """Released (第二十八条), confiscated (第二十七条) or transferred (第二十一条): only what is held."""
    seizure = _named(facts)
    if seizure is not None and seizure.decided_at is not None and seizure.endings == 1:
        return None
    return _not_held(facts)


@_guard("confiscation_decided", coercion_law(27))
def confiscation_decided(facts: CaseFacts, periods: Periods) -> Refusal | None:
    """第二十七条: seized things are confiscated only where the decision, on clear facts, confiscates them."""
    decision = facts.decision
    if decision is not None and decision.penalty is not None and decision.penalty.kinds & CONFISCATION_KINDS:
        return None
    return Refusal(
        "Seized things are confiscated only by a penalty decision that confiscates; the decision in force does "
        "not (art. 27). Release them instead (art. 28).",
        "只有对依法应当没收的非法财物作出没收的行政处罚决定后，方可没收查封、扣押的财物；本案决定未予没收（第二十七条），"
        "应当解除查封、扣押（第二十八条）。",
    )


@_guard("nothing_held", coercion_law(28), standing=True)
def nothing_held(facts: CaseFacts, periods: Periods) -> Refusal | None:
    held = [s for s in facts.seizures if s.held]
    if not held:
        return None
    listed_en = ", ".join(
        f"no. {s.number} (until {s.last_day().isoformat()})" for s in held if s.decided_at is not None
    )
    listed_zh = "、".join(f"第{s.number}项" for s in held)
    return Refusal(
        f"Things are still sealed or seized: {listed_en}. They are released and returned, confiscated or "
        "transferred before the case ends (art. 27, art. 28).",
        f"仍有查封、扣押的场所、设施或者财物未处理：{listed_zh}。应当先解除并退还、依法没收或者移送（第二十七条、第二十八条）。",
    )


@_guard("preservation_settled", penalty_law(56), "preservation_decision_working_days")
def preservation_settled(facts: CaseFacts, periods: Periods) -> Refusal | None:
    """Evidence preserved by registration is decided on within the period (第五十六条: 七日内及时作出处理决定).
    A period that ended undecided leaves the preservation lapsed (市场监督管理行政处罚程序规定 第三十五条第二款,
    by analogy: 逾期未采取相关措施的，先行登记保存措施自动解除), and no later decision revives it."""
    p = facts.preservation
    if p is None or p.registered_at is None:
        return None
    last = preservation_decision_deadline(
        facts.calendar, p.registered_at, periods.require("preservation_decision_working_days")
    )
    if p.decided_at is not None:
        decided_on = local_date(p.decided_at)
        if decided_on <= last:
            return None
        return Refusal(
            f"The evidence preserved on {local_date(p.registered_at).isoformat()} is decided on within "
            f"{periods.require('preservation_decision_working_days')} working days, by {last.isoformat()}; "
            f"{decided_on.isoformat()} is too late and the preservation has lapsed.",
            f"{local_date(p.registered_at).isoformat()}先行登记保存的证据应当在七日内（{last.isoformat()}前）作出处理决定，"
            f"{decided_on.isoformat()}已逾期，先行登记保存措施已自动解除。",
        )
    if _today(facts) > last:
        return None
    return Refusal(
        f"Evidence preserved by registration awaits its decision, due by {last.isoformat()}: decide on it first.",
        f"先行登记保存的证据尚未作出处理决定（应于{last.isoformat()}前作出），应当先作出处理决定。",
    )


# --- orders as the decision (第二十八条; 城乡规划法 第六十五条) ---


@_guard("order_lawful", penalty_law(28))
def order_lawful(facts: CaseFacts, periods: Periods) -> Refusal | None:
    """An order (责令限期改正, 停止建设, 拆除 …) is the case's decision only where the item's law provides it: it is
    one of the catalogue entry's ``measures``, and leaves the party time to comply."""
    decision, order, item = facts.decision, facts.correction, facts.item
    if item is None:
        return Refusal(f"Item {facts.item_code} is not in the catalogue.", f"执法事项{facts.item_code}不在清单内。")
    if decision is None or decision.outcome is not DecisionOutcome.ORDER or order is None:
        return Refusal("No order is decided.", "未作出责令决定。")
    if order.measure not in item.measures:
        known = ", ".join(sorted(item.measures)) or "none"
        return Refusal(
            f"Item {item.code}'s law provides no order {order.measure} (its measures: {known}); the decision can "
            "only be one the law provides.",
            f"执法事项{item.code}的依据未规定{order.measure}，不得作出该责令决定。",
        )
    if order.deadline <= local_date(order.ordered_at):
        return Refusal(
            f"An order to correct within a time leaves the party time: the deadline {order.deadline.isoformat()} "
            f"is not after the decision of {local_date(order.ordered_at).isoformat()}.",
            f"责令限期改正应当给予当事人改正期限，{order.deadline.isoformat()}不晚于决定之日。",
        )
    return None


# --- decision rules (第二十九至三十三条) ---
#
# The party's circumstances are recorded before the decision (record_circumstances) and the decision is checked
# against them: where the law says 不予行政处罚 no penalty is decided, where it says 应当从轻或者减轻 the penalty is
# lighter, and one act is fined once. A decision cites the evidence it relies on (第四十条).

# The entries that record evidence (第四十六条: 当事人的陈述、证人证言、现场笔录、勘验笔录、物证、书证……; 第五十五条、
# 第五十六条): what a decision may cite.
EVIDENCE_ENTRY_TYPES = frozenset(
    {
        "case:inquiry:recorded",
        "case:inspection:recorded",
        "case:evidence:collected",
        "case:preservation:registered",
        "case:statement:recorded",
        "case:correction:reinspected",
    }
)

LIGHTER_LEVELS = frozenset({"从轻", "减轻"})


def lighter_penalty(item: ItemRules, party: PartyType, penalty: Penalty) -> bool:
    """Whether ``penalty`` is 从轻或者减轻 (重庆市规范行政处罚裁量权办法 第十六条): a fine at most 30 % into the law's
    range counted from its minimum (from nothing when the law sets only a maximum), or below the minimum (减轻);
    without a fine, a warning alone or a level of the item's standard marked 从轻 or 减轻."""
    if penalty.fine_fen:
        statutory = item.statutory_fines.get(party)
        if statutory is None:
            return False
        return (penalty.fine_fen - statutory.min_fen) * 100 <= (statutory.max_fen - statutory.min_fen) * 30
    if penalty.kinds <= {PenaltyKind.WARNING}:
        return True
    band = discretion_band(item, party, penalty)
    return band is not None and band.level_zh in LIGHTER_LEVELS


def no_penalty_grounds(c: Circumstances, item: ItemRules | None) -> list[tuple[LegalBasis, str, str, bool]]:
    """The grounds on which the recorded circumstances exclude a penalty: (article, English, Chinese, whether the
    law — or the item's first-violation list — makes it mandatory). 第三十三条第一款后句 is “可以”: a ground for
    deciding no penalty, made mandatory only by the item's place on the agency's first-violation list."""
    grounds: list[tuple[LegalBasis, str, str, bool]] = []
    if c.age is AgeAtAct.UNDER_14:
        grounds.append((penalty_law(30), "the party was under 14 at the act", "当事人违法时不满十四周岁", True))
    if c.capacity is MentalCapacity.NONE:
        grounds.append(
            (
                penalty_law(31),
                "the party could not recognise or control the act owing to mental illness or intellectual disability",
                "当事人系在不能辨认或者不能控制自己行为时有违法行为的精神病人、智力残疾人",
                True,
            )
        )
    if c.minor_violation and c.corrected_in_time and c.harm is Harm.NONE:
        grounds.append(
            (
                penalty_law(33, 1),
                "the act was minor, corrected in time and caused no harm",
                "违法行为轻微并及时改正，没有造成危害后果",
                True,
            )
        )
    if c.first_violation and c.corrected_in_time and c.harm in (Harm.NONE, Harm.MINOR):
        listed = item is not None and item.first_violation_no_penalty
        grounds.append(
            (
                penalty_law(33, 1),
                "a first violation with minor harm, corrected in time"
                + (f", on an item of the first-violation no-penalty list ({item.code})" if listed and item else ""),
                "初次违法且危害后果轻微并及时改正" + ("，属于本机关首违不罚清单所列事项" if listed else ""),
                listed,
            )
        )
    if c.no_fault_proven:
        grounds.append(
            (
                penalty_law(33, 2),
                "the party's evidence proves no fault",
                "当事人有证据足以证明没有主观过错",
                True,
            )
        )
    return grounds


_NO_CIRCUMSTANCES = Refusal(
    "The party's circumstances (age, capacity, mitigating grounds, first violation, harm and correction, an "
    "earlier fine for the same act) are not recorded: the decision considers them (arts. 29–33).",
    "尚未记录当事人的年龄、辨认控制能力、从轻减轻情节、是否初次违法、危害后果及改正情况、同一违法行为是否已被罚款等情节，"
    "作出决定前应当予以考虑（第二十九条至第三十三条）。",
)


# The steps whose decision may be that the facts are not established (第五十七条第一款第（三）项): it needs no
# circumstances. Every other step listing ``circumstances_recorded`` decides a penalty, or no penalty on a ground of
# 第三十条至第三十三条, which are the circumstances.
_MAY_FIND_FACTS_NOT_ESTABLISHED = frozenset({"decide_no_penalty"})


def _circumstances_on_file(facts: CaseFacts, periods: Periods, step: str) -> Refusal | None:
    """Possible once the party's circumstances are recorded, or for a decision that may find the facts not
    established: the case view does not offer a penalty decision before them (an on-the-spot one included)."""
    if facts.circumstances is not None or step in _MAY_FIND_FACTS_NOT_ESTABLISHED:
        return None
    return _NO_CIRCUMSTANCES


@_guard("circumstances_recorded", penalty_law(57, 1), possible=_circumstances_on_file)
def circumstances_recorded(facts: CaseFacts, periods: Periods) -> Refusal | None:
    """第五十七条第一款: the head decides “根据情节轻重及具体情况”; a decision that the facts are not established
    needs none."""
    decision = facts.decision
    if decision is not None and decision.outcome is DecisionOutcome.NO_PENALTY_NOT_ESTABLISHED:
        return None
    if facts.circumstances is not None:
        return None
    return _NO_CIRCUMSTANCES


@_guard("circumstances_fit_party", penalty_law(30))
def circumstances_fit_party(facts: CaseFacts, periods: Periods) -> Refusal | None:
    """Age (第三十条) and mental capacity (第三十一条) are a natural person's: an organisation has neither."""
    c = facts.circumstances
    if c is None:
        return _NO_CIRCUMSTANCES
    if facts.party_type == "individual" and c.age is AgeAtAct.NOT_A_PERSON:
        return Refusal(
            "The party is a citizen: record the age at the act (art. 30).",
            "当事人为公民，应当记录其违法时的年龄（第三十条）。",
        )
    if facts.party_type == "organisation" and (
        c.age is not AgeAtAct.NOT_A_PERSON or c.capacity is not MentalCapacity.FULL
    ):
        return Refusal(
            "The party is an organisation: it has no age (art. 30) or mental capacity (art. 31).",
            "当事人为法人或者其他组织，不适用年龄（第三十条）和精神状况（第三十一条）情节。",
        )
    return None


@_guard("no_penalty_where_law_excludes", penalty_law(33))
def no_penalty_where_law_excludes(facts: CaseFacts, periods: Periods) -> Refusal | None:
    """不予行政处罚: under 14 (第三十条), unable to recognise or control the act (第三十一条), a minor act corrected
    in time without harm (第三十三条第一款), no fault proven (第三十三条第二款), or a first violation on an item of the
    agency's first-violation list (第三十三条第一款后句 as the list makes it)."""
    c = facts.circumstances
    if c is None:
        return _NO_CIRCUMSTANCES
    mandatory = [g for g in no_penalty_grounds(c, facts.item) if g[3]]
    if not mandatory:
        return None
    return Refusal(
        "No penalty may be imposed: "
        + "; ".join(f"{en} ({basis.cite()})" for basis, en, _, _ in mandatory)
        + ". Decide no penalty, and educate the party (art. 33(3)).",
        "；".join(f"{zh}（{basis.cite()}）" for basis, _, zh, _ in mandatory)
        + "，依法不予行政处罚，应当作出不予行政处罚决定并对当事人进行教育（第三十三条第三款）。",
        mandatory[0][0],
    )


@_guard("mitigation_applied", penalty_law(32))
def mitigation_applied(facts: CaseFacts, periods: Periods) -> Refusal | None:
    """应当从轻或者减轻: a minor aged 14 to 18 (第三十条) and the grounds of 第三十二条. Lighter means the 从轻 or 减轻
    part of the law's range (重庆市规范行政处罚裁量权办法 第十六条)."""
    c, penalty, item = facts.circumstances, facts.proposed, facts.item
    if c is None:
        return _NO_CIRCUMSTANCES
    if penalty is None:
        return Refusal("No penalty is proposed.", "未提出拟作出的行政处罚。", penalty_law(57))
    if item is None:
        return Refusal(f"Item {facts.item_code} is not in the catalogue.", f"执法事项{facts.item_code}不在清单内。")
    minor = c.age is AgeAtAct.AGED_14_TO_18
    if not minor and not c.mitigations:
        return None
    if lighter_penalty(item, facts.party_type, penalty):
        return None
    why_en, why_zh = [], []
    if minor:
        why_en.append("the party was aged 14 to 18 at the act (art. 30)")
        why_zh.append("当事人违法时已满十四周岁不满十八周岁（第三十条）")
    for m in sorted(c.mitigations):
        why_en.append(f"{m.value} (art. 32({MITIGATION_ITEM[m]}))")
        why_zh.append(f"具有第三十二条第（{MITIGATION_ITEM[m]}）项情形")
    statutory = item.statutory_fines.get(facts.party_type)
    ceiling = ""
    ceiling_zh = ""
    if penalty.fine_fen and statutory is not None:
        top = statutory.min_fen + (statutory.max_fen - statutory.min_fen) * 30 // 100
        ceiling = f"; a lighter fine is at most {money_en(top)}"
        ceiling_zh = f"，从轻处罚的罚款不超过{money_zh(top)}"
    return Refusal(
        f"The penalty shall be lighter (从轻 or 减轻): {'; '.join(why_en)}, and {penalty.describe_en()} is not"
        f"{ceiling} ({CHONGQING_DISCRETION_RULES} art. 16).",
        f"{'；'.join(why_zh)}，应当从轻或者减轻行政处罚，拟作出的处罚不属于从轻或者减轻{ceiling_zh}"
        f"（{CHONGQING_DISCRETION_RULES}第十六条）。",
        penalty_law(30) if minor else penalty_law(32),
    )


@_guard("not_fined_twice", penalty_law(29))
def not_fined_twice(facts: CaseFacts, periods: Periods) -> Refusal | None:
    c, penalty = facts.circumstances, facts.proposed
    if c is None:
        return _NO_CIRCUMSTANCES
    if c.already_fined_by is None or penalty is None or not penalty.fine_fen:
        return None
    return Refusal(
        f"The same act was already fined by {c.already_fined_by}: one act is not fined twice (art. 29).",
        f"当事人的同一个违法行为已由{c.already_fined_by}给予罚款，不得给予两次以上罚款的行政处罚（第二十九条）。",
    )


@_guard("no_penalty_ground_recorded", penalty_law(57, 1))
def no_penalty_ground_recorded(facts: CaseFacts, periods: Periods) -> Refusal | None:
    """第五十七条第一款第二项: “违法行为轻微，依法可以不予行政处罚的，不予行政处罚” — a no-penalty decision on
    that ground rests on a ground the law gives (第三十条、第三十一条、第三十三条) in the recorded circumstances."""
    decision = facts.decision
    if decision is None:
        return Refusal("No decision is proposed.", "未提出拟作出的决定。")
    if decision.outcome is not DecisionOutcome.NO_PENALTY_MINOR:
        return None
    c = facts.circumstances
    if c is None:
        return _NO_CIRCUMSTANCES
    if no_penalty_grounds(c, facts.item):
        return None
    return Refusal(
        "No penalty is decided only on a ground the law gives — under 14 (art. 30), unable to recognise or "
        "control the act (art. 31), a minor act corrected in time without harm, a first violation with minor harm "
        "corrected in time, or no fault proven (art. 33) — and the recorded circumstances give none.",
        "不予行政处罚应当有法定情形——不满十四周岁（第三十条）、不能辨认或者控制自己行为（第三十一条）、违法行为轻微并及时改正"
        "没有造成危害后果、初次违法且危害后果轻微并及时改正、没有主观过错（第三十三条）——记录的情节均不具备。",
    )


@_guard("decision_evidence_recorded", penalty_law(40))
def decision_evidence_recorded(facts: CaseFacts, periods: Periods) -> Refusal | None:
    """第四十条: no penalty where the facts are unclear or the evidence insufficient. The decision cites the records
    it relies on — inquiries, inspections, evidence collected — and each is an entry of this case of such a kind."""
    cited = facts.cited_evidence
    if not cited:
        return Refusal(
            "The decision cites no evidence: it names the entries (inquiry or inspection records, evidence "
            "collected) the facts rest on (art. 40).",
            "处罚决定未载明所依据的证据：应当列明认定事实所依据的询问笔录、现场检查笔录、证据材料等记录（第四十条）。",
        )
    problems_en: list[str] = []
    problems_zh: list[str] = []
    for seq in cited:
        kind = facts.case_entries.get(seq)
        if kind is None:
            problems_en.append(f"entry {seq} is not an entry of this case")
            problems_zh.append(f"第{seq}号记录不是本案的记录")
        elif kind not in EVIDENCE_ENTRY_TYPES:
            problems_en.append(f"entry {seq} ({kind}) records no evidence")
            problems_zh.append(f"第{seq}号记录（{kind}）不是证据")
    if not problems_en:
        return None
    return Refusal(
        "The decision rests on recorded evidence of this case: " + "; ".join(problems_en) + " (art. 40).",
        "处罚决定应当以本案已记录的证据为依据：" + "；".join(problems_zh) + "（第四十条）。",
    )


# --- what may be sealed or seized, and testing or appraisal of what is (行政强制法 第二十三条、第二十五条第三款) ---


def seized_thing_key(identifier: str) -> str:
    """The form in which a seized thing's identifier is compared across seizures and cases (第二十三条第二款), and an
    approving body's name with the catalogue's: NFKC-normalised (full-width ＡＢ１ is AB1), without whitespace,
    case-folded — 渝D 12345 and 渝d12345 are one."""
    return "".join(unicodedata.normalize("NFKC", identifier).split()).casefold()


@_guard("seizure_limited_to_the_case", coercion_law(23, 1))
def seizure_limited_to_the_case(facts: CaseFacts, periods: Periods) -> Refusal | None:
    """第二十三条第一款: only places, facilities or things involved in the case — each states how — and never a
    citizen's or his dependants' necessities of life."""
    seizure = _decided_now(facts)
    if seizure is None:
        return Refusal("No sealing or seizure is decided.", "未作出查封、扣押决定。")
    if not seizure.things:
        return Refusal(
            "The list names the places, facilities or things sealed or seized (art. 24); it names none.",
            "查封、扣押清单应当载明查封、扣押的场所、设施或者财物（第二十四条），清单为空。",
            coercion_law(24),
        )
    unrelated = [t.name for t in seizure.things if not t.relation_to_act.strip() or not t.identifier.strip()]
    if unrelated:
        return Refusal(
            "Each place, facility or thing sealed or seized is involved in the case: its identifier and how it "
            f"relates to the act are stated, and not for {', '.join(unrelated)} (art. 23(1)).",
            f"查封、扣押限于涉案的场所、设施或者财物，应当逐项载明其标识及与违法行为的关联；{'、'.join(unrelated)}"
            "未载明（第二十三条第一款）。",
        )
    necessities = [t.name for t in seizure.things if t.necessity_of_life]
    if necessities:
        return Refusal(
            f"{', '.join(necessities)}: the necessities of life of a citizen and the dependants he supports are "
            "never sealed or seized (art. 23(1)).",
            f"{'、'.join(necessities)}属于公民个人及其所扶养家属的生活必需品，不得查封、扣押（第二十三条第一款）。",
        )
    return None


@_guard("not_sealed_twice", coercion_law(23, 2))
def not_sealed_twice(facts: CaseFacts, periods: Periods) -> Refusal | None:
    """第二十三条第二款: what another state organ has already sealed is not sealed again; nor, within the agency, what
    another seizure still holds — in this case or another (compared by seized_thing_key)."""
    seizure = _decided_now(facts)
    if seizure is None:
        return Refusal("No sealing or seizure is decided.", "未作出查封、扣押决定。")
    by_others = [t.name for t in seizure.things if t.sealed_by_other_organ]
    if by_others:
        return Refusal(
            f"{', '.join(by_others)}: already sealed by another state organ under the law, not sealed again "
            "(art. 23(2)).",
            f"{'、'.join(by_others)}已被其他国家机关依法查封，不得重复查封（第二十三条第二款）。",
        )
    held_here = {
        seized_thing_key(t.identifier): f"seizure no. {s.number} of this case"
        for s in facts.seizures
        if s.held and s is not seizure
        for t in s.things
        if t.identifier.strip()
    }
    held_zh = {
        seized_thing_key(t.identifier): f"本案第{s.number}项查封、扣押"
        for s in facts.seizures
        if s.held and s is not seizure
        for t in s.things
        if t.identifier.strip()
    }
    again_en: list[str] = []
    again_zh: list[str] = []
    listed: set[str] = set()
    for thing in seizure.things:
        key = seized_thing_key(thing.identifier)
        if key in listed:
            again_en.append(f"{thing.name} ({thing.identifier}) is listed twice")
            again_zh.append(f"{thing.name}（{thing.identifier}）在清单中重复列明")
        elif key in held_here:
            again_en.append(f"{thing.name} ({thing.identifier}) is held by {held_here[key]}")
            again_zh.append(f"{thing.name}（{thing.identifier}）已由{held_zh[key]}查封、扣押")
        elif key in facts.seized_elsewhere:
            case, number = facts.seized_elsewhere[key]
            again_en.append(f"{thing.name} ({thing.identifier}) is held by seizure no. {number} of case {case}")
            again_zh.append(f"{thing.name}（{thing.identifier}）已由{case}案第{number}项查封、扣押")
        listed.add(key)
    if not again_en:
        return None
    return Refusal(
        "A thing the agency already holds under a sealing or seizure not yet ended is not sealed again: "
        + "; ".join(again_en)
        + " (art. 23(2)).",
        "已被查封、扣押且尚未解除的场所、设施或者财物，不得重复查封、扣押："
        + "；".join(again_zh)
        + "（第二十三条第二款）。",
    )


def _appraisal_now(facts: CaseFacts, attribute: str) -> tuple[SeizureFacts, AppraisalFacts] | None:
    seizure = _named(facts)
    if seizure is None or not seizure.appraisals:
        return None
    latest = seizure.appraisals[-1]
    return (seizure, latest) if getattr(latest, attribute) == facts.now else None


@_guard("seizure_appraisal_lawful", coercion_law(25, 3), possible=_something_held)
def seizure_appraisal_lawful(facts: CaseFacts, periods: Periods) -> Refusal | None:
    """第二十五条第三款: things held may be tested or appraised, one appraisal at a time, begun within the seizure's
    period; the appraisal's period is stated and the party told it in writing."""
    seizure = _named(facts)
    if seizure is None or not seizure.held:
        return _not_held(facts)
    found = _appraisal_now(facts, "started_at")
    if found is None:
        return Refusal("No testing or appraisal is started.", "未开始检测、检验、检疫或者技术鉴定。")
    _, appraisal = found
    if any(a.ended_at is None for a in seizure.appraisals[:-1]):
        return Refusal(
            f"Seizure {seizure.number}'s things are already under testing or appraisal: end it first.",
            f"第{seizure.number}项查封、扣押的财物正在检测、检验、检疫或者技术鉴定，应当先记录其结束。",
        )
    if appraisal.stated_days is None or not appraisal.told_in_writing:
        return Refusal(
            "The period of testing, inspection, quarantine or technical appraisal is stated and the party told it in "
            "writing (art. 25(3)); "
            + ("no period is stated" if appraisal.stated_days is None else "no written notice is recorded")
            + ".",
            "检测、检验、检疫或者技术鉴定的期间应当明确，并书面告知当事人（第二十五条第三款）；"
            + ("未载明期间" if appraisal.stated_days is None else "未记录书面告知")
            + "。",
        )
    before = replace(seizure, appraisals=seizure.appraisals[:-1])
    last = before.last_day()
    if _today(facts) > last:
        return Refusal(
            f"Seizure {seizure.number}'s period ended on {last.isoformat()}: an appraisal does not revive it; the "
            "things are to be released (art. 28(4)).",
            f"第{seizure.number}项查封、扣押的期限已于{last.isoformat()}届满，检测、鉴定不能使其恢复，应当解除"
            "（第二十八条第一款第四项）。",
        )
    return None


@_guard("seizure_appraisal_running", coercion_law(25, 3), possible=_appraisal_under_way)
def seizure_appraisal_running(facts: CaseFacts, periods: Periods) -> Refusal | None:
    found = _appraisal_now(facts, "ended_at")
    if found is not None and found[1].endings == 1:
        return None
    return Refusal(
        f"No testing or appraisal of seizure {facts.seizure_named}'s things is under way.",
        f"第{facts.seizure_named}项查封、扣押的财物没有正在进行的检测、检验、检疫或者技术鉴定。",
    )


# --- the agency's own compulsory execution (行政强制法 第四章第一节: 第三十四条至第四十四条) ---
#
# Where a law gives the agency the power (城乡规划法 第六十五条: a township demolishes what was built against the
# permit once its order is not performed), the agency executes its order itself: the reminder with its period
# (第三十五条), the party's statement and defence heard and re-examined (第三十六条), the written decision
# (第三十七条), for a building the announcement giving a period to demolish it oneself (第四十四条), and the
# demolition once that period and the party's remedy periods passed with no remedy pending — never at night or on
# a rest day unless urgent, never by cutting water, power, heat or gas (第四十三条). Without the power, the agency
# applies to the people's court (第五十三条).

NIGHT_STARTS_AT_HOUR = 22  # 夜间: 22:00 to 06:00 (噪声污染防治法 第八十八条第二项, the one statutory definition)
NIGHT_ENDS_AT_HOUR = 6
_SUPPLIES_ZH = {"water": "供水", "power": "供电", "heat": "供热", "gas": "供燃气"}


def at_night(moment: datetime) -> bool:
    """Whether ``moment`` falls in the night (夜间) as counted in Asia/Shanghai."""
    hour = moment.astimezone(SHANGHAI).hour
    return hour >= NIGHT_STARTS_AT_HOUR or hour < NIGHT_ENDS_AT_HOUR


def _order_unperformed(facts: CaseFacts) -> Refusal | None:
    """The order decided was not performed in its time: re-inspected after its deadline and found not corrected."""
    decision, order = facts.decision, facts.correction
    if decision is None or decision.served_at is None:
        return Refusal("The decision has not been served.", "行政决定书尚未送达。", penalty_law(61))
    suspended = next((r for r in facts.remedies if r.decided_on is None and r.execution_suspended), None)
    if suspended is not None:
        return Refusal(
            f"Execution is suspended while the {suspended.kind} filed on {suspended.filed_on.isoformat()} is pending "
            "(art. 73(1)).",
            f"{suspended.filed_on.isoformat()}提起的{_KIND_ZH[suspended.kind]}期间已停止执行（第七十三条第一款）。",
            penalty_law(73, 1),
        )
    if order is None or order.corrected is not False or order.reinspected_at is None:
        return Refusal(
            "The order has not been found unperformed: it is re-inspected after its deadline first (行政处罚法 "
            "art. 28).",
            "尚未经复查认定当事人逾期未履行责令决定（《中华人民共和国行政处罚法》第二十八条）。",
        )
    return None


_NO_POWER_EN = (
    "Item {code} gives the agency no power of compulsory execution: no law lets it execute {what} itself. It "
    "applies to the people's court within three months after the party's remedy periods (行政强制法 art. 53)."
)
_NO_POWER_ZH = (
    "执法事项{code}没有法律授予本机关{what}的行政强制执行权，应当在当事人法定复议、诉讼期限届满之日起三个月内申请"
    "人民法院强制执行（《中华人民共和国行政强制法》第五十三条）。"
)


@_guard("own_execution_power", coercion_law(34), standing=True)
def own_execution_power(facts: CaseFacts, periods: Periods) -> Refusal | None:
    """Only an agency a law empowers executes itself (第十三条、第三十四条), and only in the manner granted."""
    item = facts.item
    if item is None:
        return Refusal(f"Item {facts.item_code} is not in the catalogue.", f"执法事项{facts.item_code}不在清单内。")
    manner = facts.own_execution.manner if facts.own_execution is not None else None
    power = item.own_execution
    if power is None or (manner is not None and manner not in power.manners):
        what_en = "this decision" if manner is None else f"the measure {manner}"
        what_zh = "执行本决定" if manner is None else f"执行{manner}"
        return Refusal(
            _NO_POWER_EN.format(code=item.code, what=what_en),
            _NO_POWER_ZH.format(code=item.code, what=what_zh),
            coercion_law(53),
        )
    decision = facts.decision
    if decision is None or decision.outcome is not DecisionOutcome.ORDER:
        return Refusal(
            "The agency executes itself the order it decided; no such order is decided.",
            "本机关自行强制执行的是其作出的责令决定，本案未作出该决定。",
        )
    return None


@_guard("reminder_served_for_order", coercion_law(35))
def reminder_served_for_order(facts: CaseFacts, periods: Periods) -> Refusal | None:
    """第三十五条第一项: a reminder before the agency's own execution states the period to perform."""
    if facts.decision is None or facts.decision.outcome is not DecisionOutcome.ORDER:
        return None  # a fine's reminder gives the ten working days of 第五十四条
    served, perform_by = facts.reminder_served_at, facts.reminder_perform_by
    if served is None or perform_by is None:
        return Refusal(
            "A reminder to perform an order states the period to perform it (行政强制法 art. 35(1)).",
            "催告书应当载明履行义务的期限（《中华人民共和国行政强制法》第三十五条第一项）。",
        )
    if perform_by <= local_date(served):
        return Refusal(
            f"The period to perform, {perform_by.isoformat()}, is not after the reminder of "
            f"{local_date(served).isoformat()}: it leaves the party no time.",
            f"催告书载明的履行期限{perform_by.isoformat()}不晚于催告之日，未给予当事人履行期限。",
        )
    return None


@_guard("own_reminder_period_over", coercion_law(37), standing=True)
def own_reminder_period_over(facts: CaseFacts, periods: Periods) -> Refusal | None:
    """第三十七条第一款: the decision comes after the reminder, once its period passed unperformed."""
    served, perform_by = facts.reminder_served_at, facts.reminder_perform_by
    if served is None or served > facts.now or perform_by is None:
        return Refusal(
            "The party has not been reminded in writing, with a period, to perform (行政强制法 art. 35): the "
            "compulsory execution decision comes after the reminder.",
            "尚未书面催告当事人限期履行义务，作出强制执行决定前应当催告（《中华人民共和国行政强制法》第三十五条）。",
            coercion_law(35),
        )
    if _today(facts) <= perform_by:
        return Refusal(
            f"The reminder gives the party until {perform_by.isoformat()} to perform: the decision comes only "
            "after that period passed unperformed.",
            f"催告书载明的履行期限至{perform_by.isoformat()}届满，期限届满前不得作出强制执行决定。",
        )
    return None


@_guard("still_unperformed", coercion_law(37), standing=True)
def still_unperformed(facts: CaseFacts, periods: Periods) -> Refusal | None:
    if _revoked_by_remedy(facts) or facts.revoked_by_agency:
        return _REVOKED_NOTHING_TO_EXECUTE
    refusal = _order_unperformed(facts)
    if refusal is None:
        return None
    return Refusal(refusal.reason_en, refusal.reason_zh, refusal.basis or coercion_law(37))


@_guard("execution_statement_lawful", coercion_law(36))
def execution_statement_lawful(facts: CaseFacts, periods: Periods) -> Refusal | None:
    own, served = facts.own_execution, facts.reminder_served_at
    if served is None or own is None or own.statement_at is None or own.statement_at < served:
        return Refusal(
            "The party states and defends after receiving the reminder; none has been served (行政强制法 art. 36).",
            "当事人收到催告书后进行陈述和申辩，尚未送达催告书（《中华人民共和国行政强制法》第三十六条）。",
        )
    return None


@_guard("execution_statement_heard", coercion_law(36), standing=True)
def execution_statement_heard(facts: CaseFacts, periods: Periods) -> Refusal | None:
    """第三十六条: the party's statement and defence are heard, recorded and re-examined; what holds is adopted."""
    own, served = facts.own_execution, facts.reminder_served_at
    if own is None or own.statement_at is None or served is None or own.statement_at < served:
        return Refusal(
            "The party's statement and defence after the reminder have not been heard, recorded and re-examined.",
            "尚未听取、记录、复核当事人收到催告书后的陈述和申辩。",
        )
    if own.statement_accepted:
        return Refusal(
            "The facts, reasons or evidence the party gave were found to hold: the agency adopts them and does not "
            "execute (行政强制法 art. 36).",
            "当事人提出的事实、理由或者证据成立，行政机关应当采纳，不得作出强制执行决定（《中华人民共和国行政强制法》"
            "第三十六条）。",
        )
    return None


@_guard("own_execution_decision_complete", coercion_law(37))
def own_execution_decision_complete(facts: CaseFacts, periods: Periods) -> Refusal | None:
    """第三十七条第二款: the decision states the party, the grounds and basis, the manner and the time, and the
    remedies; the party is the case's (its name and address are kept out of the ledger, and the document reads
    them from the case). Decided once."""
    own = facts.own_execution
    if own is None or own.decided_at != facts.now or own.manner is None or own.execute_on is None:
        return Refusal("No compulsory execution decision is given.", "未作出强制执行决定。")
    if own.decisions != 1:
        return Refusal("The compulsory execution decision was already made.", "已经作出强制执行决定。")
    if own.execute_on < _today(facts):
        return Refusal(
            f"The time of execution, {own.execute_on.isoformat()}, is before the decision.",
            f"强制执行的时间{own.execute_on.isoformat()}早于决定之日。",
        )
    return None


@_guard("demolition_announcement_lawful", coercion_law(44))
def demolition_announcement_lawful(facts: CaseFacts, periods: Periods) -> Refusal | None:
    own = facts.own_execution
    if own is None or own.decided_at is None or own.announced_at != facts.now or own.demolish_by is None:
        return Refusal("No compulsory execution decision is made.", "尚未作出强制执行决定。", coercion_law(37))
    if own.demolish_by <= _today(facts):
        return Refusal(
            f"The announcement gives the party a period to demolish it themselves; {own.demolish_by.isoformat()} "
            "leaves none.",
            f"公告应当限期当事人自行拆除，{own.demolish_by.isoformat()}未给予期限。",
        )
    return None


@_guard("demolition_periods_over", coercion_law(44), standing=True)
def demolition_periods_over(facts: CaseFacts, periods: Periods) -> Refusal | None:
    """第四十四条: a building is demolished only after the announcement's period, and after the party's periods to
    apply for reconsideration or sue passed with no remedy pending; not before the time the decision set."""
    own, decision = facts.own_execution, facts.decision
    if _revoked_by_remedy(facts) or facts.revoked_by_agency:
        return _REVOKED_NOTHING_TO_EXECUTE
    if own is None or own.decided_at is None or own.execute_on is None or decision is None:
        return Refusal("No compulsory execution decision is made.", "尚未作出强制执行决定。", coercion_law(37))
    today = _today(facts)
    if today < own.execute_on:
        return Refusal(
            f"The decision sets execution for {own.execute_on.isoformat()}.",
            f"强制执行决定载明的执行时间为{own.execute_on.isoformat()}。",
            coercion_law(37),
        )
    if own.manner == "demolish":
        if own.announced_at is None or own.demolish_by is None:
            return Refusal(
                "A demolition is announced first, giving the party a period to demolish themselves (art. 44).",
                "强制拆除前应当予以公告，限期当事人自行拆除（第四十四条）。",
            )
        if today <= own.demolish_by:
            return Refusal(
                f"The announcement gives the party until {own.demolish_by.isoformat()} to demolish themselves.",
                f"公告限期当事人自行拆除至{own.demolish_by.isoformat()}届满。",
            )
    pending = _remedy_pending(facts)
    if pending is not None:
        return Refusal(
            f"The party's {pending.kind} filed on {pending.filed_on.isoformat()} is pending: nothing is demolished "
            "while it is (art. 44).",
            f"当事人于{pending.filed_on.isoformat()}提起的{_KIND_ZH[pending.kind]}尚未审结，不得强制拆除（第四十四条）。",
        )
    assert decision.served_at is not None
    end = remedy_periods_end(facts.calendar, local_date(decision.served_at), facts.remedies)
    assert end is not None
    if today > end:
        return None
    return Refusal(
        f"The party may still apply for reconsideration (60 days) or sue (6 months) until {end.isoformat()}: "
        "the agency executes only after those periods passed with no remedy (art. 44).",
        f"当事人申请行政复议（六十日）、提起行政诉讼（六个月）的期限至{end.isoformat()}届满，期限届满前不得强制执行"
        "（第四十四条）。",
    )


@_guard("not_at_night_or_on_rest_days", coercion_law(43, 1))
def not_at_night_or_on_rest_days(facts: CaseFacts, periods: Periods) -> Refusal | None:
    """第四十三条第一款: not at night nor on statutory holidays, unless urgent. A day off in the agency's calendar
    (the State Council's holidays and the weekly rest days) is not a day to execute."""
    own = facts.own_execution
    if own is not None and own.emergency.strip():
        return None
    local = facts.now.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    if at_night(facts.now):
        return Refusal(
            f"{local} is at night (22:00 to 06:00): compulsory execution is not carried out at night unless the "
            "situation is urgent, and no urgency is stated.",
            f"{local}属于夜间（二十二时至次日六时），除情况紧急外不得实施行政强制执行，未说明紧急情况。",
        )
    if not facts.calendar.is_workday(_today(facts)):
        return Refusal(
            f"{_today(facts).isoformat()} is a rest day or statutory holiday in the agency's calendar: compulsory "
            "execution is not carried out then unless the situation is urgent, and no urgency is stated.",
            f"{_today(facts).isoformat()}为法定节假日或者休息日，除情况紧急外不得实施行政强制执行，未说明紧急情况。",
        )
    return None


@_guard("no_supplies_cut", coercion_law(43, 2))
def no_supplies_cut(facts: CaseFacts, periods: Periods) -> Refusal | None:
    own = facts.own_execution
    cut = own.supplies_cut if own is not None else ()
    if not cut:
        return None
    return Refusal(
        f"Cutting {', '.join(cut)} to a dwelling to force the party is forbidden (行政强制法 art. 43(2)).",
        f"行政机关不得对居民生活采取停止{'、'.join(_SUPPLIES_ZH[c] for c in cut)}等方式迫使当事人履行行政决定。",
    )


@_guard("own_execution_settled", coercion_law(44), standing=True)
def own_execution_settled(facts: CaseFacts, periods: Periods) -> Refusal | None:
    """A case whose own execution was decided closes once it was carried out, or the party performed (the
    re-inspection after the decision found it corrected), or execution lawfully ended (第四十条)."""
    own = facts.own_execution
    if own is None or own.decided_at is None or own.carried_out_at is not None:
        return None
    if facts.execution_ended_ground is not None:
        return None
    order = facts.correction
    if order is not None and order.corrected and order.reinspected_at and order.reinspected_at >= own.decided_at:
        return None
    return Refusal(
        "The compulsory execution decided has been neither carried out nor made unnecessary by the party's own "
        "performance, nor lawfully ended.",
        "已作出的强制执行决定既未执行完毕，当事人也未自行履行，亦未依法终结执行，不得结案。",
    )


# --- restitution (执行回转, 行政强制法 第四十一条) ---


def set_aside_after_execution(facts: CaseFacts) -> str | None:
    """How the decision executed was set aside — ``revoked`` (by a remedy or the agency) or ``changed`` — or None."""
    if facts.revoked_by_agency or _revoked_by_remedy(facts):
        return "revoked"
    if any(r.result == "changed" for r in facts.remedies if r.decided_on is not None):
        return "changed"
    return None


def refund_due_fen(facts: CaseFacts, periods: Periods) -> int:
    """What was paid beyond what the decision, as changed or revoked, still requires: refunded (第四十一条)."""
    if set_aside_after_execution(facts) is None:
        return 0
    paid = sum(amount for _, amount in _payments(facts))
    if set_aside_after_execution(facts) == "revoked":
        return paid
    due_now = _owed_now(facts, periods)
    return max(paid - (due_now.total_fen if due_now is not None else 0), 0)


def things_to_restore(facts: CaseFacts) -> tuple[str, ...]:
    """What was executed other than money and must be restored or compensated once the decision is revoked:
    things confiscated, a building demolished."""
    if set_aside_after_execution(facts) != "revoked":
        return ()
    out = []
    decision, execution = facts.decision, facts.execution
    confiscated = any(s.ended_how == "confiscated" for s in facts.seizures) or bool(
        decision is not None
        and decision.penalty is not None
        and decision.penalty.kinds & CONFISCATION_KINDS
        and execution is not None
        and execution.non_fine_penalties_performed
    )
    if confiscated:
        out.append("confiscated")
    if facts.own_execution is not None and facts.own_execution.carried_out_at is not None:
        out.append("executed_by_the_agency")
    return tuple(out)


_RESTORING_KINDS = frozenset({"return_property", "restore", "compensate"})


@_guard("restitution_lawful", coercion_law(41), "payment_calendar_days", "late_fee_basis_points_per_day")
def restitution_lawful(facts: CaseFacts, periods: Periods) -> Refusal | None:
    """What is recorded is owed: money refunded up to what was paid beyond the decision as it now stands; things
    restored, returned or compensated when a decision executed on them was revoked."""
    if not facts.restitutions:
        return Refusal("No restitution is given.", "未载明恢复原状、退还财物或者赔偿的情况。")
    this = facts.restitutions[-1]
    due = refund_due_fen(facts, periods)
    if this.kind == "refund":
        refunded = sum(r.amount_fen for r in facts.restitutions if r.kind == "refund")
        if this.amount_fen <= 0 or refunded > due:
            return Refusal(
                f"Refunds of {money_en(refunded)} exceed the {money_en(due)} paid beyond the decision as it now "
                "stands.",
                f"退还金额合计{money_zh(refunded)}，超过当事人多缴纳的{money_zh(due)}。",
            )
        return None
    if not things_to_restore(facts):
        return Refusal(
            "Nothing executed other than money awaits restoration: no decision executed on things or a building "
            "was revoked.",
            "没有因据以执行的行政决定被撤销而需要恢复原状、退还财物或者赔偿的执行。",
        )
    if this.kind == "compensate" and this.amount_fen <= 0:
        return Refusal("Compensation states its amount.", "赔偿应当载明数额。")
    return None


@_guard(
    "restitution_settled", coercion_law(41), "payment_calendar_days", "late_fee_basis_points_per_day", standing=True
)
def restitution_settled(facts: CaseFacts, periods: Periods) -> Refusal | None:
    """第四十一条: after the decision executed was changed or revoked, what was paid beyond it is refunded and what
    was taken or demolished restored, returned or compensated before the case closes or is archived."""
    due = refund_due_fen(facts, periods)
    refunded = sum(r.amount_fen for r in facts.restitutions if r.kind == "refund")
    problems_en: list[str] = []
    problems_zh: list[str] = []
    if refunded < due:
        problems_en.append(f"{money_en(due - refunded)} paid beyond the decision as it now stands is not refunded")
        problems_zh.append(f"当事人多缴纳的{money_zh(due - refunded)}尚未退还")
    if things_to_restore(facts) and not any(r.kind in _RESTORING_KINDS for r in facts.restitutions):
        problems_en.append("what was confiscated or demolished is neither restored, returned nor compensated")
        problems_zh.append("已执行的财物或者建筑物尚未恢复原状、退还或者赔偿")
    if not problems_en:
        return None
    return Refusal(
        "The decision executed was changed or revoked: " + "; ".join(problems_en) + " (行政强制法 art. 41).",
        "据以执行的行政决定已被变更或者撤销："
        + "；".join(problems_zh)
        + "（《中华人民共和国行政强制法》第四十一条）。",
    )


# --- an order executed by the people's court (行政强制法 第五十三条、第五十七条、第五十八条) ---


@_guard("court_execution_lawful", coercion_law(57))
def court_execution_lawful(facts: CaseFacts, periods: Periods) -> Refusal | None:
    """第五十七条: on the agency's application the court examines it and rules to execute; the order is executed
    on that ruling, after it. What is recorded is the court's ruling and the execution, from its documents — a
    refusal to execute ends execution instead (end_execution, 第五十八条), and a fine executed by the court is
    recorded from the money it collected (record_payment, record_execution)."""
    decision, executed, applied = facts.decision, facts.court_executed, facts.court_applied_at
    if decision is None or decision.outcome is not DecisionOutcome.ORDER:
        return Refusal(
            "A fine executed by the court is recorded from the money it collected (record_payment, then "
            "record_execution); this records an order the court executed.",
            "人民法院强制执行罚款的，依据执行款登记缴款后记录执行完毕；本步骤记录人民法院执行的责令决定。",
            penalty_law(67, 3),
        )
    if _revoked_by_remedy(facts) or facts.revoked_by_agency:
        return _REVOKED_NOTHING_TO_EXECUTE
    if applied is None or executed is None:
        return Refusal(
            "The court was not applied to: it cannot have ruled to execute (行政强制法 art. 53).",
            "未申请人民法院强制执行，不存在准予执行的裁定（《中华人民共和国行政强制法》第五十三条）。",
            coercion_law(53),
        )
    applied_on, today = local_date(applied), _today(facts)
    if not applied_on <= executed.ruled_on <= executed.carried_out_on <= today:
        return Refusal(
            f"The court rules after the application of {applied_on.isoformat()} and the order is executed after the "
            f"ruling, by today {today.isoformat()}: a ruling of {executed.ruled_on.isoformat()} and an execution on "
            f"{executed.carried_out_on.isoformat()} are not in that order.",
            f"人民法院在{applied_on.isoformat()}申请之后裁定，裁定之后执行，且不晚于今日{today.isoformat()}："
            f"裁定日期{executed.ruled_on.isoformat()}、执行日期{executed.carried_out_on.isoformat()}不符合该顺序。",
        )
    return None


GUARDS: Mapping[str, Guard] = MappingProxyType(dict(_REGISTRY))
