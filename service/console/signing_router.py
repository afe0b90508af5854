"""Signing in the browser, for every signer: a key made by WebCrypto (Ed25519, not extractable, kept in the
browser's IndexedDB), its public half registered like any key (service/signing/service.py, approved by an admin as
today); the legal review taken, opined on and signed from the review's page (the reviewer); the decision signed by
the head and the collective discussion's record by its chair (``/cases/{id}/signoffs/{purpose}``); and the
collective discussion itself recorded with its attendance, each attendee's opinion and the chair
(``/cases/{id}/discussion``; the quorum of heads is the review catalogue's, checked by the case service).

The statement to sign is the API's (``reviews.signoff_statement``, the bytes ``GET .../signoffs/{purpose}/statement``
serves to ``caseledger sign``), shown in full, decoded, above the button (``_sign.html``); the browser signs its
exact bytes (base64 in the page) and the server verifies the signature against the registered key before recording
it (``reviews.sign_review``, ``reviews.sign_off``). The server holds no private key of anyone's and cannot sign for
them.
"""

from __future__ import annotations

import base64
import json
import secrets
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from service.auth.permissions import Permission
from service.auth.users import users_of_agency
from service.cases import casefile
from service.cases import service as cases
from service.console.acting import if_match_of, take_step_once, with_lf
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
from service.errors import DomainError, InvalidInput, NotFound
from service.evidence import service as evidence_service
from service.policy.calendar import local_date
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
    state = runtime.case_context.state_of(case.procedure, case.state)
    return {
        "case": {
            "id": str(case.id),
            "number": case.number,
            "title": case.title,
            "state": case.state,
            "state_zh": state.zh,
            "state_en": state.en,
        },
        # What the reviewer checks the decision against (第五十八条): the penalty the head intends, in words.
        "proposed": casefile.proposed_of(case.case_file),
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


# -- the head's decision and the chair's collective-discussion record, signed in the browser --------------------

Signer = Annotated[Viewer, Depends(ConsoleRequires(Permission.CASE_DECIDE))]
SIGNOFFS = ("decision", "collective_discussion")


def _readable(statement_b64: str) -> str:
    """The statement as people read it: its JSON, decoded, indented; the bytes signed are the base64 beside it."""
    return json.dumps(json.loads(base64.b64decode(statement_b64)), ensure_ascii=False, indent=2)


def _purpose(purpose: str) -> str:
    if purpose not in SIGNOFFS:
        raise NotFound(f"nothing is signed as {purpose!r}", f"没有名为“{purpose}”的签署事项")
    return purpose


def _names(session: Session, agency_id: uuid.UUID) -> dict[str, str]:
    return {str(u.id): u.display_name for u in users_of_agency(session, agency_id)}


def _signoff_view(
    session: Session, runtime: Runtime, viewer: Viewer, case_id: uuid.UUID, purpose: str
) -> dict[str, Any]:
    case = cases.get_case(session, viewer.principal, runtime.case_context.case_policy, case_id)
    file = case.case_file
    names = _names(session, case.agency_id)
    discussion = file.collective_discussion
    chair: str | None = None
    if purpose == "decision":
        recorded = file.decision is not None
        signed = file.decision_signed
        # As reviews.sign_off accepts it: a decided case whose decision is not signed yet.
        can_sign = case.state == "decided" and recorded and not signed
    else:
        recorded = discussion is not None
        signed = file.discussion_signed
        chair = discussion.chair if discussion is not None else None
        can_sign = recorded and not signed and chair == str(viewer.principal.user_id)
    statement = None
    if recorded:
        try:
            statement = base64.b64encode(reviews.signoff_statement(session, case, purpose)).decode("ascii")
        except DomainError:
            statement = None  # nothing of that kind recorded in the case's chain
    return {
        "case": {"id": str(case.id), "number": case.number, "title": case.title, "state": case.state},
        "purpose": purpose,
        "decision": file.decision.model_dump(mode="json") if file.decision is not None else None,
        "discussion": discussion.model_dump(mode="json") if discussion is not None else None,
        "names": names,
        "chair_name": names.get(chair or "", chair),
        "signed": signed,
        "can_sign": can_sign and statement is not None,
        "statement_b64": statement,
        "statement_text": _readable(statement) if statement else None,
        "sign_action": f"/cases/{case.id}/signoffs/{purpose}/signature",
    }


@router.get("/cases/{case_id}/signoffs/{purpose}")
def signoff_page(request: Request, case_id: uuid.UUID, purpose: str, viewer: Signer) -> HTMLResponse:
    """The decision (the head) or the collective discussion's record (its chair): what is signed, the statement in
    full, and the button that signs it with the key this browser holds."""
    runtime = runtime_of(request)
    with runtime.database.transaction(write=False) as session:
        view = _signoff_view(session, runtime, viewer, case_id, _purpose(purpose))
    return render(request, "signoff.html", viewer, **view)


@router.post("/cases/{case_id}/signoffs/{purpose}/signature")
async def sign_off(request: Request, case_id: uuid.UUID, purpose: str, viewer: Signer) -> Response:
    """The signature the browser made of the statement's exact bytes, verified by ``reviews.sign_off`` against the
    signer's approved key before it is recorded (only the chair signs the discussion's record)."""
    sent = await sent_form(request)
    check_csrf(viewer, sent, request)
    purpose = _purpose(purpose)
    runtime = runtime_of(request)
    try:
        try:
            body = SignatureIn.model_validate(
                {"key_id": (sent.get("key_id") or [""])[0], "signature": (sent.get("signature") or [""])[0]}
            )
        except ValidationError as exc:
            raise InvalidInput(str(exc.errors()[0]["msg"]), "签名有误：" + str(exc.errors()[0]["msg"])) from None
        with runtime.database.transaction() as session:
            case = cases.get_case(session, viewer.principal, runtime.case_context.case_policy, case_id)
            reviews.sign_off(session, viewer.principal, case, purpose, body.key_id, body.signature, runtime.clock.now())
    except DomainError as refused:
        with runtime.database.transaction(write=False) as session:
            view = _signoff_view(session, runtime, viewer, case_id, purpose)
        error = problem_view(refused, language(request))
        return render(request, "signoff.html", viewer, status=refused.status, error=error, **view)
    return redirect(request, f"/cases/{case_id}/signoffs/{purpose}", viewer)


# -- the collective discussion: attendance, each one's opinion, the conclusion, the chair -----------------------


def _discussion_view(session: Session, runtime: Runtime, viewer: Viewer, case_id: uuid.UUID) -> dict[str, Any]:
    case = cases.get_case(session, viewer.principal, runtime.case_context.case_policy, case_id)
    people = [u for u in users_of_agency(session, case.agency_id) if not u.disabled and "admin" not in u.roles]
    people.sort(key=lambda u: ("head" not in u.roles, u.username))
    return {
        "case": {"id": str(case.id), "number": case.number, "title": case.title, "state": case.state},
        "people": [
            {"id": str(u.id), "name": u.display_name, "username": u.username, "head": "head" in u.roles} for u in people
        ],
        "quorum": runtime.case_context.review_catalogue.quorum,
        "recorded": case.case_file.collective_discussion is not None and not case.case_file.discussion_signed,
        "version": case.version,
        "idempotency_key": secrets.token_urlsafe(16),
        "today": local_date(runtime.clock.now()).isoformat(),
        "me": str(viewer.principal.user_id),
    }


@router.get("/cases/{case_id}/discussion")
def discussion_page(request: Request, case_id: uuid.UUID, viewer: Signer) -> HTMLResponse:
    """The form of the heads' collective discussion (集体讨论, 行政处罚法 第五十七条第二款): who attended, each
    one's opinion, the conclusion and the chair; the heads present are counted against the quorum as they are
    ticked, and the case service refuses a record short of it."""
    runtime = runtime_of(request)
    with runtime.database.transaction(write=False) as session:
        view = _discussion_view(session, runtime, viewer, case_id)
    return render(request, "discussion.html", viewer, values={}, **view)


@router.post("/cases/{case_id}/discussion")
async def record_discussion(request: Request, case_id: uuid.UUID, viewer: Signer) -> Response:
    sent = with_lf(await sent_form(request))
    check_csrf(viewer, sent, request)
    return await run_in_threadpool(_record_discussion, request, case_id, viewer, sent)


def _record_discussion(request: Request, case_id: uuid.UUID, viewer: Viewer, sent: dict[str, list[str]]) -> Response:
    runtime = runtime_of(request)

    def first(name: str) -> str:
        return (sent.get(name) or [""])[0]

    attendees = [a for a in sent.get("attendees", []) if a]
    data: dict[str, Any] = {
        "held_on": first("held_on"),
        "attendees": attendees,
        # Each attendee's own opinion (第五十七条第二款 asks for the discussion's record): only those who attended.
        "opinions": {a: first(f"opinion.{a}") for a in attendees},
        "conclusion": first("conclusion"),
        "chair": first("chair"),
    }
    seen_version = first("version")
    key = first("idempotency_key") or None
    step = "record_collective_discussion"
    try:
        act = cases.ActIn(data=data, if_match=if_match_of(seen_version))
        take_step_once(runtime, viewer, case_id, step, act, key, {"data": data})
    except DomainError as refused:
        with runtime.database.transaction(write=False) as session:
            view = _discussion_view(session, runtime, viewer, case_id)
        view["idempotency_key"] = key or view["idempotency_key"]
        if refused.status == 412:
            view["version"] = seen_version
        return render(
            request,
            "discussion.html",
            viewer,
            status=refused.status,
            values=sent,
            error=problem_view(refused, language(request)),
            **view,
        )
    # The chair signs next; anyone else goes back to the case.
    if data["chair"] == str(viewer.principal.user_id):
        return redirect(request, f"/cases/{case_id}/signoffs/collective_discussion", viewer)
    return redirect(request, f"/cases/{case_id}", viewer)
