"""``/api/v1/cases``: register cases, take every step of the procedure, search, deadlines, history."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field, TypeAdapter, create_model
from sqlalchemy.orm import Session

from service import idempotency
from service.admission import on_the_loop
from service.auth.deps import (
    Bearer,
    ReadSession,
    RuntimeDep,
    StatementSession,
    WriteSession,
    requires,
    requires_in_statement,
    wake_integrator,
)
from service.auth.permissions import Permission
from service.auth.principal import Principal
from service.cases import disclosure, search
from service.cases import service as cases
from service.cases.deadlines_view import case_deadlines
from service.cases.disclosure import clear_party, redacted_party
from service.cases.guards import GUARDS
from service.cases.history import HistoryEntry, case_history
from service.cases.models import Case
from service.cases.schemas import (
    BlockedStep,
    CaseFilters,
    CaseOut,
    DisclosureBody,
    DisclosureOut,
    EraseBody,
    MajorBody,
    OpenCaseBody,
    PartyOut,
    StepBody,
    StepEnvelope,
    StepProblem,
)
from service.cases.steps import STEPS
from service.cases.versioning import etag
from service.cases.workflow import CaseState, GuardFailure, Procedure, load_workflows
from service.errors import InvalidInput
from service.inputs import Line, SaneDate
from service.loop_reads import WouldBlock, offline_session
from service.projections import POLICIES
from service.runtime import Runtime, runtime_of

router = APIRouter(prefix="/api/v1/cases", tags=["cases"])
# The procedures as shipped in policies/, for the steps' documentation; the service enforces the configured ones.
DOCUMENTED_WORKFLOWS = load_workflows(POLICIES / "workflows")


_PROBLEM = {"content": {"application/problem+json": {"schema": StepProblem.model_json_schema()}}}
# What a step can answer besides 200: who may not (403), no such case (404), the law or the state does not allow
# it now (409, naming the rule and the article), the case changed since the ETag sent (412), bad data (422).
STEP_PROBLEMS: dict[int | str, dict[str, Any]] = {
    403: {"description": "the step needs a permission the caller lacks", **_PROBLEM},
    404: {"description": "no such case, or not visible to the caller", **_PROBLEM},
    409: {"description": "refused by a rule of law or by the case's state; names the rule and article", **_PROBLEM},
    412: {"description": "If-Match names an older version of the case than its ETag", **_PROBLEM},
    422: {"description": "the step's data is malformed", **_PROBLEM},
}


def case_out(session: Session, runtime: Runtime, case: Case, warnings: list[dict[str, Any]] | None = None) -> CaseOut:
    workflow = runtime.case_context.workflows[Procedure(case.procedure)]
    state = CaseState(case.state)
    now = runtime.clock.now()
    steps = cases.steps_now(session, runtime.case_context, case, now)
    officers = cases.case_officer_ids(session, case)
    # The file as the row stores it (``keep_file``: the typed file's ``stored()``), not dumped again.
    file = {k: v for k, v in case.file.items() if k != "party_commitments"}
    # Built from what the service just checked and built: not validated again (model_construct); the response is
    # serialised from it once (``_json``).
    return CaseOut.model_construct(
        id=case.id,
        number=case.number,
        procedure=case.procedure,
        state=case.state,
        state_zh=workflow.state_info(state).zh,
        item_code=case.item_code,
        catalogue_version=case.catalogue_version,
        party_type=case.party_type,
        title=case.title,
        unit=case.unit,
        occurred_on=case.occurred_on,
        registered_at=case.registered_at,
        filed_at=case.filed_at,
        decided_at=case.decided_at,
        closed_at=case.closed_at,
        outcome=case.outcome,
        fine_fen=case.fine_fen,
        officers=list(officers),
        file=file,
        deadlines=case_deadlines(session, runtime.case_context, case, now),
        next_steps=steps.available,
        blocked_steps=[_blocked_step(name, fs) for name, fs in steps.blocked],
        warnings=warnings or [],
    )


@lru_cache(maxsize=4096)
def _blocked_step(step: str, failures: tuple[GuardFailure, ...]) -> BlockedStep:
    """A blocked step as answered, made once per distinct refusal: most read the same for every case in a state
    (nothing seized, no approval yet), and a view lists several. Only ever serialised, never changed."""
    return BlockedStep.model_construct(step=step, failures=[f.to_record() for f in failures])


_CASE_LIST = TypeAdapter(list[CaseOut])


def _json(body: bytes, headers: dict[str, str] | None = None) -> Response:
    """A JSON answer of bytes already serialised: FastAPI neither validates nor serialises it again."""
    return Response(body, media_type="application/json", headers=headers)


def _case_json(case: CaseOut, etag_: str) -> Response:
    return _json(case.model_dump_json().encode("utf-8"), {"ETag": etag_})


def _request_print(request: Request, body: BaseModel) -> Callable[[], str]:
    """What a retry with the same Idempotency-Key must repeat: the path and the body."""
    return lambda: idempotency.fingerprint("POST", request.url.path, body.model_dump(mode="json"))


_IDEMPOTENCY_KEY = (
    "a key of the client's making: a retry with the same key and body within 7 days returns the first answer and "
    "writes nothing"
)
IdempotencyKeyHeader = Annotated[str | None, Header(alias=idempotency.HEADER, description=_IDEMPOTENCY_KEY)]


@router.post("", response_model=CaseOut, status_code=201, responses=STEP_PROBLEMS)
def open_case(
    body: OpenCaseBody,
    request: Request,
    session: WriteSession,
    runtime: RuntimeDep,
    idempotency_key: IdempotencyKeyHeader = None,
    principal: Principal = requires(Permission.CASE_CREATE),
) -> Response:
    """Register a case source (general procedure) or start a summary-procedure case on the spot."""

    def register() -> tuple[CaseOut, str]:
        opened = cases.open_case(
            session,
            runtime.case_context,
            principal,
            cases.OpenCaseIn(
                procedure=Procedure(body.procedure),
                item_code=body.item_code,
                title=body.title,
                party=cases.PartyIn(**body.party.model_dump()),
                source_kind=body.source_kind,
                source_description=body.source_description,
                occurred_on=body.occurred_on,
                continued_until=body.continued_until,
                harms_life_health_or_finance=body.harms_life_health_or_finance,
                area_code=body.area_code,
                place=body.place,
                officers=body.officers,
                claimed_at=body.claimed_at,
            ),
            runtime.clock.now(),
        )
        return case_out(session, runtime, opened.case, opened.warnings), etag(opened.case)

    return idempotency.answer_once(
        session,
        principal.user_id,
        idempotency_key,
        _request_print(request, body),
        runtime.clock.now(),
        201,
        register,
    )


def find_cases(session: Session, runtime: Runtime, principal: Principal, filters: CaseFilters) -> Response:
    found = search.search_cases(
        session, runtime.case_context, principal, search.CaseSearch(**filters.model_dump()), runtime.clock.now()
    )
    return _json(_CASE_LIST.dump_json([case_out(session, runtime, case) for case in found]))


@router.get("", response_model=list[CaseOut])
def list_cases(
    request: Request,
    session: StatementSession,
    runtime: RuntimeDep,
    state: Annotated[Line | None, Query(max_length=40)] = None,
    item: Annotated[Line | None, Query(max_length=50)] = None,
    officer: uuid.UUID | None = None,
    registered_from: Annotated[SaneDate | None, Query()] = None,
    registered_to: Annotated[SaneDate | None, Query()] = None,
    overdue: bool = False,
    due_soon: bool = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    principal: Principal = requires(Permission.CASE_READ),
) -> Response:
    """Cases the caller may see, filtered by state, item, officer, registration date; overdue or due soon. To find
    a party's cases, ``POST /api/v1/cases/search``: a name or ID number in a URL ends up in logs and histories."""
    if "party" in request.query_params:
        raise InvalidInput(
            "search by party with POST /api/v1/cases/search and the value in the body, never in a URL",
            "按当事人查询请使用 POST /api/v1/cases/search，在请求体中提交，不得放在网址中",
        )
    filters = CaseFilters(
        state=state,
        item=item,
        officer=officer,
        registered_from=registered_from,
        registered_to=registered_to,
        overdue=overdue,
        due_soon=due_soon,
        limit=limit,
    )
    return find_cases(session, runtime, principal, filters)


@router.post("/search", response_model=list[CaseOut])
def search_cases(
    body: CaseFilters,
    session: StatementSession,
    runtime: RuntimeDep,
    principal: Principal = requires(Permission.CASE_READ),
) -> Response:
    """The same filters as ``GET /api/v1/cases``, and the party's ID number or exact name, in the body. It writes
    nothing; it is a POST so that the party's data stays out of URLs, access logs and browser histories."""
    return find_cases(session, runtime, principal, body)


@router.get("/{case_id}", response_model=CaseOut)
async def get_case(
    case_id: uuid.UUID,
    request: Request,
    bearer: Bearer = requires_in_statement(Permission.CASE_READ),
) -> Response:
    """One case with its file, deadlines and the steps it allows now. The ``ETag`` header is the case's version:
    send it back as ``If-Match`` with a step so that it is refused (412) if the case changed meanwhile."""
    runtime = runtime_of(request)
    reads = runtime.database.loop_reads
    if reads is not None:
        # The busiest route: on PostgreSQL, on the event loop — its one statement awaited, the rest done on the
        # row, taking turns with the other such routes (service/loop_reads.py, service/admission.py).
        async with on_the_loop():
            row = await reads.first(cases.CASE_AS, cases.case_as_params(bearer.claims, case_id))
            try:
                with offline_session() as session:
                    return _case_view(session, runtime, bearer, row)
            except WouldBlock:
                pass  # it needs a read beyond its statement (a review to check, a cache to fill): in the pool
    return await run_in_threadpool(_case_view_in_thread, runtime, bearer, case_id)


def _case_view_in_thread(runtime: Runtime, bearer: Bearer, case_id: uuid.UUID) -> Response:
    # Its session opened here rather than as a dependency (RequiresInStatement says why).
    with runtime.database.statements() as session:
        # The principal and the case in one statement: the user's state and the token's version and revocation
        # are checked on every view, as on every request.
        row = cases.CASE_AS.first(session.connection(), cases.case_as_params(bearer.claims, case_id))
        return _case_view(session, runtime, bearer, row)


def _case_view(session: Session, runtime: Runtime, bearer: Bearer, row: Sequence[Any] | None) -> Response:
    _, case = cases.case_as_of_row(session, row, bearer.principal, runtime.case_context.case_policy)
    return _case_json(case_out(session, runtime, case), etag(case))


def _take_step(
    step: str,
    case_id: uuid.UUID,
    body: StepEnvelope,
    request: Request,
    if_match: str | None,
    idempotency_key: str | None,
    bearer: Bearer,
) -> Response:
    runtime = runtime_of(request)
    # Every step's route opens its own transaction rather than taking it as a dependency (RequiresInStatement
    # says why): it commits before the answer is sent, or rolls back whatever failed.
    with runtime.database.transaction() as session:
        answer = _step_in(step, case_id, body, request, session, runtime, if_match, idempotency_key, bearer)
    wake_integrator(request)
    return answer


def _step_in(
    step: str,
    case_id: uuid.UUID,
    body: StepEnvelope,
    request: Request,
    session: Session,
    runtime: Runtime,
    if_match: str | None,
    idempotency_key: str | None,
    bearer: Bearer,
) -> Response:
    data = getattr(body, "data", {})  # each step's body declares its own ``data`` model: perform reads it as it is
    officers, claimed_at, reason = body.officers, body.claimed_at, body.reason
    # The case's stream locked, then the principal and the case read under the lock in one statement (the
    # user's state, token version and revocation checked in it); a retry with a used key is answered after.
    principal, case = cases.read_case_as(
        session, bearer.claims, bearer.principal, runtime.case_context.case_policy, case_id, for_step=True
    )

    def take() -> tuple[CaseOut, str]:
        cases.perform(
            session,
            runtime.case_context,
            principal,
            case,
            step,
            cases.ActIn(data=data, officers=officers, claimed_at=claimed_at, reason=reason, if_match=if_match),
            runtime.clock.now(),
        )
        return case_out(session, runtime, case), etag(case)

    return idempotency.answer_once(
        session,
        principal.user_id,
        idempotency_key,
        _request_print(request, body),
        runtime.clock.now(),
        200,
        take,
    )


_IF_MATCH = "the case's ETag the step was decided on"


def _header_doc(name: str, description: str) -> dict[str, Any]:
    """An optional text header as FastAPI documents a declared ``Header`` parameter."""
    schema = {"anyOf": [{"type": "string"}, {"type": "null"}], "description": description, "title": name}
    return {"description": description, "in": "header", "name": name, "required": False, "schema": schema}


# A step's two optional headers are read from the request, not declared as parameters of its route: FastAPI
# validates every declared parameter on every request, and these two cost a step ~1.3 % of its instructions
# (bench/README.md, stop 47). They are documented as if declared — the OpenAPI document is the same.
_STEP_HEADERS = {"parameters": [_header_doc("If-Match", _IF_MATCH), _header_doc(idempotency.HEADER, _IDEMPOTENCY_KEY)]}


def _step_headers(request: Request) -> tuple[str | None, str | None]:
    """The step's ``If-Match`` and ``Idempotency-Key``, each absent or as sent."""
    headers = request.headers
    return headers.get("if-match"), headers.get(idempotency.HEADER)


def _step_body(step: str, payload: type[BaseModel]) -> type[StepEnvelope]:
    """The body of one step: its payload under ``data`` (required when the payload has required fields)."""
    required = any(f.is_required() for f in payload.model_fields.values())
    data: Any = (payload, ...) if required else (payload, Field(default_factory=payload))
    return create_model(
        "".join(part.capitalize() for part in step.split("_")) + "Step", __base__=StepEnvelope, data=data
    )


def _step_description(step: str) -> str:
    lines = []
    for workflow in DOCUMENTED_WORKFLOWS.values():
        for t in workflow.transitions:
            if t.name != step:
                continue
            states = ", ".join(sorted(s.value for s in t.from_states))
            guards = ", ".join(f"{g} ({GUARDS[g].basis.cite()})" for g in t.guards) or "none"
            to = t.to.value if t.to is not None else "(the state stays)"
            lines.append(
                f"**{workflow.name_en}** ({workflow.name_zh}): from {states} to {to}; permission `{t.permission}`; "
                f"rules: {guards}; recorded as `{t.records}`; basis {t.basis.cite()}."
            )
    return "\n\n".join(lines) + (
        "\n\nA rule that fails is a 409 naming it and its article, and nothing is written. "
        "See also GET /api/v1/procedures/{procedure}."
    )


def _add_step_route(step: str, payload: type[BaseModel]) -> None:
    body_model = _step_body(step, payload)

    def take_step(
        case_id: uuid.UUID,
        body: StepEnvelope,
        request: Request,
        bearer: Bearer = requires_in_statement(Permission.CASE_READ),
    ) -> Response:
        return _take_step(step, case_id, body, request, *_step_headers(request), bearer)

    take_step.__annotations__["body"] = body_model
    router.add_api_route(
        f"/{{case_id}}/steps/{step}",
        take_step,
        methods=["POST"],
        response_model=CaseOut,
        responses=STEP_PROBLEMS,
        summary=f"Step {step}",
        description=_step_description(step),
        operation_id=f"step_{step}",
        name=f"step_{step}",
        openapi_extra=_STEP_HEADERS,
    )


for _step in STEPS.values():
    _add_step_route(_step.name, _step.payload)


@router.post("/{case_id}/steps/{step}", response_model=CaseOut, responses=STEP_PROBLEMS, include_in_schema=False)
def take_unknown_step(
    case_id: uuid.UUID,
    step: str,
    body: StepBody,
    request: Request,
    bearer: Bearer = requires_in_statement(Permission.CASE_READ),
) -> Response:
    """A step no procedure declares: refused by the case's workflow with 409 ``unknown_transition``."""
    if not step.replace("_", "").isalnum():
        raise InvalidInput("unknown step", "未知的办案环节")
    return _take_step(step, case_id, body, request, *_step_headers(request), bearer)


@router.post("/{case_id}/major", response_model=CaseOut, responses=STEP_PROBLEMS)
def flag_major(
    case_id: uuid.UUID,
    body: MajorBody,
    session: WriteSession,
    runtime: RuntimeDep,
    if_match: Annotated[str | None, Header(description="the case's ETag when this was decided on")] = None,
    principal: Principal = requires(Permission.CASE_READ),
) -> Response:
    """Flag the case as of major public interest or complex: legal review and collective discussion become required.
    A head sets or lifts the flag; an officer may raise it but not lift it (第五十七条第二款)."""
    case = cases.get_case(session, principal, runtime.case_context.case_policy, case_id, for_step=True)
    cases.flag_major(session, principal, case, body.major, body.reason, runtime.clock.now(), if_match)
    return _case_json(case_out(session, runtime, case), etag(case))


def _no_store(response: Response) -> None:
    response.headers["Cache-Control"] = "no-store"


@router.get("/{case_id}/party", response_model=PartyOut)
def get_party(
    case_id: uuid.UUID,
    response: Response,
    session: ReadSession,
    runtime: RuntimeDep,
    principal: Principal = requires(Permission.CASE_READ),
) -> PartyOut:
    """The party as every reader of the case sees it: an individual's name as 张某某, the ID number's region and
    last four characters, the phone's first three and last four, the address to village level; an organisation
    in full. The clear data is disclosed by ``POST /cases/{id}/party/disclosures``, which is recorded."""
    case = cases.get_case(session, principal, runtime.case_context.case_policy, case_id)
    party = disclosure.party_of(session, case)
    _no_store(response)
    return PartyOut.model_validate(redacted_party(party, runtime.publicity.rules.address_levels), from_attributes=True)


@router.post("/{case_id}/party/disclosures", response_model=PartyOut, status_code=201)
def disclose_party(
    case_id: uuid.UUID,
    body: DisclosureBody,
    response: Response,
    session: WriteSession,
    runtime: RuntimeDep,
    principal: Principal = requires(Permission.CASE_READ),
) -> PartyOut:
    """The party's personal data in clear, for a reason; the disclosure (who, when, which case, which fields, why
    — never the data) is an entry on the case's chain that supervisors see."""
    case = cases.get_case(session, principal, runtime.case_context.case_policy, case_id)
    party = disclosure.disclose_party(session, principal, case, body.reason, runtime.clock.now())
    _no_store(response)
    return PartyOut.model_validate(clear_party(party), from_attributes=True)


@router.get("/{case_id}/party/disclosures", response_model=list[DisclosureOut])
def list_disclosures(
    case_id: uuid.UUID,
    session: ReadSession,
    runtime: RuntimeDep,
    principal: Principal = requires(Permission.CASE_AUDIT),
) -> list[DisclosureOut]:
    """Every disclosure of the party's personal data in this case, from its verified chain (supervisors)."""
    case = cases.get_case(session, principal, runtime.case_context.case_policy, case_id)
    found = disclosure.disclosures(case_history(session, case))
    return [DisclosureOut.model_validate(d, from_attributes=True) for d in found]


@router.post("/{case_id}/party/erase", response_model=PartyOut)
def erase_party_data(
    case_id: uuid.UUID,
    body: EraseBody,
    response: Response,
    session: WriteSession,
    runtime: RuntimeDep,
    principal: Principal = requires(Permission.CASE_APPROVE),
) -> PartyOut:
    """Lawfully erase fields of the party's personal data; the ledger still verifies and reports them erased. The
    answer shows what remains, redacted (an erasure is not a disclosure)."""
    case = cases.get_case(session, principal, runtime.case_context.case_policy, case_id)
    party = cases.erase_personal_data(session, principal, case, body.fields, body.reason, runtime.clock.now())
    _no_store(response)
    return PartyOut.model_validate(redacted_party(party, runtime.publicity.rules.address_levels), from_attributes=True)


@router.get("/{case_id}/history", response_model=list[HistoryEntry])
def get_history(
    case_id: uuid.UUID, session: ReadSession, runtime: RuntimeDep, principal: Principal = requires(Permission.CASE_READ)
) -> list[HistoryEntry]:
    """The case's hash chain: each entry with actor, times, type, body, hashes, and whether it verifies."""
    case = cases.get_case(session, principal, runtime.case_context.case_policy, case_id)
    return case_history(session, case)
