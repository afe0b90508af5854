"""RFC 9457 ``application/problem+json`` responses for domain errors, validation and framework errors."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from service.errors import (
    DomainError,
    Forbidden,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    PayloadTooLarge,
    TooManyRequests,
)
from service.logs import request_id

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
            {"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", "")), "type": e.get("type")}
            for e in exc.errors()
        ]
        summary = "; ".join(f"{'.'.join(e['loc'])}: {e['msg']}" for e in errors[:5])
        error = InvalidInput(summary, f"输入校验失败：{summary}", extra={"errors": errors})
        return problem_response(request, error)

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


def _make_generic(status: int, detail: str) -> DomainError:
    """HTTP errors raised by the framework itself (405, 415, ...) keep their status."""
    error = DomainError(detail)
    error.status = status
    error.code = f"http_{status}"
    error.title_zh = error.title_en = detail
    return error
