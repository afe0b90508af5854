"""RFC 9457 ``application/problem+json`` responses for domain errors, validation and framework errors."""

from __future__ import annotations

import logging
import re
from collections.abc import MutableMapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.schema import ColumnCollectionConstraint
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Send

from service.db import Base
from service.errors import (
    AlreadyExists,
    Conflict,
    DomainError,
    Forbidden,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    PayloadTooLarge,
    TooManyRequests,
)
from service.inputs import InputRefused
from service.logs import request_id
from service.validation_words import problems_zh

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger(__name__)


def prefers_english(request: Request) -> bool:
    """Chinese by default; English when the first language the client accepts is English."""
    header = request.headers.get("accept-language", "")
    first = header.split(",")[0].split(";")[0].strip().lower()
    return first.startswith("en")


def problem_response(request: Request, error: DomainError) -> JSONResponse:
    return JSONResponse(
        error.problem(prefers_english(request)),
        status_code=error.status,
        media_type=PROBLEM_JSON,
        headers=error.headers,
    )


_HTTP_TITLES = {
    401: NotAuthenticated,
    403: Forbidden,
    404: NotFound,
    413: PayloadTooLarge,
    429: TooManyRequests,
}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # The record carries the exception's type and frames, never its text (service/logs.py); the client gets
        # the request id to quote, nothing of the error.
        log.error("unhandled error in %s %s", request.method, request.url.path, exc_info=exc)
        error = _make_generic(500, "internal error")
        error.detail_zh = "服务器内部错误"
        error.extra = {"request_id": request_id.get()}
        return problem_response(request, error)

    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> JSONResponse:
        return problem_response(request, exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"loc": [str(p) for p in e.get("loc", ())], "msg": _message(e), "type": e.get("type")} for e in exc.errors()
        ]
        summary = "; ".join(f"{'.'.join(e['loc'])}: {e['msg']}" for e in errors[:5])
        summary_zh = "；".join(problems_zh(list(exc.errors())[:5]))
        error = InvalidInput(summary, f"输入校验失败：{summary_zh}", extra={"errors": errors})
        return problem_response(request, error)

    @app.exception_handler(IntegrityError)
    async def _integrity(request: Request, exc: IntegrityError) -> JSONResponse:
        if not _is_unique_violation(exc):
            # A trigger or a foreign key refused a write the service made: the service's fault, not the client's.
            return await _unexpected(request, exc)
        return problem_response(request, conflict_of(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        cls = _HTTP_TITLES.get(exc.status_code)
        detail = str(exc.detail)
        if cls is NotAuthenticated:
            error: DomainError = NotAuthenticated()
        elif cls is not None:
            error = cls(detail)
        else:
            error = _make_generic(exc.status_code, detail)
        for key, value in (exc.headers or {}).items():
            error.headers.setdefault(key, value)
        return problem_response(request, error)


def _message(error: Any) -> str:
    """Pydantic's message, except where it counts a string's length in "items": a length constraint applied after
    the text checks of :data:`service.inputs.Line` and ``Paragraph`` is checked as on any sequence."""
    kind, given, context = error.get("type"), error.get("input"), error.get("ctx") or {}
    if kind == "too_long" and isinstance(given, str) and "max_length" in context:
        return f"String should have at most {context['max_length']} characters, not {len(given)}"
    if kind == "too_short" and isinstance(given, str) and "min_length" in context:
        return f"String should have at least {context['min_length']} character{'s' * (context['min_length'] != 1)}"
    return str(error.get("msg", ""))


def _make_generic(status: int, detail: str) -> DomainError:
    """HTTP errors raised by the framework itself (405, 415, ...) keep their status."""
    error = DomainError(detail)
    error.status = status
    error.code = f"http_{status}"
    error.title_zh = error.title_en = detail
    return error


async def refuse_input(scope: MutableMapping[str, Any], send: Send, refused: InputRefused) -> None:
    """The answer of :class:`service.inputs.InputGuardMiddleware`: a 422 like any validation error."""
    where = ".".join(refused.where)
    error = InvalidInput(
        f"{where}: {refused.message}",
        f"输入校验失败：{where}：{refused.message}",
        extra={"errors": [{"loc": list(refused.where), "msg": refused.message, "type": "value_error"}]},
    )
    await refuse(scope, send, error)


async def refuse(scope: MutableMapping[str, Any], send: Send, error: DomainError) -> None:
    """``error`` answered from a middleware, before any route: the same problem document a route's would be."""

    async def no_body() -> MutableMapping[str, Any]:
        return {"type": "http.disconnect"}

    await problem_response(Request(scope), error)(scope, no_body, send)


# Where a column's name is not the name the API gives the field.
_FIELD_OF_COLUMN = {("signing_keys", "key_id"): "public_key"}


def conflict_of(exc: IntegrityError) -> Conflict:
    """A constraint the database enforced, as the 409 the service would have answered had it seen it first.

    Services look before they insert, but two requests can both look before either commits: the database's
    constraint decides, and the loser gets the same answer as if it had come second.
    """
    table, columns = _violated(exc)
    fields = [_FIELD_OF_COLUMN.get((table, c), c) for c in columns if c != "agency_id"] or list(columns)
    if _is_unique_violation(exc) and fields:
        named = ", ".join(fields)
        return AlreadyExists(
            f"a record with this {named} already exists",
            f"{named} 已存在相同的记录",
            extra={"field": named},
        )
    return Conflict(
        "the request conflicts with a concurrent change; read the current state and retry",
        "请求与同时发生的变更冲突，请读取当前状态后重试",
    )


def _is_unique_violation(exc: IntegrityError) -> bool:
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if sqlstate is not None:
        return bool(sqlstate == "23505")
    return "UNIQUE constraint failed" in str(exc.orig)


def _violated(exc: IntegrityError) -> tuple[str, tuple[str, ...]]:
    """The table and columns of the violated constraint, from PostgreSQL's diagnostics or SQLite's message."""
    diag = getattr(exc.orig, "diag", None)
    name = getattr(diag, "constraint_name", None)
    if name:
        table_name = getattr(diag, "table_name", None) or ""
        for table in Base.metadata.tables.values():
            for constraint in table.constraints:
                if constraint.name == name and isinstance(constraint, ColumnCollectionConstraint):
                    return table.name, tuple(c.name for c in constraint.columns)
            for index in table.indexes:
                if index.name == name:
                    return table.name, tuple(c.name for c in index.columns)
        return table_name, ()
    found = re.search(r"UNIQUE constraint failed: ([\w., ]+)", str(exc.orig))
    if found is None:
        return "", ()
    qualified = [part.strip().split(".") for part in found.group(1).split(",")]
    return qualified[0][0], tuple(part[-1] for part in qualified)


PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details; refusals by a rule of law also carry `basis` and `article`.",
    "type": "object",
    "required": ["type", "title", "status", "code", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "code": {"type": "string", "description": "stable, machine-readable"},
        "detail": {"type": "string"},
        "article": {"type": "string"},
        "basis": {"type": "object"},
        "field": {"type": "string", "description": "the field whose value is taken (already_exists)"},
        "errors": {"type": "array", "items": {"type": "object"}},
    },
    "additionalProperties": True,
}

_DESCRIPTIONS = {
    "400": "Malformed request (e.g. an invalid Content-Length)",
    "401": "Not authenticated: missing, invalid, expired or revoked token",
    "403": "Authenticated, but the roles do not grant the permission",
    "404": "Not found (another agency's objects answer 404 too)",
    "409": "Conflict with the current state, a rule of law, or a value already taken",
    "412": "The If-Match precondition failed: the object changed",
    "413": "Request body too large",
    "422": "Invalid input (schema, control characters, out-of-range dates and numbers)",
    "428": "An If-Match precondition is required",
    "429": "Too many requests: retry after the time given",
}
_WRITES = {"post", "put", "patch", "delete"}


def _problem_statuses(path: str, method: str, operation: dict[str, Any]) -> set[str]:
    """The 4xx an operation can answer, from what it takes and who may call it."""
    parameters = operation.get("parameters", [])
    statuses = {"422"}  # every path, query and body passes the input guard
    if operation.get("security"):
        statuses |= {"401", "403", "404"}
    if "{" in path:
        statuses.add("404")
    if method in _WRITES or "409" in operation.get("responses", {}):  # a read that declares its own conflict
        statuses.add("409")
    if "requestBody" in operation:
        statuses |= {"400", "413"}
    if any(p.get("in") == "header" and p.get("name", "").lower() == "if-match" for p in parameters):
        statuses |= {"412", "428"}
    if path.endswith("/auth/token"):
        statuses |= {"401", "429"}
    return statuses


def add_problem_responses(document: dict[str, Any]) -> dict[str, Any]:
    """Declare every 4xx the service can answer, as problem+json, in an OpenAPI document (idempotent)."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    reference = {"$ref": "#/components/schemas/Problem"}
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in {"get", "head", "post", "put", "patch", "delete", "options"}:
                continue
            responses = operation.setdefault("responses", {})
            for status in sorted(_problem_statuses(path, method, operation)):
                responses[status] = {
                    "description": _DESCRIPTIONS[status],
                    "content": {PROBLEM_JSON: {"schema": reference}},
                }
    # FastAPI's own validation error shapes are never sent: validation errors are problems too.
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    return document


def declare_problem_responses(app: FastAPI) -> None:
    """Make ``app.openapi()`` declare the problem responses of every operation."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        return add_problem_responses(generate())

    app.openapi = openapi  # type: ignore[method-assign]
