"""The case file (案卷): what the case's entries have established, folded one transition at a time.

``CaseFile`` is the typed, immutable form every reader uses (``Case.case_file``); it is stored as JSON on the case
row exactly as the entries made it (``stored()``), so a ledger written before the type existed replays to the
same rows. ``apply`` is the one place that says what each step of the procedure changes: it takes a file and
returns a new one. The projector stores its result; the case service applies the *requested* step to the file
first and hands the result to the guards, so a rule is always checked against the case as it would be after the
act. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from service.cases.deadlines import DeadlineExtension
from service.cases.execution import Instalment, Remedy
from service.cases.guards import (
    AgeAtAct,
    AppraisalFacts,
    Circumstances,
    CourtExecutedFacts,
    DecisionFacts,
    DecisionOutcome,
    ExecutionFacts,
    Harm,
    HearingFacts,
    InstalmentFacts,
    MentalCapacity,
    Mitigation,
    OwnExecutionFacts,
    Penalty,
    PreservationFacts,
    PriorNotice,
    RestitutionFacts,
    SeizedThingFacts,
    SeizureFacts,
    SetterApproval,
    StatementStatus,
)
from service.cases.schedule import execution_remedies
from service.inputs import INT64_MAX
from service.ledger.canonical import format_instant, parse_instant
from service.policy.catalogue import PenaltyKind

# Instants are kept as the ledger writes them (service.ledger.canonical.format_instant), dates as YYYY-MM-DD:
# the stored JSON is exactly what the entries established.
Instant = str


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PenaltyRecord(_Record):
    kinds: tuple[str, ...]
    fine_fen: int = 0
    confiscated_value_fen: int = 0


class NoticeRecord(_Record):
    """The prior notice served (行政处罚事先告知书, 第四十四条)."""

    penalty: PenaltyRecord
    facts: str = ""
    reasons: str = ""
    basis: str = ""
    informs_statement_and_defence: bool = False
    informs_hearing_right: bool = False
    method: str = "in_person"
    served_at: Instant | None = None


class HearingRecord(_Record):
    """The hearing sub-procedure (第六十四条); empty until something happens."""

    requested_at: Instant | None = None
    waived: bool = False
    notified_at: Instant | None = None
    scheduled_for: Instant | None = None
    chair_id: str | None = None
    held_at: Instant | None = None


class ExtensionRecord(_Record):
    calendar_days: int
    approved_at: Instant
    approved_by: str


class ReviewRecord(_Record):
    """A legal review (法制审核, 第五十八条): requested, taken, its opinion, its signature."""

    review_id: str
    frozen_seq: int
    frozen_head: str
    draft: dict[str, Any]
    materials: str
    requested_at: Instant
    opinion: str | None = None
    signed: bool = False
    taken_by: str | None = None
    taken_at: Instant | None = None
    checks: dict[str, Any] | None = None
    comment: str | None = None
    statement: str | None = None
    key_id: str | None = None
    signature: str | None = None


class DiscussionRecord(_Record):
    """The heads' collective discussion (集体讨论, 第五十七条第二款)."""

    held_on: str
    attendees: tuple[str, ...]
    heads: tuple[str, ...]
    opinions: dict[str, str]
    conclusion: str
    chair: str


class DecisionRecord(_Record):
    outcome: str
    penalty: PenaltyRecord | None
    decided_at: Instant
    served_at: Instant | None
    served_on_the_spot: bool
    # The actor and officers who took it: they do not collect the fine (第六十七条第二款).
    decided_by: tuple[str, ...] = ()
    # The entries of the case the decision relies on, by number (第四十条).
    evidence: tuple[int, ...] = ()


class PaymentRecord(_Record):
    """One payment (第六十七条至第七十条): the bank's receipt, or the special receipt of an on-the-spot collection."""

    amount_fen: int
    paid_on: str
    receipt: str
    collected_on_the_spot: bool = False
    on_the_spot_ground: str | None = None
    recorded_by: str
    officers: tuple[str, ...] = ()


class ExecutionRecord(_Record):
    paid_fen: int
    last_payment_on: str | None
    non_fine_penalties_performed: bool
    completed_at: Instant | None
    payments: tuple[PaymentRecord, ...] = ()


class CorrectionRecord(_Record):
    """An order to correct (责令改正, 第二十八条) and its re-inspection."""

    measure: str
    requirement: str
    deadline: str
    ordered_at: Instant
    reinspected_at: Instant | None = None
    corrected: bool | None = None
    reinspections: int = 0  # more than one: re-inspected again without a new order


class PreservationRecord(_Record):
    """Evidence preserved by registration (先行登记保存, 第五十六条)."""

    approved_at: Instant | None = None
    registered_at: Instant | None = None
    decided_at: Instant | None = None
    decisions: int = 0  # more than one: decided again (the guard preservation_registered refuses it)


class ApprovalRequestRecord(_Record):
    """An officer's request for one of the head's approvals, open until the head gives it."""

    requested_at: Instant
    requested_by: str  # the actor
    grounds: str


class RecusalApplicationRecord(_Record):
    """An application for an officer's recusal (第四十三条), open until the head decides it."""

    applied_at: Instant
    recorded_by: str  # the actor who recorded it
    applicant: str  # party or officer
    grounds: str


class SeizedThing(_Record):
    """One line of the list of things sealed or seized (查封、扣押清单, 行政强制法 第二十四条)."""

    name: str
    quantity: str
    note: str = ""
    # 行政强制法 第二十三条 (recorded since the rule was enforced; a list from before has none of these).
    identified_by: str = ""
    identifier: str = ""
    relation_to_act: str = ""
    necessity_of_life: bool = False
    sealed_by_other_organ: bool = False


class AppraisalRecord(_Record):
    """Seized things under testing, inspection, quarantine or technical appraisal (行政强制法 第二十五条第三款)."""

    kind: str
    institution: str
    calendar_days: int | None  # the period stated to the party; None: not stated (refused)
    written_notice: dict[str, str] | None  # {document, method}; None: the party not told in writing (refused)
    started_at: Instant
    ended_at: Instant | None = None
    result: str = ""
    endings: int = 0  # more than one: ended again (refused)


class SeizureRecord(_Record):
    """A sealing or seizure (查封、扣押, 行政强制法 第二十二条至第二十八条): approved, decided, extended, ended."""

    number: int
    approved_at: Instant | None = None
    approved_by: str | None = None
    approved_before: bool = False
    approvals: int = 0  # more than one: approved again (refused)
    urgent: bool = False
    decided_at: Instant | None = None
    kind: str = ""  # seal (查封) or seize (扣押)
    reason: str = ""
    basis: str = ""
    place: str = ""
    things: tuple[SeizedThing, ...] = ()
    delivered_on_the_spot: bool = False
    extensions: int = 0
    extended_days: int = 0
    extended_at: Instant | None = None
    extension_reason: str = ""
    ended_at: Instant | None = None
    endings: int = 0  # more than one: released, confiscated or transferred again (refused)
    ended_how: str | None = None  # released (第二十八条), confiscated (第二十七条), transferred (第二十一条)
    release_ground: str | None = None
    returned: str = ""
    appraisals: tuple[AppraisalRecord, ...] = ()  # 第二十五条第三款: in the order started


class InstalmentRecord(_Record):
    """The party's application to pay in instalments or later (第六十六条第二款), and the head's decision."""

    kind: str  # instalments | deferral
    plan: tuple[dict[str, Any], ...]  # {due_on: YYYY-MM-DD, amount_fen}
    hardship: str
    applied_at: Instant
    paid_before_fen: int = 0  # paid before the application: due on the decision's own day
    approved: bool | None = None  # None: not decided yet
    decided_at: Instant | None = None
    decided_by: str | None = None
    previous: str | None = None  # the application this one would replace, when pending or approved


class ReminderRecord(_Record):
    """A reminder (催告书, 行政强制法 第三十五条) served in writing."""

    served_at: Instant
    method: str
    perform_by: str | None = None  # the period it states (第三十五条第一项)


class CourtExecutionRecord(_Record):
    """The application to the people's court for compulsory execution (行政强制法 第五十三条、第五十四条)."""

    court: str
    applied_at: Instant


class ExecutionEndRecord(_Record):
    """Execution lawfully ended (终结执行, 行政强制法 第四十条; or the court refused to execute, 第五十八条)."""

    ground: str
    ended_at: Instant


class RemedyRecord(_Record):
    """An administrative reconsideration or lawsuit against the decision (行政处罚法 第七条) and its result."""

    kind: str  # reconsideration | lawsuit
    body: str
    filed_on: str
    execution_suspended: bool = False
    recorded_at: Instant
    result: str | None = None  # upheld | changed | revoked | confirmed_illegal
    decided_on: str | None = None
    document: str | None = None
    changed_fine_fen: int | None = None
    follow_up: str | None = None
    result_recorded_at: Instant | None = None


class CourtAppearanceRecord(_Record):
    """The agency's head in court for a lawsuit against it (出庭应诉, 行政诉讼法 第三条第三款)."""

    appeared_on: str
    court: str
    head: str
    note: str = ""


class CircumstancesRecord(_Record):
    """The party's circumstances the decision considers (第二十九条至第三十三条), as last recorded."""

    age_at_act: str
    mental_capacity: str
    mitigations: tuple[str, ...] = ()
    minor_violation: bool = False
    harm: str
    corrected_in_time: bool = False
    first_violation: bool = False
    no_fault_proven: bool = False
    fined_before: dict[str, str] | None = None
    findings: str
    recorded_at: Instant


class OwnExecutionRecord(_Record):
    """The agency's own compulsory execution (行政强制法 第三十四条至第四十四条), as far as it went."""

    statement_at: Instant | None = None  # 第三十六条
    statement: str = ""
    review: str = ""
    statement_accepted: bool | None = None
    decided_at: Instant | None = None  # 第三十七条
    manner: str | None = None
    grounds: str = ""
    basis: str = ""
    how: str = ""
    execute_on: str | None = None
    remedies: str = ""
    served_by: str = ""
    decisions: int = 0  # more than one: decided again (refused)
    announced_at: Instant | None = None  # 第四十四条
    announcement: str = ""
    posted_at: str = ""
    demolish_by: str | None = None
    carried_out_at: Instant | None = None
    record: str = ""
    emergency: str = ""  # 第四十三条第一款
    supplies_cut: tuple[str, ...] = ()  # 第四十三条第二款 (refused)


class CourtExecutedRecord(_Record):
    """An order executed on the people's court's ruling (行政强制法 第五十七条), from its documents."""

    ruling: str
    ruled_on: str
    carried_out_on: str
    record: str
    recorded_at: Instant


class RestitutionRecord(_Record):
    """Restitution after the decision executed was changed or revoked (行政强制法 第四十一条)."""

    kind: str  # refund | return_property | restore | compensate
    what: str
    amount_fen: int = 0
    done_on: str
    recorded_at: Instant


class RecordedDeadline(_Record):
    due_on: str
    provisional: bool


class SetterApprovalRecord(_Record):
    """The approval, by the body that set the discretion standard, of departing from it (重庆市规范行政处罚裁量权办法
    第十九条第二款): its document is an uploaded file of the case, named by its evidence id and SHA-256."""

    body: str
    approver: str
    approved_on: str
    reference_number: str
    evidence_id: str
    document_sha256: str
    recorded_at: Instant
    recorded_by: str


class CaseFile(_Record):
    """The case file: every fact of the case its entries established, and nothing else."""

    procedure: str
    state: str
    item_code: str
    catalogue_version: str
    party_type: str
    filed_at: Instant | None = None
    assigned: tuple[str, ...] = ()
    investigators: tuple[str, ...] = ()
    recused: tuple[str, ...] = ()
    notice: NoticeRecord | None = None
    statement: str = StatementStatus.NONE.value
    hearing: HearingRecord = HearingRecord()
    proposed: PenaltyRecord | None = None
    extensions: tuple[ExtensionRecord, ...] = ()
    discretion_departure_approved: bool = False
    corrections: tuple[CorrectionRecord, ...] = ()
    circumstances: CircumstancesRecord | None = None
    discretion_departure_approved_by: str | None = None  # the actor (重庆市规范行政处罚裁量权办法 第十九条)
    standard_setter_approval: SetterApprovalRecord | None = None  # 办法 第十九条第二款: the district's approval
    reviews: tuple[ReviewRecord, ...] = ()
    collective_discussion_held: bool = False
    collective_discussion: DiscussionRecord | None = None
    decision: DecisionRecord | None = None
    execution: ExecutionRecord | None = None
    preservation: PreservationRecord | None = None
    seizures: tuple[SeizureRecord, ...] = ()
    # The head's approvals officers asked for and not yet given, by the approving step (request_*_approval).
    approval_requests: dict[str, ApprovalRequestRecord] = Field(default_factory=dict)
    # Applications for an officer's recusal not yet decided (第四十三条), by the officer's id.
    recusal_applications: dict[str, RecusalApplicationRecord] = Field(default_factory=dict)
    summary_form_number: str | None = None
    decision_signed: bool = False
    # The documents issued for the case (service/documents/): each kind's latest issue, when it was recorded. What
    # is served is the written decision (第六十一条): serving waits for it (``decision_document_issued``).
    documents_issued: dict[str, Instant] = Field(default_factory=dict)
    discussion_signed: bool = False
    major: bool = False
    revoked_at: Instant | None = None
    erased_fields: tuple[str, ...] = ()
    party_commitments: dict[str, Any] = Field(default_factory=dict)
    deadlines: dict[str, RecordedDeadline] = Field(default_factory=dict)
    # Execution and remedies (行政处罚法 第六十六条、第七十二条、第七十三条; 行政强制法 第三十五条、第五十三条).
    instalments: InstalmentRecord | None = None
    reminders: tuple[ReminderRecord, ...] = ()
    court_execution: CourtExecutionRecord | None = None
    court_executed: CourtExecutedRecord | None = None  # an order executed on the court's ruling (第五十七条)
    execution_ended: ExecutionEndRecord | None = None
    remedies: tuple[RemedyRecord, ...] = ()
    court_appearances: tuple[CourtAppearanceRecord, ...] = ()
    # The agency's own compulsory execution (行政强制法 第三十四条至第四十四条) and restitution (第四十一条).
    own_execution: OwnExecutionRecord | None = None
    restitutions: tuple[RestitutionRecord, ...] = ()

    @classmethod
    def of(cls, stored: Mapping[str, Any]) -> CaseFile:
        """The file stored on a case row."""
        return cls.model_validate(stored)

    def stored(self) -> dict[str, Any]:
        """The JSON the case row stores: the keys the entries set, as they set them."""
        return self.model_dump(mode="json", exclude_unset=True)

    def with_changes(self, **changes: Any) -> CaseFile:
        """A new file with ``changes`` made, each validated as its field's type (a change of the wrong shape is
        refused); the rest of the file, valid already, is carried over as it is. The same file as validating the
        whole file with the changes (no rule of this model spans fields; ``tests/cases/conftest.py`` holds every
        change the case tests make to that), without dumping and parsing the whole file for every change — a
        step makes several."""
        changed = self.model_copy()
        for name, value in _json(changes).items():
            CaseFile.__pydantic_validator__.validate_assignment(changed, name, value)
        return changed

    def latest_review(self) -> ReviewRecord | None:
        return self.reviews[-1] if self.reviews else None


def _json(changes: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _json_value(v) for k, v in changes.items()}


def _json_value(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_unset=True)
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    return value


def new_case_file(procedure: str, state: str, item_code: str, catalogue_version: str, party_type: str) -> CaseFile:
    return CaseFile.of(_new_file_json(procedure, state, item_code, catalogue_version, party_type))


def _new_file_json(
    procedure: str, state: str, item_code: str, catalogue_version: str, party_type: str
) -> dict[str, Any]:
    return {
        "procedure": procedure,
        "state": state,
        "item_code": item_code,
        "catalogue_version": catalogue_version,
        "party_type": party_type,
        "filed_at": None,
        "assigned": [],
        "investigators": [],
        "recused": [],
        "notice": None,
        "statement": StatementStatus.NONE.value,
        "hearing": {},
        "proposed": None,
        "extensions": [],
        "discretion_departure_approved": False,
        "reviews": [],
        "collective_discussion_held": False,
        "decision": None,
        "execution": None,
        "preservation": None,
        "summary_form_number": None,
        "decision_signed": False,
        "discussion_signed": False,
        "major": False,
    }


# -- what each step changes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Act:
    """One step as its entry records it: the state it leads to, its data, who acted, when, and who recorded it."""

    to_state: str
    data: Mapping[str, Any]
    officers: tuple[str, ...]
    at: datetime
    actor: str

    @property
    def when(self) -> Instant:
        return format_instant(self.at)


# A step's effect on the case file: the file after the act, from the file before it. Declared per step in the
# step registry (service/cases/steps.py); the registry also says whether those acting join the investigation.
Effect = Callable[[CaseFile, Act], CaseFile]


def apply(file: CaseFile, effect: Effect, act: Act, *, investigating: bool = False) -> CaseFile:
    """The case file after ``act``: the new state, the investigators it adds, and the step's own effect."""
    moved = file.with_changes(state=act.to_state)
    if investigating:
        moved = joined_investigation(moved, act.officers)
    return effect(moved, act)


def joined_investigation(file: CaseFile, officers: Iterable[str]) -> CaseFile:
    """Officers who investigated (an inquiry, an inspection, evidence collected...) are the case's investigators —
    whom the law keeps out of chairing its hearing (第六十四条第四项) and out of its legal review."""
    return file.with_changes(investigators=sorted(set(file.investigators) | set(officers)))


def no_change(file: CaseFile, act: Act) -> CaseFile:
    """The step moves the case (or records an act in its state) and establishes no other fact."""
    return file


def filing_approved(file: CaseFile, act: Act) -> CaseFile:
    return file.with_changes(filed_at=act.when)


def approval_requested(approval: str) -> Effect:
    """The effect of asking for the head's ``approval`` (the step that gives it): open until that step is taken."""

    def requested(file: CaseFile, act: Act) -> CaseFile:
        request = ApprovalRequestRecord(requested_at=act.when, requested_by=act.actor, grounds=act.data["grounds"])
        return file.with_changes(approval_requests={**file.approval_requests, approval: request})

    return requested


def answering_request(approval: str, effect: Effect) -> Effect:
    """``effect`` of the step ``approval``, which also answers an officer's open request for it (a file with no
    such request is left without the key: files written before requests existed replay to the same JSON)."""

    def answered(file: CaseFile, act: Act) -> CaseFile:
        if approval in file.approval_requests:
            file = file.with_changes(
                approval_requests={k: v for k, v in file.approval_requests.items() if k != approval}
            )
        return effect(file, act)

    return answered


_NO_PRESERVATION = PreservationRecord(approved_at=None, registered_at=None, decided_at=None)


def preservation_approved(file: CaseFile, act: Act) -> CaseFile:
    return file.with_changes(preservation=_NO_PRESERVATION.model_copy(update={"approved_at": act.when}))


def preservation_registered(file: CaseFile, act: Act) -> CaseFile:
    # Applied to a copy before the guards look: without an approval the copy has a record with no approval, and
    # the guard (preservation_approved, 第五十六条) refuses with its rule.
    before = file.preservation or _NO_PRESERVATION
    return file.with_changes(preservation=before.model_copy(update={"registered_at": act.when}))


def preservation_decided(file: CaseFile, act: Act) -> CaseFile:
    before = file.preservation or _NO_PRESERVATION
    decided = before.model_copy(update={"decided_at": act.when, "decisions": before.decisions + 1})
    return file.with_changes(preservation=decided)


# -- sealing and seizure (行政强制法 第十八条、第十九条、第二十四条至第二十八条) --


def _with_seizure(file: CaseFile, number: int, **changes: Any) -> CaseFile:
    """The file with seizure ``number`` changed; unchanged when the case has no such seizure (the guards, which
    read the number the step names, then refuse)."""
    seizures = list(file.seizures)
    for i, seizure in enumerate(seizures):
        if seizure.number == number:
            seizures[i] = seizure.model_copy(update=changes)
            return file.with_changes(seizures=seizures)
    return file


def _seizure(file: CaseFile, number: int) -> SeizureRecord | None:
    return next((s for s in file.seizures if s.number == number), None)


def seizure_approved(file: CaseFile, act: Act) -> CaseFile:
    """Without a number: the head approves a seizure before it is taken (第十八条第一项). With one: the head
    approves, afterwards, an urgent seizure taken on the spot (第十九条)."""
    number = act.data.get("seizure")
    if number is None:
        approval = SeizureRecord(
            number=len(file.seizures) + 1,
            approved_at=act.when,
            approved_by=act.actor,
            approved_before=True,
            approvals=1,
        )
        return file.with_changes(seizures=[*file.seizures, approval])
    before = _seizure(file, number)
    if before is None:
        return file
    changes: dict[str, Any] = {"approvals": before.approvals + 1}
    if before.approved_at is None:
        changes |= {"approved_at": act.when, "approved_by": act.actor}
    return _with_seizure(file, number, **changes)


def seizure_decided(file: CaseFile, act: Act) -> CaseFile:
    """The decision and its list (第二十四条): it takes up the head's approval not yet used, or, taken urgently
    on the spot, stands without one until the head approves it (第十九条). Either way it is the case's last."""
    data = act.data
    taken = {
        "decided_at": act.when,
        "kind": data["kind"],
        "reason": data["reason"],
        "basis": data["basis"],
        "place": data.get("place", ""),
        "things": tuple(SeizedThing.model_validate(t) for t in data["things"]),
        "delivered_on_the_spot": bool(data.get("delivered_on_the_spot", False)),
        "urgent": bool(data.get("urgent", False)),
    }
    last = file.seizures[-1] if file.seizures else None
    if last is not None and last.approved_before and last.decided_at is None and not taken["urgent"]:
        return _with_seizure(file, last.number, **taken)
    new = SeizureRecord.model_validate({"number": len(file.seizures) + 1, **_json(taken)})
    return file.with_changes(seizures=[*file.seizures, new])


def seizure_extended(file: CaseFile, act: Act) -> CaseFile:
    """第二十五条: once, by at most 30 days, with the head's approval; the party is told in writing, with the reason."""
    number = act.data["seizure"]
    before = _seizure(file, number)
    if before is None:
        return file
    return _with_seizure(
        file,
        number,
        extensions=before.extensions + 1,
        extended_days=before.extended_days + act.data["calendar_days"],
        extended_at=act.when,
        extension_reason=act.data["reason"],
    )


def seizure_appraisal_started(file: CaseFile, act: Act) -> CaseFile:
    """第二十五条第三款: the things go for testing or appraisal; the seizure's period stops running meanwhile."""
    number = act.data["seizure"]
    before = _seizure(file, number)
    if before is None:
        return file
    appraisal = AppraisalRecord(
        kind=act.data["kind"],
        institution=act.data["institution"],
        calendar_days=act.data.get("calendar_days"),
        written_notice=act.data.get("written_notice"),
        started_at=act.when,
    )
    return _with_seizure(file, number, appraisals=(*before.appraisals, appraisal))


def seizure_appraisal_ended(file: CaseFile, act: Act) -> CaseFile:
    """The appraisal running on the seizure ends; ending one already ended counts a second ending, and the guard
    (seizure_appraisal_running) refuses it."""
    number = act.data["seizure"]
    before = _seizure(file, number)
    if before is None or not before.appraisals:
        return file
    latest = before.appraisals[-1]
    changes: dict[str, Any] = {"endings": latest.endings + 1}
    if latest.ended_at is None:
        changes |= {"ended_at": act.when, "result": act.data["result"]}
    return _with_seizure(file, number, appraisals=(*before.appraisals[:-1], latest.model_copy(update=changes)))


def _seizure_ended(file: CaseFile, act: Act, how: str, **changes: Any) -> CaseFile:
    number = act.data["seizure"]
    before = _seizure(file, number)
    if before is None:
        return file
    if before.ended_at is not None:
        return _with_seizure(file, number, endings=before.endings + 1)
    return _with_seizure(file, number, ended_at=act.when, ended_how=how, endings=before.endings + 1, **changes)


def seizure_released(file: CaseFile, act: Act) -> CaseFile:
    """第二十八条: released, and the things returned at once."""
    return _seizure_ended(file, act, "released", release_ground=act.data["ground"], returned=act.data["returned"])


def seized_confiscated(file: CaseFile, act: Act) -> CaseFile:
    return _seizure_ended(file, act, "confiscated")


def seized_transferred(file: CaseFile, act: Act) -> CaseFile:
    """第二十一条: what is seized goes to the judicial organs with the case, and the party is told in writing."""
    return _seizure_ended(file, act, "transferred")


def penalty_intended(file: CaseFile, act: Act) -> CaseFile:
    return file.with_changes(proposed=act.data["penalty"])


def prior_notice_served(file: CaseFile, act: Act) -> CaseFile:
    notice = act.data["notice"]
    return file.with_changes(notice={**notice, "served_at": act.when}, proposed=notice["penalty"])


def _hearing(file: CaseFile, **changes: Any) -> CaseFile:
    return file.with_changes(hearing=file.hearing.model_copy(update=changes))


def hearing_requested(file: CaseFile, act: Act) -> CaseFile:
    return _hearing(file, requested_at=act.when)


def hearing_scheduled(file: CaseFile, act: Act) -> CaseFile:
    return _hearing(
        file, notified_at=act.when, scheduled_for=act.data["scheduled_for"], chair_id=act.data["chair_officer_id"]
    )


def hearing_held(file: CaseFile, act: Act) -> CaseFile:
    return _hearing(file, held_at=act.when)


def hearing_waived(file: CaseFile, act: Act) -> CaseFile:
    return _hearing(file, waived=True)


def statement_recorded(file: CaseFile, act: Act) -> CaseFile:
    return file.with_changes(statement=StatementStatus.RECORDED.value)


def statement_waived(file: CaseFile, act: Act) -> CaseFile:
    return file.with_changes(statement=StatementStatus.WAIVED.value)


def recusal_applied(file: CaseFile, act: Act) -> CaseFile:
    """An application for an officer's recusal, open until the head decides it (第四十三条第三款); another
    application for the same officer meanwhile takes its place."""
    application = RecusalApplicationRecord(
        applied_at=act.when, recorded_by=act.actor, applicant=act.data["applicant"], grounds=act.data["grounds"]
    )
    return file.with_changes(recusal_applications={**file.recusal_applications, act.data["officer_id"]: application})


def recusal_decided(file: CaseFile, act: Act) -> CaseFile:
    officer = act.data["officer_id"]
    recused = set(file.recused)
    if act.data["recused"]:
        recused.add(officer)
    else:
        recused.discard(officer)
    changes: dict[str, Any] = {"recused": sorted(recused)}
    if officer in file.recusal_applications:  # the decision answers the application (a file without one keeps no key)
        changes["recusal_applications"] = {k: v for k, v in file.recusal_applications.items() if k != officer}
    return file.with_changes(**changes)


def decision_deadline_extended(file: CaseFile, act: Act) -> CaseFile:
    extension = ExtensionRecord(calendar_days=act.data["calendar_days"], approved_at=act.when, approved_by=act.actor)
    return file.with_changes(extensions=[*file.extensions, extension])


def discretion_departure_approved(file: CaseFile, act: Act) -> CaseFile:
    return file.with_changes(discretion_departure_approved=True, discretion_departure_approved_by=act.actor)


def standard_setter_approval_recorded(file: CaseFile, act: Act) -> CaseFile:
    """重庆市规范行政处罚裁量权办法 第十九条第二款: the standard-setting body's approval of the departure, on file."""
    data = act.data
    approval = SetterApprovalRecord(
        body=data["approving_body"],
        approver=data["approver"],
        approved_on=data["approved_on"],
        reference_number=data["reference_number"],
        evidence_id=data["document"]["evidence_id"],
        document_sha256=data["document"]["sha256"],
        recorded_at=act.when,
        recorded_by=act.actor,
    )
    return file.with_changes(standard_setter_approval=approval)


def setter_approval_of(file: CaseFile) -> SetterApproval | None:
    a = file.standard_setter_approval
    if a is None:
        return None
    return SetterApproval(a.body, a.approver, date.fromisoformat(a.approved_on), a.reference_number, a.document_sha256)


def correction_ordered(file: CaseFile, act: Act) -> CaseFile:
    order = CorrectionRecord(
        measure=act.data["measure"],
        requirement=act.data["requirement"],
        deadline=act.data["deadline"],
        ordered_at=act.when,
    )
    return file.with_changes(corrections=(*file.corrections, order))


def correction_reinspected(file: CaseFile, act: Act) -> CaseFile:
    """The latest order's re-inspection. Without an order the file is unchanged, and the guard
    (correction_reinspected_lawfully) refuses the step with its rule; so it does a second one."""
    if not file.corrections:
        return file
    before = file.corrections[-1]
    last = before.model_copy(
        update={
            "reinspected_at": act.when,
            "corrected": act.data["corrected"],
            "reinspections": before.reinspections + 1,
        }
    )
    return file.with_changes(corrections=(*file.corrections[:-1], last))


def circumstances_recorded(file: CaseFile, act: Act) -> CaseFile:
    """The party's circumstances (第二十九条至第三十三条); a later record replaces an earlier one."""
    return file.with_changes(circumstances={**act.data, "recorded_at": act.when})


def legal_review_requested(file: CaseFile, act: Act) -> CaseFile:
    review = {**act.data, "requested_at": act.when, "opinion": None, "signed": False}
    return file.with_changes(reviews=[*file.reviews, ReviewRecord.model_validate(review)])


def collective_discussion_recorded(file: CaseFile, act: Act) -> CaseFile:
    # It counts once the chair has signed the conclusion (discussion_signed).
    return file.with_changes(
        collective_discussion=dict(act.data), collective_discussion_held=True, discussion_signed=False
    )


def _decided(file: CaseFile, act: Act, outcome: DecisionOutcome, *, on_the_spot: bool = False) -> CaseFile:
    penalty = act.data.get("penalty") if outcome is DecisionOutcome.PENALTY else None
    decision: dict[str, Any] = {
        "outcome": outcome.value,
        "penalty": penalty,
        "decided_at": act.when,
        "served_at": act.when if on_the_spot else None,
        "served_on_the_spot": on_the_spot,
        "decided_by": sorted({act.actor, *act.officers}),
    }
    if "evidence" in act.data:
        decision["evidence"] = list(act.data["evidence"])
    changes: dict[str, Any] = {"decision": decision}
    kind = DECISION_DOCUMENTS.get(outcome)
    if kind in file.documents_issued:
        # A document of the decision's kind issued before it (an order to correct during the investigation,
        # 第二十八条) states an earlier matter, not this decision: serving this one waits for its own.
        changes["documents_issued"] = {k: v for k, v in file.documents_issued.items() if k != kind}
    return file.with_changes(**changes)


def penalty_decided(file: CaseFile, act: Act) -> CaseFile:
    return _decided(file, act, DecisionOutcome.PENALTY)


def decided_on_the_spot(file: CaseFile, act: Act) -> CaseFile:
    """第五十二条: decided and handed over on the spot, on a numbered pre-printed form, after the party was told the
    facts, reasons and basis and heard (第四十四条、第四十五条): that notice is the one the decision follows."""
    decided = _decided(file, act, DecisionOutcome.PENALTY, on_the_spot=True)
    told = act.data.get("notice") or {}
    notice = {
        "penalty": act.data["penalty"],
        "facts": told.get("facts", ""),
        "reasons": told.get("reasons", ""),
        "basis": told.get("basis", ""),
        "informs_statement_and_defence": bool(told.get("informs_statement_and_defence", False)),
        "informs_hearing_right": False,
        "method": "on_the_spot",
        "served_at": act.when,
    }
    statement = file.statement
    if act.data.get("defence"):
        statement = StatementStatus.RECORDED.value
    elif act.data.get("defence_waived"):
        statement = StatementStatus.WAIVED.value
    return decided.with_changes(summary_form_number=act.data["form_number"], notice=notice, statement=statement)


def no_penalty_decided(file: CaseFile, act: Act) -> CaseFile:
    return _decided(file, act, DecisionOutcome(act.data["outcome"]))


def order_decided(file: CaseFile, act: Act) -> CaseFile:
    """The decision is an order the item's law provides (第二十八条; e.g. 城乡规划法 第六十五条: 责令停止建设、
    限期改正): decided, and followed like any order to correct by its re-inspection."""
    decided = _decided(file, act, DecisionOutcome.ORDER)
    return correction_ordered(decided, act)


def transferred(file: CaseFile, act: Act) -> CaseFile:
    return _decided(file, act, DecisionOutcome.TRANSFERRED)


def decision_served(file: CaseFile, act: Act) -> CaseFile:
    assert file.decision is not None, "the workflow serves only a decided case"
    served = file.decision.model_copy(
        update={"served_at": act.when, "served_on_the_spot": bool(act.data.get("on_the_spot", False))}
    )
    return file.with_changes(decision=served)


_NOTHING_EXECUTED = ExecutionRecord(
    paid_fen=0, last_payment_on=None, non_fine_penalties_performed=False, completed_at=None
)


def payment_recorded(file: CaseFile, act: Act) -> CaseFile:
    before = file.execution or _NOTHING_EXECUTED
    payment = PaymentRecord(
        amount_fen=act.data["amount_fen"],
        paid_on=act.data["paid_on"],
        receipt=act.data.get("receipt", ""),
        collected_on_the_spot=bool(act.data.get("collected_on_the_spot", False)),
        on_the_spot_ground=act.data.get("on_the_spot_ground"),
        recorded_by=act.actor,
        officers=tuple(sorted(act.officers)),
    )
    paid = before.model_copy(
        update={
            "paid_fen": before.paid_fen + act.data["amount_fen"],
            "last_payment_on": act.data["paid_on"],
            "payments": (*before.payments, payment),
        }
    )
    return file.with_changes(execution=paid)


def execution_recorded(file: CaseFile, act: Act) -> CaseFile:
    before = file.execution or _NOTHING_EXECUTED
    done = before.model_copy(
        update={
            "completed_at": act.when,
            "non_fine_penalties_performed": bool(act.data.get("non_fine_penalties_performed", False)),
        }
    )
    return file.with_changes(execution=done)


def decision_revoked(file: CaseFile, act: Act) -> CaseFile:
    return file.with_changes(revoked_at=act.when)


# -- execution and remedies (第六十六条、第七十二条、第七十三条; 行政强制法 第三十五条、第四十条、第五十三条) --------


def instalments_applied(file: CaseFile, act: Act) -> CaseFile:
    """The party's application; a new one replaces a refused one, never one pending or approved."""
    application = InstalmentRecord(
        kind=act.data["kind"],
        plan=tuple(dict(i) for i in act.data["plan"]),
        hardship=act.data["hardship"],
        applied_at=act.when,
        paid_before_fen=file.execution.paid_fen if file.execution is not None else 0,
    )
    before = file.instalments
    if before is not None and before.approved is not False:
        # One pending or approved already: the guard (instalment_plan_lawful) refuses a second.
        application = application.model_copy(update={"previous": "approved" if before.approved else "pending"})
    return file.with_changes(instalments=application)


def instalments_decided(file: CaseFile, act: Act) -> CaseFile:
    if file.instalments is None or file.instalments.approved is not None:
        return file  # nothing pending: the guard (instalment_application_pending) refuses with its rule
    decided = file.instalments.model_copy(
        update={"approved": bool(act.data["approved"]), "decided_at": act.when, "decided_by": act.actor}
    )
    return file.with_changes(instalments=decided)


def reminder_served(file: CaseFile, act: Act) -> CaseFile:
    reminder = ReminderRecord(served_at=act.when, method=act.data["method"])
    if act.data.get("perform_by") is not None:
        reminder = reminder.model_copy(update={"perform_by": act.data["perform_by"]})
    return file.with_changes(reminders=(*file.reminders, reminder))


def court_execution_applied(file: CaseFile, act: Act) -> CaseFile:
    return file.with_changes(court_execution=CourtExecutionRecord(court=act.data["court"], applied_at=act.when))


def execution_ended(file: CaseFile, act: Act) -> CaseFile:
    return file.with_changes(execution_ended=ExecutionEndRecord(ground=act.data["ground"], ended_at=act.when))


def remedy_filed(file: CaseFile, act: Act) -> CaseFile:
    remedy = RemedyRecord(
        kind=act.data["kind"],
        body=act.data["body"],
        filed_on=act.data["filed_on"],
        execution_suspended=bool(act.data.get("execution_suspended", False)),
        recorded_at=act.when,
    )
    return file.with_changes(remedies=(*file.remedies, remedy))


def remedy_decided(file: CaseFile, act: Act) -> CaseFile:
    """The result of the latest remedy; without one pending the file is unchanged and the guard refuses."""
    if not file.remedies or file.remedies[-1].result is not None:
        return file
    decided = file.remedies[-1].model_copy(
        update={
            "result": act.data["result"],
            "decided_on": act.data["decided_on"],
            "document": act.data["document"],
            "changed_fine_fen": act.data.get("changed_fine_fen"),
            "follow_up": act.data.get("follow_up") or None,
            "result_recorded_at": act.when,
        }
    )
    return file.with_changes(remedies=(*file.remedies[:-1], decided))


def court_appearance_recorded(file: CaseFile, act: Act) -> CaseFile:
    appearance = CourtAppearanceRecord(
        appeared_on=act.data["appeared_on"], court=act.data["court"], head=act.actor, note=act.data.get("note", "")
    )
    return file.with_changes(court_appearances=(*file.court_appearances, appearance))


# -- the agency's own compulsory execution (行政强制法 第三十四条至第四十四条) and restitution (第四十一条) --


def _own(file: CaseFile, **changes: Any) -> CaseFile:
    before = file.own_execution or OwnExecutionRecord()
    return file.with_changes(own_execution=before.model_copy(update=changes))


def execution_statement_heard(file: CaseFile, act: Act) -> CaseFile:
    """第三十六条: the latest statement heard is the one the decision follows."""
    return _own(
        file,
        statement_at=act.when,
        statement=act.data.get("statement", ""),
        review=act.data["review"],
        statement_accepted=act.data["accepted"],
    )


def own_execution_decided(file: CaseFile, act: Act) -> CaseFile:
    decisions = (file.own_execution.decisions if file.own_execution is not None else 0) + 1
    if decisions > 1:
        return _own(file, decisions=decisions)  # decided again: the guard refuses
    data = act.data
    return _own(
        file,
        decided_at=act.when,
        manner=data["manner"],
        grounds=data["grounds"],
        basis=data["basis"],
        how=data["how"],
        execute_on=data["execute_on"],
        remedies=data["remedies"],
        served_by=data["served_by"],
        decisions=decisions,
    )


def demolition_announced(file: CaseFile, act: Act) -> CaseFile:
    return _own(
        file,
        announced_at=act.when,
        announcement=act.data["text"],
        posted_at=act.data["posted_at"],
        demolish_by=act.data["demolish_by"],
    )


def own_execution_carried_out(file: CaseFile, act: Act) -> CaseFile:
    carried = _own(
        file,
        carried_out_at=act.when,
        record=act.data["record"],
        emergency=act.data.get("emergency", ""),
        supplies_cut=tuple(act.data.get("supplies_cut", ())),
    )
    before = file.execution or _NOTHING_EXECUTED
    done = before.model_copy(update={"completed_at": act.when, "non_fine_penalties_performed": True})
    return carried.with_changes(execution=done)


def restitution_recorded(file: CaseFile, act: Act) -> CaseFile:
    restitution = RestitutionRecord(
        kind=act.data["kind"],
        what=act.data["what"],
        amount_fen=act.data.get("amount_fen", 0),
        done_on=act.data["done_on"],
        recorded_at=act.when,
    )
    return file.with_changes(restitutions=(*file.restitutions, restitution))


def own_execution_facts(file: CaseFile) -> dict[str, Any]:
    """The ``CaseFacts`` fields of the agency's own execution and of restitution, from the file after the act."""
    own = file.own_execution
    latest_reminder = file.reminders[-1] if file.reminders else None
    return {
        "reminder_perform_by": date.fromisoformat(latest_reminder.perform_by)
        if latest_reminder is not None and latest_reminder.perform_by
        else None,
        "own_execution": None
        if own is None
        else OwnExecutionFacts(
            statement_at=_instant(own.statement_at),
            statement_accepted=own.statement_accepted,
            decided_at=_instant(own.decided_at),
            manner=own.manner,
            execute_on=date.fromisoformat(own.execute_on) if own.execute_on else None,
            decisions=own.decisions,
            announced_at=_instant(own.announced_at),
            demolish_by=date.fromisoformat(own.demolish_by) if own.demolish_by else None,
            carried_out_at=_instant(own.carried_out_at),
            emergency=own.emergency,
            supplies_cut=own.supplies_cut,
        ),
        "revoked_by_agency": file.revoked_at is not None,
        "restitutions": tuple(RestitutionFacts(r.kind, r.amount_fen) for r in file.restitutions),
    }


# -- from the file to the guards' types ---------------------------------------------------------------------


def penalty_of(data: Mapping[str, Any] | None) -> Penalty | None:
    if data is None:
        return None
    return Penalty(
        kinds=frozenset(PenaltyKind(k) for k in data["kinds"]),
        fine_fen=_fen(data.get("fine_fen", 0), "fine_fen"),
        confiscated_value_fen=_fen(data.get("confiscated_value_fen", 0), "confiscated_value_fen"),
    )


def _fen(value: Any, name: str) -> int:
    """An amount in fen: a whole number a 64-bit column holds. 5.0, "5" and 1e400 are refused, not rounded."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be a whole number of fen")
    if not 0 <= value <= INT64_MAX:
        raise ValueError(f"{name} must be between 0 and {INT64_MAX} fen")
    return value


def _instant(value: str | None) -> datetime | None:
    return None if value is None else parse_instant(value)


def _penalty_record(record: PenaltyRecord | None) -> Penalty | None:
    return None if record is None else penalty_of(record.model_dump(mode="json"))


def notice_of(file: CaseFile) -> PriorNotice | None:
    notice = file.notice
    if notice is None:
        return None
    intended = _penalty_record(notice.penalty)
    assert intended is not None
    return PriorNotice(
        intended=intended,
        states_facts=bool(notice.facts.strip()),
        states_reasons=bool(notice.reasons.strip()),
        states_basis=bool(notice.basis.strip()),
        informs_statement_and_defence=notice.informs_statement_and_defence,
        informs_hearing_right=notice.informs_hearing_right,
        served_at=_instant(notice.served_at),
    )


def hearing_of(file: CaseFile) -> HearingFacts:
    hearing = file.hearing
    return HearingFacts(
        requested_at=_instant(hearing.requested_at),
        waived=hearing.waived,
        notified_at=_instant(hearing.notified_at),
        scheduled_for=_instant(hearing.scheduled_for),
        chair_id=hearing.chair_id,
        held_at=_instant(hearing.held_at),
    )


# The document that states each outcome of a decision (第五十九条、第六十一条), by kind (service/documents/kinds.py):
# a penalty in the 行政处罚决定书, no penalty in the 不予行政处罚决定书, an order the item's law provides in the
# 责令改正通知书 that prints it (第二十八条). A referral to the judicial organs is not served on the party.
DECISION_DOCUMENTS = {
    DecisionOutcome.PENALTY: "penalty_decision",
    DecisionOutcome.NO_PENALTY_MINOR: "no_penalty_decision",
    DecisionOutcome.NO_PENALTY_NOT_ESTABLISHED: "no_penalty_decision",
    DecisionOutcome.ORDER: "order_to_correct",
}


def document_issued(file: CaseFile, kind: str, at: datetime) -> CaseFile:
    """``file`` with a document of ``kind`` issued at ``at`` (the entry's recorded moment): its latest issue, as
    the case's entries come in their order."""
    return file.with_changes(documents_issued={**file.documents_issued, kind: format_instant(at)})


def decision_document_issued(file: CaseFile) -> bool:
    """Whether the document stating the case's decision was issued since the decision was taken (the decision
    forgets one of its kind issued before: ``_decided``)."""
    decision = file.decision
    kind = DECISION_DOCUMENTS.get(DecisionOutcome(decision.outcome)) if decision is not None else None
    return kind is not None and kind in file.documents_issued


def decision_of(file: CaseFile) -> DecisionFacts | None:
    decision = file.decision
    if decision is None:
        return None
    return DecisionFacts(
        outcome=DecisionOutcome(decision.outcome),
        penalty=_penalty_record(decision.penalty),
        decided_at=parse_instant(decision.decided_at),
        served_at=_instant(decision.served_at),
        served_on_the_spot=decision.served_on_the_spot,
    )


def execution_of(file: CaseFile) -> ExecutionFacts | None:
    execution = file.execution
    if execution is None:
        return None
    return ExecutionFacts(
        paid_fen=execution.paid_fen,
        last_payment_on=date.fromisoformat(execution.last_payment_on) if execution.last_payment_on else None,
        non_fine_penalties_performed=execution.non_fine_penalties_performed,
        completed_at=_instant(execution.completed_at),
    )


def preservation_of(file: CaseFile) -> PreservationFacts | None:
    preservation = file.preservation
    if preservation is None:
        return None
    return PreservationFacts(
        approved_at=_instant(preservation.approved_at),
        registered_at=_instant(preservation.registered_at),
        decided_at=_instant(preservation.decided_at),
        decisions=preservation.decisions,
    )


def seizures_of(file: CaseFile) -> tuple[SeizureFacts, ...]:
    return tuple(
        SeizureFacts(
            number=s.number,
            approved_at=_instant(s.approved_at),
            approved_before=s.approved_before,
            approvals=s.approvals,
            urgent=s.urgent,
            decided_at=_instant(s.decided_at),
            delivered_on_the_spot=s.delivered_on_the_spot,
            extensions=s.extensions,
            extended_days=s.extended_days,
            extended_at=_instant(s.extended_at),
            ended_at=_instant(s.ended_at),
            endings=s.endings,
            ended_how=s.ended_how,
            things=tuple(
                SeizedThingFacts(
                    name=t.name,
                    identifier=t.identifier,
                    relation_to_act=t.relation_to_act,
                    necessity_of_life=t.necessity_of_life,
                    sealed_by_other_organ=t.sealed_by_other_organ,
                )
                for t in s.things
            ),
            appraisals=tuple(
                AppraisalFacts(
                    started_at=parse_instant(a.started_at),
                    stated_days=a.calendar_days,
                    told_in_writing=a.written_notice is not None,
                    ended_at=_instant(a.ended_at),
                    endings=a.endings,
                )
                for a in s.appraisals
            ),
        )
        for s in file.seizures
    )


def circumstances_of(file: CaseFile) -> Circumstances | None:
    c = file.circumstances
    if c is None:
        return None
    return Circumstances(
        age=AgeAtAct(c.age_at_act),
        capacity=MentalCapacity(c.mental_capacity),
        mitigations=frozenset(Mitigation(m) for m in c.mitigations),
        minor_violation=c.minor_violation,
        harm=Harm(c.harm),
        corrected_in_time=c.corrected_in_time,
        first_violation=c.first_violation,
        no_fault_proven=c.no_fault_proven,
        already_fined_by=c.fined_before["decision"] if c.fined_before else None,
    )


def proposed_of(file: CaseFile) -> Penalty | None:
    return _penalty_record(file.proposed)


def extensions_of(file: CaseFile) -> tuple[DeadlineExtension, ...]:
    return tuple(
        DeadlineExtension(e.calendar_days, parse_instant(e.approved_at), e.approved_by) for e in file.extensions
    )


def remedies_of(file: CaseFile) -> tuple[Remedy, ...]:
    return execution_remedies(file)


def instalments_of(file: CaseFile) -> InstalmentFacts | None:
    application = file.instalments
    if application is None:
        return None
    return InstalmentFacts(
        kind=application.kind,
        plan=tuple(Instalment(date.fromisoformat(i["due_on"]), int(i["amount_fen"])) for i in application.plan),
        applied_at=parse_instant(application.applied_at),
        paid_before_fen=application.paid_before_fen,
        approved=application.approved,
        decided_at=_instant(application.decided_at),
        previous=application.previous,
    )


def execution_and_remedy_facts(file: CaseFile, moment: datetime, transition: str) -> dict[str, Any]:
    """The ``CaseFacts`` fields of execution and remedies (行政处罚法 第六十六条至第七十三条; 行政强制法), from the
    file after the act; the act's own record is told apart by its moment."""
    payments = file.execution.payments if file.execution is not None else ()
    latest_remedy = file.remedies[-1] if file.remedies else None
    appearance = file.court_appearances[-1] if file.court_appearances else None
    return {
        "instalments": instalments_of(file),
        "payments_made": tuple((date.fromisoformat(p.paid_on), p.amount_fen) for p in payments),
        "reminder_served_at": _instant(file.reminders[-1].served_at) if file.reminders else None,
        "court_execution_applied": file.court_execution is not None,
        "execution_ended_ground": file.execution_ended.ground if file.execution_ended is not None else None,
        "remedies": remedies_of(file),
        "remedy_result_recorded_now": latest_remedy is not None
        and latest_remedy.result_recorded_at is not None
        and parse_instant(latest_remedy.result_recorded_at) == moment,
        "court_appearance_on": date.fromisoformat(appearance.appeared_on)
        if appearance is not None and transition == "record_court_appearance"
        else None,
    }


# -- an order executed by the people's court (行政强制法 第五十三条、第五十七条) -----------------------------------


def court_execution_carried_out(file: CaseFile, act: Act) -> CaseFile:
    data = act.data
    executed = CourtExecutedRecord(
        ruling=data["ruling"],
        ruled_on=data["ruled_on"],
        carried_out_on=data["carried_out_on"],
        record=data["record"],
        recorded_at=act.when,
    )
    before = file.execution or _NOTHING_EXECUTED
    done = before.model_copy(update={"completed_at": act.when, "non_fine_penalties_performed": True})
    return file.with_changes(court_executed=executed, execution=done)


def court_execution_facts(file: CaseFile) -> dict[str, Any]:
    """The ``CaseFacts`` fields of the court's execution, from the file after the act."""
    applied, executed = file.court_execution, file.court_executed
    return {
        "court_applied_at": _instant(applied.applied_at) if applied is not None else None,
        "court_executed": None
        if executed is None
        else CourtExecutedFacts(
            ruled_on=date.fromisoformat(executed.ruled_on),
            carried_out_on=date.fromisoformat(executed.carried_out_on),
        ),
    }
