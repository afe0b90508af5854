"""Legal review, and the signed sign-offs of decisions and collective discussions, under ``/api/v1/cases``."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any, Literal

from fastapi import APIRouter
from sqlalchemy.orm import Session

from service.auth.deps import ReadSession, RuntimeDep, WriteSession, requires
from service.auth.permissions import Permission
from service.auth.principal import Principal
from service.cases import service as cases
from service.cases.models import Case
from service.cases.review_state import stale_reasons
from service.errors import Conflict
from service.reviews import service as reviews
from service.reviews.schemas import (
    OpinionIn,
    ReviewOut,
    SignatureIn,
    StatementOut,
)

router = APIRouter(prefix="/api/v1/cases/{case_id}", tags=["reviews"])


def _review_out(session: Session, case: Case, review: dict[str, Any]) -> ReviewOut:
    fields = {k: review.get(k) for k in ReviewOut.model_fields if k != "stale" and k in review}
    return ReviewOut(**fields, stale=stale_reasons(session, case, int(review["frozen_seq"])))


def _statement(raw: bytes) -> StatementOut:
    return StatementOut(statement=base64.b64encode(raw).decode("ascii"), content=json.loads(raw))


@router.get("/reviews", response_model=list[ReviewOut])
def list_reviews(
    case_id: uuid.UUID, session: ReadSession, runtime: RuntimeDep, principal: Principal = requires(Permission.CASE_READ)
) -> list[ReviewOut]:
    """The case's legal reviews, each with whether later entries made it stale."""
    case = cases.get_case(session, principal, runtime.case_context.case_policy, case_id)
    return [_review_out(session, case, r.model_dump(mode="json", exclude_unset=True)) for r in case.case_file.reviews]


@router.post("/reviews/{review_id}/take", response_model=ReviewOut)
def take_review(
    case_id: uuid.UUID,
    review_id: uuid.UUID,
    session: WriteSession,
    runtime: RuntimeDep,
    principal: Principal = requires(Permission.REVIEW_PERFORM),
) -> ReviewOut:
    """Take a requested review: never one who acted on the case or is recused; first-time reviewers need the
    legal professional qualification (第五十八条第二款)."""
    case = cases.get_case(session, principal, runtime.case_context.case_policy, case_id)
    review = reviews.take_review(session, runtime.case_context, principal, case, review_id, runtime.clock.now())
    return _review_out(session, case, review)


@router.post("/reviews/{review_id}/opinion", response_model=ReviewOut)
def record_opinion(
    case_id: uuid.UUID,
    review_id: uuid.UUID,
    body: OpinionIn,
    session: WriteSession,
    runtime: RuntimeDep,
    principal: Principal = requires(Permission.REVIEW_PERFORM),
) -> ReviewOut:
    """Record the ten checks and the opinion; the statement to sign is then published."""
    case = cases.get_case(session, principal, runtime.case_context.case_policy, case_id)
    review = reviews.record_opinion(
        session, principal, case, review_id, body.checks, body.opinion, body.comment, runtime.clock.now()
    )
    return _review_out(session, case, review)


@router.get("/reviews/{review_id}/statement", response_model=StatementOut)
def review_statement(
    case_id: uuid.UUID,
    review_id: uuid.UUID,
    session: ReadSession,
    runtime: RuntimeDep,
    principal: Principal = requires(Permission.CASE_READ),
) -> StatementOut:
    """The exact bytes the reviewer signs (agency, case, review, frozen chain head, opinion, checks, time)."""
    case = cases.get_case(session, principal, runtime.case_context.case_policy, case_id)
    review = reviews.find_review(case, review_id)
    if not review.get("statement"):
        raise Conflict("no opinion has been recorded yet", "尚未出具审核意见")
    return _statement(base64.b64decode(review["statement"]))


@router.post("/reviews/{review_id}/signature", response_model=ReviewOut)
def sign_review(
    case_id: uuid.UUID,
    review_id: uuid.UUID,
    body: SignatureIn,
    session: WriteSession,
    runtime: RuntimeDep,
    principal: Principal = requires(Permission.REVIEW_PERFORM),
) -> ReviewOut:
    """Submit the reviewer's signature of the statement; the server verifies it before accepting it."""
    case = cases.get_case(session, principal, runtime.case_context.case_policy, case_id)
    review = reviews.sign_review(session, principal, case, review_id, body.key_id, body.signature, runtime.clock.now())
    return _review_out(session, case, review)


# There may be nothing to sign yet: no unsigned decision, or no unsigned collective discussion record.
NOTHING_TO_SIGN: dict[int | str, dict[str, Any]] = {
    409: {"description": "there is no unsigned decision (or collective discussion record) to sign"}
}


@router.get("/signoffs/{purpose}/statement", response_model=StatementOut, responses=NOTHING_TO_SIGN)
def signoff_statement(
    case_id: uuid.UUID,
    purpose: Literal["decision", "collective_discussion"],
    session: ReadSession,
    runtime: RuntimeDep,
    principal: Principal = requires(Permission.CASE_READ),
) -> StatementOut:
    """The exact bytes the head signs for the decision, or the chair for the collective discussion."""
    case = cases.get_case(session, principal, runtime.case_context.case_policy, case_id)
    return _statement(reviews.signoff_statement(session, case, purpose))


@router.post("/signoffs/{purpose}/signature", status_code=204)
def sign_off(
    case_id: uuid.UUID,
    purpose: Literal["decision", "collective_discussion"],
    body: SignatureIn,
    session: WriteSession,
    runtime: RuntimeDep,
    principal: Principal = requires(Permission.CASE_DECIDE),
) -> None:
    """Submit the head's signature of the decision, or the chair's of the collective discussion's conclusion."""
    case = cases.get_case(session, principal, runtime.case_context.case_policy, case_id)
    reviews.sign_off(session, principal, case, purpose, body.key_id, body.signature, runtime.clock.now())
