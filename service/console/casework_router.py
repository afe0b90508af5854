"""An officer's casework in the console: register a case, see it, take a step, upload evidence, read its history.

Every write calls the service function the API's route calls (``cases.open_case``, ``cases.perform``,
``evidence.collect``) after the body the API would validate (``OpenCaseBody``, ``StepEnvelope``), so the console
has no rule of its own. Forms post as ``multipart/form-data``: browsers send a textarea's line breaks as CRLF,
which the API refuses in a urlencoded body (service/inputs.py); here CR LF becomes LF and the same models check
every field. A step's form carries the case version it was drawn on (sent as ``If-Match``: 412 if the case moved
on) and an idempotency key (a resubmitted or replayed form is recorded once).
"""

from __future__ import annotations

import base64
import secrets
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from service import idempotency
from service.auth.permissions import Permission
from service.auth.users import users_of_agency
from service.cases import service as cases
from service.cases.deadlines_view import case_deadlines
from service.cases.disclosure import party_of, redacted_party
from service.cases.history import case_history, citable_evidence, stream_entries
from service.cases.models import Case
from service.cases.schemas import SOURCE_KINDS, OpenCaseBody, StepEnvelope
from service.cases.steps import STEPS
from service.cases.versioning import etag
from service.cases.workflow import Procedure
from service.catalogue.service import item_of, items_of, require_current_version
from service.console import desks
from service.console.acting import if_match_of, take_step_once, with_lf
from service.console.forms import form_of, read_answer
from service.console.prefill import (
    CITING_FIELDS,
    TWO_OFFICERS,
    case_colleagues,
    chosen_by_link,
    intended_penalty,
    officer_fields,
)
from service.console.schemas import Recorded
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
from service.evidence.receiving import receive_evidence
from service.evidence.schemas import CustodyIn
from service.evidence.service import COLLECTING_STATES, FINAL_CUSTODY, CustodyEvent, EvidenceKind
from service.officers.qualification import ItemFacts
from service.officers.service import officer_of_user, officers_named, officers_of_agency, qualifications_of
from service.runtime import Runtime
from service.validation_words import problems_zh

router = APIRouter(include_in_schema=False)


Creator = Annotated[Viewer, Depends(ConsoleRequires(Permission.CASE_CREATE))]
Reader = Annotated[Viewer, Depends(ConsoleRequires(Permission.CASE_READ))]
Collector = Annotated[Viewer, Depends(ConsoleRequires(Permission.EVIDENCE_UPLOAD))]
Actor = Annotated[Viewer, Depends(ConsoleRequires(Permission.CASE_ACT))]


def _first(sent: dict[str, list[str]], name: str) -> str:
    values = sent.get(name) or [""]
    return values[0].replace("\r\n", "\n").replace("\r", "\n")


def _validation_refusal(exc: ValidationError) -> InvalidInput:
    problems = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
    return InvalidInput("; ".join(problems), "输入有误：" + "；".join(problems_zh(exc.errors())))


# -- the officers who may act with me --------------------------------------------------------------------------


def officer_choices(
    session: Session, runtime: Runtime, agency_id: uuid.UUID, item_code: str, category: str, me: uuid.UUID | None
) -> list[dict[str, Any]]:
    """Every active officer of the agency but me, qualified for the item *now* or greyed with the reasons
    (行政处罚法 第四十二条: officers hold enforcement certificates for the matter)."""
    others = [o for o in officers_of_agency(session, agency_id) if o.active and o.id != me]
    # Their certificates in one statement, not one per officer.
    found = qualifications_of(
        session, runtime.officer_policy, others, ItemFacts(item_code, category), runtime.clock.now()
    )
    choices = []
    for officer, q in zip(others, found, strict=True):
        choices.append(
            {
                "id": str(officer.id),
                "name": officer.name,
                "unit": runtime.officer_policy.units.get(officer.unit, officer.unit),
                "ok": q.ok,
                "reasons": [(r.text_zh, r.text_en, r.citation) for r in q.reasons],
            }
        )
    choices.sort(key=lambda o: (not o["ok"], o["name"]))
    return choices


# -- registering a case ------------------------------------------------------------------------------------------


def _catalogue(session: Session, agency_id: uuid.UUID) -> list[dict[str, Any]]:
    version = require_current_version(session, agency_id)
    return [row.data for row in items_of(session, agency_id, version.version)]


@router.get("/cases/new")
def new_case_page(
    request: Request, viewer: Creator, item: Annotated[str | None, Query(max_length=50)] = None
) -> Response:
    runtime = runtime_of(request)
    with runtime.database.transaction(write=False) as session:
        items = _catalogue(session, viewer.principal.agency_id)
        chosen = next((i for i in items if i["code"] == item), None)
        me = officer_of_user(session, viewer.principal.user_id)
        choices = (
            officer_choices(
                session, runtime, viewer.principal.agency_id, chosen["code"], chosen["category"], me.id if me else None
            )
            if chosen
            else []
        )
    return render(
        request,
        "case_new.html",
        viewer,
        items=items,
        chosen=chosen,
        choices=choices,
        areas=runtime.case_context.designated_areas.of(viewer.principal.agency_code),
        source_kinds=SOURCE_KINDS,
        values={},
        idempotency_key=secrets.token_urlsafe(16),
    )


@router.post("/cases/new")
async def new_case_submit(request: Request, viewer: Creator) -> Response:
    sent = with_lf(await sent_form(request))
    check_csrf(viewer, sent, request)
    return await run_in_threadpool(_register, request, viewer, sent)


def _register(request: Request, viewer: Viewer, sent: dict[str, list[str]]) -> Response:
    runtime = runtime_of(request)
    body: dict[str, Any] = {
        "procedure": _first(sent, "procedure") or "general",
        "item_code": _first(sent, "item_code"),
        "title": _first(sent, "title"),
        "party": {
            "party_type": _first(sent, "party_type"),
            "name": _first(sent, "party_name"),
            **{k: _first(sent, k) for k in ("id_number", "phone", "address") if _first(sent, k)},
        },
        "source_kind": _first(sent, "source_kind") or "inspection",
        "source_description": _first(sent, "source_description"),
        "place": _first(sent, "place"),
        "officers": [v for v in sent.get("officers", []) if v],
    }
    for optional in ("occurred_on", "continued_until", "area_code"):
        if _first(sent, optional):
            body[optional] = _first(sent, optional)
    body["harms_life_health_or_finance"] = _first(sent, "harms_life_health_or_finance") == "yes"
    key = _first(sent, "idempotency_key") or None
    try:
        try:
            parsed = OpenCaseBody.model_validate(body)
        except ValidationError as exc:
            raise _validation_refusal(exc) from None
        with runtime.database.transaction() as session:

            def register() -> tuple[Recorded, str]:
                opened = cases.open_case(
                    session,
                    runtime.case_context,
                    viewer.principal,
                    cases.OpenCaseIn(
                        procedure=Procedure(parsed.procedure),
                        item_code=parsed.item_code,
                        title=parsed.title,
                        party=cases.PartyIn(**parsed.party.model_dump()),
                        source_kind=parsed.source_kind,
                        source_description=parsed.source_description,
                        occurred_on=parsed.occurred_on,
                        continued_until=parsed.continued_until,
                        harms_life_health_or_finance=parsed.harms_life_health_or_finance,
                        area_code=parsed.area_code,
                        place=parsed.place,
                        officers=parsed.officers,
                        claimed_at=parsed.claimed_at,
                    ),
                    runtime.clock.now(),
                )
                return Recorded(id=str(opened.case.id)), etag(opened.case)

            answer = idempotency.answer_once(
                session,
                viewer.principal.user_id,
                key,
                lambda: idempotency.fingerprint("POST", "/cases/new", parsed.model_dump(mode="json")),
                runtime.clock.now(),
                201,
                register,
            )
    except DomainError as refused:
        with runtime.database.transaction(write=False) as session:
            items = _catalogue(session, viewer.principal.agency_id)
        chosen = next((i for i in items if i["code"] == body["item_code"]), None)
        return render(
            request,
            "case_new.html",
            viewer,
            status=refused.status,
            items=items,
            chosen=chosen,
            choices=[],
            areas=runtime.case_context.designated_areas.of(viewer.principal.agency_code),
            source_kinds=SOURCE_KINDS,
            values=body,
            idempotency_key=key or secrets.token_urlsafe(16),
            error=problem_view(refused, language(request)),
        )
    case_id = Recorded.model_validate_json(bytes(answer.body)).id
    return redirect(request, f"/cases/{case_id}", viewer)


# -- a case ------------------------------------------------------------------------------------------------------


def _case_view(session: Session, runtime: Runtime, case: Case) -> dict[str, Any]:
    now = runtime.clock.now()
    state = runtime.case_context.state_of(case.procedure, case.state)
    steps = cases.steps_now(session, runtime.case_context, case, now)
    units = runtime.officer_policy.units
    officers = officers_named(session, cases.case_officer_ids(session, case))
    # The approvals officers asked for, and applications for recusal (第四十三条), still open: who asked, when, why.
    asked = [w for w in desks.waiting_approvals(case, steps.available) if w.request or w.recusal]
    return {
        "id": str(case.id),
        # The party as every reader of the case sees it (GET /cases/{id}/party): 张某某, the ID number's region and
        # last four characters; the clear data only by a recorded disclosure.
        "party": redacted_party(party_of(session, case), runtime.publicity.rules.address_levels),
        "officers": [{"name": o.name, "unit": units.get(o.unit, o.unit)} for o in officers],
        "asked": asked,
        "askers": desks.askers_of(users_of_agency(session, case.agency_id), officers_of_agency(session, case.agency_id))
        if asked
        else desks.NOBODY_ASKED,
        "occurred_on": case.occurred_on,
        "number": case.number,
        "title": case.title,
        "state": case.state,
        "state_zh": state.zh,
        "state_en": state.en,
        "procedure": case.procedure,
        "item_code": case.item_code,
        "registered_at": case.registered_at,
        "version": case.version,
        "deadlines": case_deadlines(session, runtime.case_context, case, now),
        "next_steps": steps.available,
        "blocked": [(name, [f.to_record() for f in failures]) for name, failures in steps.blocked],
        "evidence": evidence_service.evidence_of(session, case),
        "reviews": case.case_file.reviews,
    }


@router.get("/cases/{case_id}")
def case_page(request: Request, case_id: uuid.UUID, viewer: Reader) -> Response:
    return _case_page(request, case_id, viewer)


def _case_page(request: Request, case_id: uuid.UUID, viewer: Viewer, status: int = 200, **shown: Any) -> Response:
    runtime = runtime_of(request)
    with runtime.database.transaction(write=False) as session:
        case = cases.get_case(session, viewer.principal, runtime.case_context.case_policy, case_id)
        view = _case_view(session, runtime, case)
        # The item as the case's catalogue version states it: its code alone tells a reader nothing.
        item = item_of(session, case.agency_id, case.catalogue_version, case.item_code)
        choices = []
        if viewer.has(Permission.EVIDENCE_UPLOAD) or viewer.has(Permission.CASE_ACT):
            me = officer_of_user(session, viewer.principal.user_id)
            choices = officer_choices(session, runtime, case.agency_id, item.code, item.category, me.id if me else None)
        colleagues = case_colleagues(choices, cases.case_officer_ids(session, case))
        # Each piece's chain of custody, its officers by name (one read of the agency's officers).
        custody = {e.id: evidence_service.custody_of(session, e) for e in view["evidence"]}
        names = {str(o.id): o.name for o in officers_of_agency(session, case.agency_id)} if custody else {}
    kinds = [k.value for k in EvidenceKind]
    mine, theirs = _steps_by_who(runtime, case, viewer, view["next_steps"])
    return render(
        request,
        "case.html",
        viewer,
        status=status,
        case=view,
        custody=custody,
        officer_names=names,
        custody_events=[e.value for e in CustodyEvent if e is not CustodyEvent.COLLECTED],
        final_custody=[e.value for e in FINAL_CUSTODY],
        custody_key=secrets.token_urlsafe(16),
        item=item,
        my_steps=mine,
        their_steps=theirs,
        kinds=kinds,
        choices=choices,
        colleagues=colleagues,
        collecting=case.state in COLLECTING_STATES,  # while investigated or the party heard (第五十四条、第五十五条)
        upload_key=secrets.token_urlsafe(16),
        **shown,
    )


def _steps_by_who(
    runtime: Runtime, case: Case, viewer: Viewer, steps: list[str]
) -> tuple[list[str], list[tuple[str, list[str]]]]:
    """The steps the case allows now that the viewer's roles may take, as buttons; the others with the roles that
    take them (an officer sees that the filing waits for a head, and is not offered a form the head's permission
    would refuse)."""
    workflow = runtime.case_context.workflows[Procedure(case.procedure)]
    mine, theirs = [], []
    for step in steps:
        permission = workflow.transition(step).permission
        if viewer.has(permission):
            mine.append(step)
        else:
            holders = sorted(str(role) for role, granted in runtime.roles.grants.items() if permission in granted)
            theirs.append((step, holders))
    return mine, theirs


# -- a step ------------------------------------------------------------------------------------------------------


def _step_context(session: Session, runtime: Runtime, viewer: Viewer, case: Case, step: str) -> dict[str, Any]:
    declared = STEPS.get(step)
    if declared is None:
        raise InvalidInput("unknown step", "未知的办案环节")
    payload = declared.payload
    form = form_of(payload.model_json_schema())
    workflow = runtime.case_context.workflows[Procedure(case.procedure)]
    transition = workflow.transition(step)  # a step this procedure does not have is a 409 naming it
    me = officer_of_user(session, viewer.principal.user_id)
    version_item = item_of(session, case.agency_id, case.catalogue_version, case.item_code)
    field_act = transition.permission in (Permission.CASE_ACT, Permission.EVIDENCE_UPLOAD)
    return {
        "case": _case_view(session, runtime, case),
        "step": step,
        "basis": transition.basis.cite(),
        "form": form,
        "choices": officer_choices(
            session, runtime, case.agency_id, version_item.code, version_item.category, me.id if me else None
        )
        if field_act
        else [],
        "officer_fields": officer_fields(session, case.agency_id, declared.names_officers),
        "two_officers": TWO_OFFICERS in transition.guards,  # 第四十二条: the case's own second officer ticked
        # A decision's evidence (第四十条): the case's records to tick, by number, not numbers to look up and type.
        "entry_fields": {f.name: citable_evidence(session, case) for f in form.fields if f.name in CITING_FIELDS},
        "version": case.version,
        "idempotency_key": secrets.token_urlsafe(16),
    }


@router.get("/cases/{case_id}/steps/{step}")
def step_page(request: Request, case_id: uuid.UUID, step: str, viewer: Reader) -> Response:
    runtime = runtime_of(request)
    with runtime.database.transaction(write=False) as session:
        case = cases.get_case(session, viewer.principal, runtime.case_context.case_policy, case_id)
        context = _step_context(session, runtime, viewer, case, step)
        values = intended_penalty(context["form"], case) | chosen_by_link(request, context)
        if context["two_officers"]:
            values["officers"] = case_colleagues(context["choices"], cases.case_officer_ids(session, case))
    return render(request, "step.html", viewer, values=values, **context)


@router.post("/cases/{case_id}/steps/{step}")
async def step_submit(request: Request, case_id: uuid.UUID, step: str, viewer: Reader) -> Response:
    sent = with_lf(await sent_form(request))
    check_csrf(viewer, sent, request)
    return await run_in_threadpool(_take_step, request, case_id, step, viewer, sent)


def _take_step(request: Request, case_id: uuid.UUID, step: str, viewer: Viewer, sent: dict[str, list[str]]) -> Response:
    runtime = runtime_of(request)
    declared = STEPS.get(step)
    if declared is None:
        raise InvalidInput("unknown step", "未知的办案环节")
    payload = declared.payload
    data = read_answer(form_of(payload.model_json_schema()), sent)
    envelope: dict[str, Any] = {"officers": [v for v in sent.get("officers", []) if v]}
    if _first(sent, "claimed_at"):
        claimed = _first(sent, "claimed_at")
        envelope["claimed_at"] = claimed if ("+" in claimed[10:] or claimed.endswith("Z")) else claimed + ":00+08:00"
    if _first(sent, "reason"):
        envelope["reason"] = _first(sent, "reason")
    seen_version = _first(sent, "version")
    if_match = if_match_of(seen_version)
    key = _first(sent, "idempotency_key") or None
    try:
        try:
            parsed = StepEnvelope.model_validate(envelope)
        except ValidationError as exc:
            raise _validation_refusal(exc) from None
        act = cases.ActIn(
            data=data,
            officers=parsed.officers,
            claimed_at=parsed.claimed_at,
            reason=parsed.reason,
            if_match=if_match,
        )
        take_step_once(runtime, viewer, case_id, step, act, key, {**parsed.model_dump(mode="json"), "data": data})
    except DomainError as refused:
        with runtime.database.transaction(write=False) as session:
            case = cases.get_case(session, viewer.principal, runtime.case_context.case_policy, case_id)
            context = _step_context(session, runtime, viewer, case, step)
        if refused.status == 412:
            context["version"] = seen_version  # the officer decides: reload the case, or send anew
        context["idempotency_key"] = key or context["idempotency_key"]
        return render(
            request,
            "step.html",
            viewer,
            status=refused.status,
            values=sent,
            error=problem_view(refused, language(request)),
            **context,
        )
    return redirect(request, f"/cases/{case_id}", viewer)


# -- evidence ----------------------------------------------------------------------------------------------------


@router.post("/cases/{case_id}/evidence")
async def upload_evidence(
    request: Request,
    case_id: uuid.UUID,
    viewer: Collector,
    kind: Annotated[str, Query(max_length=40)],
    description: Annotated[str, Query(min_length=1, max_length=2000)],
    filename: Annotated[str, Query(min_length=1, max_length=255)] = "evidence.bin",
    officers: Annotated[list[uuid.UUID] | None, Query()] = None,
) -> Response:
    """The file as the request body (sent by the console's script, with progress); the form token in a header.
    The same checks and order as ``POST /api/v1/cases/{id}/evidence``: everything that does not need the file
    first, so that a refused upload stores nothing."""
    check_csrf(viewer, {}, request)
    runtime = runtime_of(request)
    policy = runtime.case_context.case_policy
    principal = viewer.principal
    key = request.headers.get(idempotency.HEADER)

    received = await receive_evidence(
        runtime,
        principal,
        case_id,
        kind=kind,
        officers=officers or [],
        claimed_at=None,
        idempotency_key=key,
        body=request.stream(),
        content_type=request.headers.get("content-type"),
    )
    stored, media_type = received.stored, received.media_type
    query = request.query_params.multi_items()

    def record() -> Response:
        with runtime.database.transaction() as session:

            def collect() -> tuple[Recorded, None]:
                case = cases.get_case(session, principal, policy, case_id)
                item = evidence_service.collect(
                    session,
                    runtime.case_context,
                    principal,
                    case,
                    stored,
                    kind=kind,
                    description=description,
                    filename=filename,
                    media_type=media_type,
                    officers=officers or [],
                    claimed_at=None,
                    now=runtime.clock.now(),
                )
                return Recorded(id=str(item.id)), None

            return idempotency.answer_once(
                session,
                principal.user_id,
                key,
                lambda: received.fingerprint(request.url.path, query),
                runtime.clock.now(),
                201,
                collect,
            )

    return await run_in_threadpool(record)


@router.post("/cases/{case_id}/evidence/{evidence_id}/custody")
async def custody_submit(request: Request, case_id: uuid.UUID, evidence_id: uuid.UUID, viewer: Actor) -> Response:
    """A link of the evidence's chain of custody, checked and recorded as ``POST
    /api/v1/cases/{id}/evidence/{eid}/custody`` does it; refused, the case's page again with the refusal and what
    was typed."""
    sent = with_lf(await sent_form(request))
    check_csrf(viewer, sent, request)
    return await run_in_threadpool(_change_custody, request, case_id, evidence_id, viewer, sent)


def _change_custody(
    request: Request, case_id: uuid.UUID, evidence_id: uuid.UUID, viewer: Viewer, sent: dict[str, list[str]]
) -> Response:
    runtime = runtime_of(request)
    key = _first(sent, "idempotency_key") or None
    fields = {"event": _first(sent, "event"), "holder": _first(sent, "holder"), "note": _first(sent, "note")}
    try:
        try:
            body = CustodyIn.model_validate(fields | {"officers": [v for v in sent.get("officers", []) if v]})
        except ValidationError as exc:
            raise _validation_refusal(exc) from None
        with runtime.database.transaction() as session:

            def change() -> tuple[Recorded, None]:
                item = evidence_service.change_custody(
                    session,
                    runtime.case_context,
                    viewer.principal,
                    case_id,
                    evidence_id,
                    event=body.event,
                    holder=body.holder,
                    note=body.note,
                    officers=body.officers,
                    claimed_at=None,
                    now=runtime.clock.now(),
                )
                return Recorded(id=str(item.id)), None

            idempotency.answer_once(
                session,
                viewer.principal.user_id,
                key,
                lambda: idempotency.fingerprint("POST", request.url.path, body.model_dump(mode="json")),
                runtime.clock.now(),
                200,
                change,
            )
    except DomainError as refused:
        return _case_page(
            request,
            case_id,
            viewer,
            status=refused.status,
            error=problem_view(refused, language(request)),
            custody_sent={"evidence": str(evidence_id), **fields, "officers": sent.get("officers", [])},
        )
    return redirect(request, f"/cases/{case_id}#evidence-{evidence_id}", viewer)


# -- history -----------------------------------------------------------------------------------------------------


@router.get("/cases/{case_id}/history")
def history_page(request: Request, case_id: uuid.UUID, viewer: Reader) -> HTMLResponse:
    """The case's chain as a timeline: who, when claimed and recorded, what, and whether each entry verifies."""
    runtime = runtime_of(request)
    with runtime.database.transaction(write=False) as session:
        case = cases.get_case(session, viewer.principal, runtime.case_context.case_policy, case_id)
        entries = case_history(session, case)
        # The exact bytes of each entry, for the browser to hash and prove against a signed checkpoint itself.
        canonical = {
            entry.stream_seq: base64.b64encode(bytes(entry.canonical)).decode("ascii")
            for entry, _index in stream_entries(session, case.agency_id, f"case:{case.id}")
        }
        view = _case_view(session, runtime, case)
    workflow = runtime.case_context.workflows[Procedure(case.procedure)]
    return render(
        request,
        "history.html",
        viewer,
        case=view,
        entries=entries,
        canonical=canonical,
        agency=viewer.principal.agency_code,
        # A step's move from one state to another, in the page's language (the entry keeps the codes).
        state_names={info.state.value: (info.zh, info.en) for info in workflow.states},
    )
