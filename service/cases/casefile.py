"""The case file (案卷): what the case's entries have established, folded one transition at a time.

``CaseFile`` is the typed, immutable form every reader uses (``Case.case_file``); it is stored as JSON on the case
row exactly as the entries made it (``stored()``), so a ledger written before the type existed replays to the
same rows. ``apply`` is the one place that says what each step of the procedure changes: it takes a file and
returns a new one. The projector stores its result; the case service applies the *requested* step to the file
first and hands the result to the guards, so a rule is always checked against the case as it would be after the
act. Pure: no I/O.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from service.cases.deadlines import DeadlineExtension
from service.cases.guards import (
    DecisionFacts,
    DecisionOutcome,
    ExecutionFacts,
    HearingFacts,
    Penalty,
    PreservationFacts,
    PriorNotice,
    StatementStatus,
)
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


class PreservationRecord(_Record):
    """Evidence preserved by registration (先行登记保存, 第五十六条)."""

    approved_at: Instant | None = None
    registered_at: Instant | None = None
    decided_at: Instant | None = None


class RecordedDeadline(_Record):
    due_on: str
    provisional: bool


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
    discretion_departure_approved_by: str | None = None
    reviews: tuple[ReviewRecord, ...] = ()
    collective_discussion_held: bool = False
    collective_discussion: DiscussionRecord | None = None
    decision: DecisionRecord | None = None
    execution: ExecutionRecord | None = None
    preservation: PreservationRecord | None = None
    summary_form_number: str | None = None
    decision_signed: bool = False
    discussion_signed: bool = False
    major: bool = False
    revoked_at: Instant | None = None
    erased_fields: tuple[str, ...] = ()
    party_commitments: dict[str, Any] = Field(default_factory=dict)
    deadlines: dict[str, RecordedDeadline] = Field(default_factory=dict)

    @classmethod
    def of(cls, stored: Mapping[str, Any]) -> CaseFile:
        """The file stored on a case row."""
        return cls.model_validate(stored)

    def stored(self) -> dict[str, Any]:
        """The JSON the case row stores: the keys the entries set, as they set them."""
        return self.model_dump(mode="json", exclude_unset=True)

    def with_changes(self, **changes: Any) -> CaseFile:
        """A new file with ``changes`` made (validated: a change of the wrong shape is refused)."""
        return CaseFile.of({**self.stored(), **_json(changes)})

    def latest_review(self) -> ReviewRecord | None:
        return self.reviews[-1] if self.reviews else None


def _json(changes: Mapping[str, Any]) -> dict[str, Any]:
    return {
        k: v.model_dump(mode="json", exclude_unset=True) if isinstance(v, BaseModel) else v for k, v in changes.items()
    }


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


_NO_PRESERVATION: dict[str, Any] = {"approved_at": None, "registered_at": None, "decided_at": None}
_NOTHING_EXECUTED: dict[str, Any] = {
    "paid_fen": 0,
    "last_payment_on": None,
    "non_fine_penalties_performed": False,
    "completed_at": None,
}


def _add(values: list[str], more: list[str]) -> list[str]:
    return sorted(set(values) | set(more))


def apply(
    file: CaseFile,
    transition: str,
    to_state: str,
    data: Mapping[str, Any],
    officers: list[str],
    at: datetime,
    actor: str,
) -> CaseFile:
    """The case file after ``transition`` happened at ``at`` with ``data`` by ``officers`` (ids)."""
    out: dict[str, Any] = copy.deepcopy(file.stored())
    out["state"] = to_state
    when = format_instant(at)
    if transition in (
        "record_inquiry",
        "record_inspection",
        "register_preservation",
        "close_investigation",
        "collect_evidence",
    ):
        out["investigators"] = _add(out["investigators"], officers)
    if transition == "approve_filing":
        out["filed_at"] = when
    elif transition == "approve_preservation":
        out["preservation"] = {"approved_at": when, "registered_at": None, "decided_at": None}
    elif transition == "register_preservation":
        # Applied to a copy before the guards look: without an approval the copy still has every key, and the
        # guard (preservation_approved, 第五十六条) refuses with its rule instead of a KeyError.
        out["preservation"] = {**_NO_PRESERVATION, **(out["preservation"] or {}), "registered_at": when}
    elif transition == "decide_preservation":
        out["preservation"] = {**_NO_PRESERVATION, **(out["preservation"] or {}), "decided_at": when}
    elif transition == "intend_penalty":
        out["proposed"] = data["penalty"]
    elif transition == "serve_prior_notice":
        out["notice"] = {**data["notice"], "served_at": when}
        out["proposed"] = data["notice"]["penalty"]
    elif transition == "request_hearing":
        out["hearing"] = {**out["hearing"], "requested_at": when}
    elif transition == "schedule_hearing":
        out["hearing"] = {
            **out["hearing"],
            "notified_at": when,
            "scheduled_for": data["scheduled_for"],
            "chair_id": data["chair_officer_id"],
        }
    elif transition == "hold_hearing":
        out["hearing"] = {**out["hearing"], "held_at": when}
    elif transition == "record_hearing_waiver":
        out["hearing"] = {**out["hearing"], "waived": True}
    elif transition == "record_statement":
        out["statement"] = StatementStatus.RECORDED.value
    elif transition == "record_statement_waiver":
        out["statement"] = StatementStatus.WAIVED.value
    elif transition == "decide_recusal":
        recused = set(out["recused"])
        if data["recused"]:
            recused.add(data["officer_id"])
        else:
            recused.discard(data["officer_id"])
        out["recused"] = sorted(recused)
    elif transition == "extend_decision_deadline":
        out["extensions"] = [
            *out["extensions"],
            {"calendar_days": data["calendar_days"], "approved_at": when, "approved_by": actor},
        ]
    elif transition == "approve_discretion_departure":
        out["discretion_departure_approved"] = True
        out["discretion_departure_approved_by"] = actor
    elif transition == "request_legal_review":
        out["reviews"] = [*out["reviews"], {**data, "requested_at": when, "opinion": None, "signed": False}]
    elif transition == "record_collective_discussion":
        out["collective_discussion"] = dict(data)
        out["collective_discussion_held"] = True
        out["discussion_signed"] = False  # it counts once the chair has signed the conclusion
    elif transition in ("decide_penalty", "decide_no_penalty", "transfer_to_judicial_organs", "decide_on_the_spot"):
        outcome = {
            "decide_penalty": DecisionOutcome.PENALTY.value,
            "decide_on_the_spot": DecisionOutcome.PENALTY.value,
            "transfer_to_judicial_organs": DecisionOutcome.TRANSFERRED.value,
        }.get(transition) or data["outcome"]
        on_the_spot = transition == "decide_on_the_spot"
        out["decision"] = {
            "outcome": outcome,
            "penalty": data.get("penalty") if outcome == DecisionOutcome.PENALTY.value else None,
            "decided_at": when,
            "served_at": when if on_the_spot else None,
            "served_on_the_spot": on_the_spot,
            "decided_by": sorted({actor, *officers}),
        }
        if on_the_spot:
            # 第五十二条: told on the spot, heard on the spot; the notice is the one the decision follows.
            told = data.get("notice") or {}
            out["notice"] = {
                "penalty": data["penalty"],
                "facts": told.get("facts", ""),
                "reasons": told.get("reasons", ""),
                "basis": told.get("basis", ""),
                "informs_statement_and_defence": bool(told.get("informs_statement_and_defence", False)),
                "informs_hearing_right": False,
                "method": "on_the_spot",
                "served_at": when,
            }
            if data.get("defence"):
                out["statement"] = StatementStatus.RECORDED.value
            elif data.get("defence_waived"):
                out["statement"] = StatementStatus.WAIVED.value
            out["summary_form_number"] = data["form_number"]
            out["investigators"] = _add(out["investigators"], officers)
    elif transition in ("serve_decision", "serve_decision_late"):
        out["decision"] = {
            **out["decision"],
            "served_at": when,
            "served_on_the_spot": bool(data.get("on_the_spot", False)),
        }
    elif transition == "record_payment":
        execution = out["execution"] or _NOTHING_EXECUTED
        out["execution"] = {
            **execution,
            "paid_fen": execution["paid_fen"] + data["amount_fen"],
            "last_payment_on": data["paid_on"],
            "payments": [
                *execution.get("payments", []),
                {
                    "amount_fen": data["amount_fen"],
                    "paid_on": data["paid_on"],
                    "receipt": data.get("receipt", ""),
                    "collected_on_the_spot": bool(data.get("collected_on_the_spot", False)),
                    "on_the_spot_ground": data.get("on_the_spot_ground"),
                    "recorded_by": actor,
                    "officers": sorted(officers),
                },
            ],
        }
    elif transition == "record_execution":
        execution = out["execution"] or _NOTHING_EXECUTED
        out["execution"] = {
            **execution,
            "completed_at": when,
            "non_fine_penalties_performed": bool(data.get("non_fine_penalties_performed", False)),
        }
    elif transition == "revoke_decision":
        out["revoked_at"] = when
    return CaseFile.of(out)


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
    )


def proposed_of(file: CaseFile) -> Penalty | None:
    return _penalty_record(file.proposed)


def extensions_of(file: CaseFile) -> tuple[DeadlineExtension, ...]:
    return tuple(
        DeadlineExtension(e.calendar_days, parse_instant(e.approved_at), e.approved_by) for e in file.extensions
    )
