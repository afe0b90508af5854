"""Signing in the browser: a reviewer's key made by WebCrypto (Ed25519, not extractable, kept in the browser's
IndexedDB), its public half registered like any key (service/signing/service.py, approved by an admin as today),
and the legal review taken, opined on and signed from the review's page.

The statement to sign is shown in full, decoded, above the button; the browser signs its exact bytes (base64 in
the page) and the server verifies the signature against the registered key before recording it
(``reviews.sign_review``). The server holds no private key of anyone's and cannot sign for them.
"""

from __future__ import annotations

import base64
import json
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from service.auth.permissions import Permission
from service.cases import service as cases
from service.console.web import (
    ConsoleRequires,
    Viewer,
    check_csrf,
    language,
    problem_view,
    redirect,
    render,
    runtime_of,
    sent_form,
)
from service.errors import DomainError, InvalidInput
from service.evidence import service as evidence_service
from service.reviews import service as reviews
from service.reviews.schemas import OpinionIn, SignatureIn
from service.reviews.service import TEN_CHECKS
from service.runtime import Runtime
from service.signing import service as signing
from service.signing.service import keys_visible_to

router = APIRouter(include_in_schema=False)

KeyHolder = Annotated[Viewer, Depends(ConsoleRequires(Permission.SIGNING_KEY_REGISTER))]
Reviewer = Annotated[Viewer, Depends(ConsoleRequires(Permission.REVIEW_PERFORM))]

# The ten checks of a legal review (法制审核, 行政处罚法 第五十八条; service/reviews/service.py), as written.
CHECK_NAMES = {
    "body_lawful": "执法主体是否合法",
    "officers_qualified": "执法人员是否具备执法资格",
    "procedure_lawful": "执法程序是否合法",
    "facts_clear": "案件事实是否清楚",
    "evidence_sufficient": "证据是否合法充分",
    "law_applied_correctly": "适用法律法规规章是否准确",
    "discretion_proper": "裁量基准运用是否适当",
    "no_excess_of_power": "是否超越执法机关法定权限",
    "documents_complete": "执法文书是否完备、规范",
    "criminal_transfer_considered": "违法行为是否涉嫌犯罪、需要移送司法机关",
}


@router.get("/keys")
def keys_page(request: Request, viewer: KeyHolder) -> HTMLResponse:
    runtime = runtime_of(request)
    with runtime.database.transaction(write=False) as session:
        keys = [k for k in keys_visible_to(session, viewer.principal) if k.user_id == viewer.principal.user_id]
    return render(request, "keys.html", viewer, keys=keys)


@router.post("/keys")
async def register_key(request: Request, viewer: KeyHolder) -> Response:
    """The public half of a key the browser made; answered as JSON for the console's script."""
    sent = await sent_form(request)
    check_csrf(viewer, sent, request)
    runtime = runtime_of(request)
    public_key = (sent.get("public_key") or [""])[0]
    try:
        with runtime.database.transaction() as session:
            key = signing.register_key(session, viewer.principal, public_key, runtime.clock.now())
            answer = {"key_id": key.key_id, "status": key.status}
    except DomainError as refused:
        return JSONResponse(problem_view(refused, language(request)), status_code=refused.status)
    return JSONResponse(answer, status_code=201)


def _review_view(
    session: Session, runtime: Runtime, viewer: Viewer, case_id: uuid.UUID, review_id: uuid.UUID
) -> dict[str, Any]:
    case = cases.get_case(session, viewer.principal, runtime.case_context.case_policy, case_id)
    review = reviews.find_review(case, review_id)
    statement = review.get("statement")
    return {
        "case": {"id": str(case.id), "number": case.number, "title": case.title, "state": case.state},
        "file": {k: v for k, v in case.case_file.stored().items() if k not in ("party_commitments", "reviews")},
        "evidence": evidence_service.evidence_of(session, case),
        "review": review,
        "review_id": str(review_id),
        "mine": review.get("taken_by") == viewer.principal.actor,
        "checks": [(name, CHECK_NAMES[name]) for name in TEN_CHECKS],
        "statement_b64": statement,
        "statement_text": json.dumps(json.loads(base64.b64decode(statement)), ensure_ascii=False, indent=2)
        if statement
        else None,
    }


@router.get("/cases/{case_id}/reviews/{review_id}")
def review_page(request: Request, case_id: uuid.UUID, review_id: uuid.UUID, viewer: Reviewer) -> HTMLResponse:
    """The case file and evidence beside the review: take it, record the ten checks and the opinion, sign it."""
    runtime = runtime_of(request)
    with runtime.database.transaction(write=False) as session:
        view = _review_view(session, runtime, viewer, case_id, review_id)
    return render(request, "review.html", viewer, **view)


@router.post("/cases/{case_id}/reviews/{review_id}/take")
async def take_review(request: Request, case_id: uuid.UUID, review_id: uuid.UUID, viewer: Reviewer) -> Response:
    check_csrf(viewer, await sent_form(request), request)
    return _act(
        request,
        viewer,
        case_id,
        review_id,
        lambda session, case, now: reviews.take_review(
            session, runtime_of(request).case_context, viewer.principal, case, review_id, now
        ),
    )


@router.post("/cases/{case_id}/reviews/{review_id}/opinion")
async def record_opinion(request: Request, case_id: uuid.UUID, review_id: uuid.UUID, viewer: Reviewer) -> Response:
    sent = await sent_form(request)
    check_csrf(viewer, sent, request)

    def value(name: str) -> str:
        return (sent.get(name) or [""])[0].replace("\r\n", "\n").replace("\r", "\n")

    raw = {
        "checks": {
            c: {"result": value(f"check.{c}") or "passed", "comment": value(f"comment.{c}")} for c in TEN_CHECKS
        },
        "opinion": value("opinion"),
        "comment": value("comment"),
    }

    def opine(session: Any, case: Any, now: Any) -> Any:
        try:
            body = OpinionIn.model_validate(raw)
        except ValidationError as exc:
            raise InvalidInput(str(exc.errors()[0]["msg"]), "审核意见有误：" + str(exc.errors()[0]["msg"])) from None
        return reviews.record_opinion(
            session, viewer.principal, case, review_id, body.checks, body.opinion, body.comment, now
        )

    return _act(request, viewer, case_id, review_id, opine)


@router.post("/cases/{case_id}/reviews/{review_id}/signature")
async def sign_review(request: Request, case_id: uuid.UUID, review_id: uuid.UUID, viewer: Reviewer) -> Response:
    """The signature the browser made of the statement's exact bytes; verified before it is recorded."""
    sent = await sent_form(request)
    check_csrf(viewer, sent, request)

    def signed(session: Any, case: Any, now: Any) -> Any:
        try:
            body = SignatureIn.model_validate(
                {"key_id": (sent.get("key_id") or [""])[0], "signature": (sent.get("signature") or [""])[0]}
            )
        except ValidationError as exc:
            raise InvalidInput(str(exc.errors()[0]["msg"]), "签名有误：" + str(exc.errors()[0]["msg"])) from None
        return reviews.sign_review(session, viewer.principal, case, review_id, body.key_id, body.signature, now)

    return _act(request, viewer, case_id, review_id, signed)


def _act(request: Request, viewer: Viewer, case_id: uuid.UUID, review_id: uuid.UUID, act: Any) -> Response:
    runtime = runtime_of(request)
    try:
        with runtime.database.transaction() as session:
            case = cases.get_case(session, viewer.principal, runtime.case_context.case_policy, case_id)
            act(session, case, runtime.clock.now())
    except DomainError as refused:
        with runtime.database.transaction(write=False) as session:
            view = _review_view(session, runtime, viewer, case_id, review_id)
        return render(
            request,
            "review.html",
            viewer,
            status=refused.status,
            error=problem_view(refused, language(request)),
            **view,
        )
    return redirect(request, f"/cases/{case_id}/reviews/{review_id}", viewer)
