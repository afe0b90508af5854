"""What each step of a procedure takes: one strict payload model per step, declared once.

A step's ``data`` is validated by its model — unknown keys refused at every depth, numbers and booleans not
coerced from strings — and normalised into the dict its ledger entry records (the shape ``casefile.apply``
reads). The models are the step's documented contract: each step has its own route and schema in the OpenAPI
document, and ``GET /api/v1/procedures/{procedure}`` returns them as JSON Schema.

``check_against_workflows`` is run at start-up: a transition of a workflow file without a payload here, or a
payload for a step no workflow has, stops the service with a clear message.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictBool, StrictInt, StringConstraints

from service.cases.workflow import Procedure, Workflow
from service.policy.catalogue import PenaltyKind

_STRICT = ConfigDict(extra="forbid")

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
OptionalText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000)]
Fen = Annotated[StrictInt, Field(ge=0, le=10**13, description="an amount in fen (1 yuan = 100 fen)")]


class Nothing(BaseModel):
    """This step takes no data."""

    model_config = _STRICT


class PenaltyIn(BaseModel):
    """A penalty: its kinds (第九条) and amounts in fen."""

    model_config = _STRICT
    kinds: list[PenaltyKind] = Field(min_length=1, max_length=10)
    fine_fen: Fen = 0
    confiscated_value_fen: Fen = 0


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
    method: OptionalText = Field(default="", description="how it was served; in_person when empty")


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


class HearingRecord(BaseModel):
    model_config = _STRICT
    record: Text = Field(description="the hearing record (听证笔录)")


class Statement(BaseModel):
    model_config = _STRICT
    summary: Text = Field(description="the party's statement and defence (陈述申辩笔录)")


class Recusal(BaseModel):
    model_config = _STRICT
    officer_id: uuid.UUID
    recused: StrictBool = True
    requested_by: Literal["officer", "party"] = "officer"


class Extension(BaseModel):
    model_config = _STRICT
    calendar_days: Annotated[StrictInt, Field(ge=1, le=365)]


class PenaltyDecision(BaseModel):
    model_config = _STRICT
    penalty: PenaltyIn
    discretion_statement: OptionalText = Field(default="", description="the discretion reasons (裁量说明)")


class OnTheSpotDecision(BaseModel):
    model_config = _STRICT
    penalty: PenaltyIn
    form_number: Text = Field(description="the number of the pre-printed decision form (第五十二条)")


class NoPenaltyDecision(BaseModel):
    model_config = _STRICT
    outcome: Literal["no_penalty_minor", "no_penalty_not_established"]


class Service(BaseModel):
    model_config = _STRICT
    on_the_spot: StrictBool = False
    method: OptionalText = ""


class Payment(BaseModel):
    model_config = _STRICT
    amount_fen: Annotated[StrictInt, Field(gt=0, le=10**13)]
    paid_on: date
    receipt: OptionalText = ""


class Execution(BaseModel):
    model_config = _STRICT
    non_fine_penalties_performed: StrictBool = False


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


def _penalty(penalty: PenaltyIn) -> dict[str, Any]:
    return {
        "kinds": sorted(k.value for k in penalty.kinds),
        "fine_fen": penalty.fine_fen,
        "confiscated_value_fen": penalty.confiscated_value_fen,
    }


def _plain(payload: BaseModel) -> dict[str, Any]:
    return payload.model_dump(mode="json")


def _notice(payload: BaseModel) -> dict[str, Any]:
    assert isinstance(payload, PriorNotice)
    notice = payload.notice
    return {
        "notice": {
            "penalty": _penalty(notice.penalty),
            "facts": notice.facts,
            "reasons": notice.reasons,
            "basis": notice.basis,
            "informs_statement_and_defence": notice.informs_statement_and_defence,
            "informs_hearing_right": notice.informs_hearing_right,
            "method": notice.method or "in_person",
        }
    }


def _with_penalty(payload: BaseModel) -> dict[str, Any]:
    out = _plain(payload)
    out["penalty"] = _penalty(payload.penalty)  # type: ignore[attr-defined]
    return out


@dataclass(frozen=True)
class StepPayload:
    """A step's payload model and how its validated data is recorded."""

    model: type[BaseModel]
    recorded: Callable[[BaseModel], dict[str, Any]] = _plain


STEP_PAYLOADS: Mapping[str, StepPayload] = {
    "approve_filing": StepPayload(Nothing),
    "refuse_filing": StepPayload(Nothing),
    "record_inquiry": StepPayload(FieldRecord),
    "record_inspection": StepPayload(FieldRecord),
    "approve_preservation": StepPayload(Nothing),
    "register_preservation": StepPayload(PreservationItems),
    "decide_preservation": StepPayload(PreservationDecision),
    "close_investigation": StepPayload(InvestigationReport),
    "reopen_investigation": StepPayload(Nothing),
    "intend_penalty": StepPayload(IntendedPenalty, _with_penalty),
    "serve_prior_notice": StepPayload(PriorNotice, _notice),
    "request_hearing": StepPayload(Nothing),
    "schedule_hearing": StepPayload(HearingSchedule),
    "hold_hearing": StepPayload(HearingRecord),
    "record_hearing_waiver": StepPayload(Nothing),
    "record_statement": StepPayload(Statement),
    "record_statement_waiver": StepPayload(Nothing),
    "conclude_party_hearing": StepPayload(Nothing),
    "decide_recusal": StepPayload(Recusal),
    "extend_decision_deadline": StepPayload(Extension),
    "approve_discretion_departure": StepPayload(Nothing),
    "request_legal_review": StepPayload(ReviewRequest),
    "record_collective_discussion": StepPayload(CollectiveDiscussion),
    "decide_penalty": StepPayload(PenaltyDecision, _with_penalty),
    "decide_on_the_spot": StepPayload(OnTheSpotDecision, _with_penalty),
    "decide_no_penalty": StepPayload(NoPenaltyDecision),
    "transfer_to_judicial_organs": StepPayload(Nothing),
    "serve_decision": StepPayload(Service),
    "serve_decision_late": StepPayload(Service),
    "record_payment": StepPayload(Payment),
    "record_execution": StepPayload(Execution),
    "close_case": StepPayload(Nothing),
    "archive_case": StepPayload(Nothing),
    "withdraw_case": StepPayload(Nothing),
    "revoke_decision": StepPayload(Nothing),
    "refer_to_general_procedure": StepPayload(Nothing),
    "file_with_agency": StepPayload(Nothing),
}


class StepRegistryError(RuntimeError):
    """The workflow files and the declared steps disagree; the service does not start."""


def check_against_workflows(workflows: Mapping[Procedure, Workflow]) -> None:
    """Every transition of every workflow has a payload, and every payload a transition."""
    declared = set(STEP_PAYLOADS)
    in_workflows = {t.name: w.procedure for w in workflows.values() for t in w.transitions}
    problems = [
        f"the {procedure.value} workflow has a step {name!r} that no payload declares (service/cases/payloads.py)"
        for name, procedure in sorted(in_workflows.items())
        if name not in declared
    ]
    problems += [
        f"the step {name!r} is declared in service/cases/payloads.py but no workflow has it"
        for name in sorted(declared - set(in_workflows))
    ]
    if problems:
        raise StepRegistryError("; ".join(problems))
