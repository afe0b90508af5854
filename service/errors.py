"""Domain errors and their RFC 9457 ``application/problem+json`` form.

Every refusal the service makes on purpose is a :class:`DomainError` with its own status, a stable
machine-readable ``code``, a title and detail in Chinese and English, and — where a rule of law refused the
request — the law and article. Expected conflicts are 4xx; nothing a client sends produces a 500.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_JSON = "application/problem+json"


@dataclass(frozen=True)
class LegalBasis:
    """A rule of law: e.g. LegalBasis("中华人民共和国行政处罚法", 42)."""

    law: str
    article: int
    paragraph: int | None = None

    def cite(self) -> str:
        text = f"《{self.law}》第{self.article}条"
        return text + (f"第{self.paragraph}款" if self.paragraph else "")

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"law": self.law, "article": self.article, "citation": self.cite()}
        if self.paragraph:
            out["paragraph"] = self.paragraph
        return out


ADMINISTRATIVE_PENALTY_LAW = "中华人民共和国行政处罚法"


def penalty_law(article: int, paragraph: int | None = None) -> LegalBasis:
    return LegalBasis(ADMINISTRATIVE_PENALTY_LAW, article, paragraph)


class DomainError(Exception):
    """A refusal with a status. Subclasses set ``status``, ``code`` and the titles."""

    status: int = 400
    code: str = "bad_request"
    title_zh: str = "请求无效"
    title_en: str = "Bad request"

    def __init__(
        self,
        detail_en: str,
        detail_zh: str | None = None,
        *,
        basis: LegalBasis | None = None,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail_en)
        self.detail_en = detail_en
        self.detail_zh = detail_zh or detail_en
        self.basis = basis
        self.extra = extra or {}
        self.headers = headers or {}

    def problem(self, english: bool) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": f"https://caseledger.example/problems/{self.code}",
            "title": self.title_en if english else self.title_zh,
            "status": self.status,
            "code": self.code,
            "detail": self.detail_en if english else self.detail_zh,
        }
        if self.basis is not None:
            body["basis"] = self.basis.as_dict()
            body["article"] = self.basis.cite()
        body.update(self.extra)
        return body


class InvalidInput(DomainError):
    status = 422
    code = "invalid_input"
    title_zh = "输入无效"
    title_en = "Invalid input"


class NotAuthenticated(DomainError):
    status = 401
    code = "not_authenticated"
    title_zh = "未认证或凭证无效"
    title_en = "Not authenticated"

    def __init__(self, detail_en: str = "missing or invalid credentials", detail_zh: str = "凭证缺失或无效") -> None:
        super().__init__(detail_en, detail_zh, headers={"WWW-Authenticate": "Bearer"})


class Forbidden(DomainError):
    status = 403
    code = "forbidden"
    title_zh = "无权执行此操作"
    title_en = "Forbidden"


class NotFound(DomainError):
    status = 404
    code = "not_found"
    title_zh = "未找到"
    title_en = "Not found"


class Conflict(DomainError):
    status = 409
    code = "conflict"
    title_zh = "与当前状态冲突"
    title_en = "Conflict"


class RuleOfLawRefusal(Conflict):
    """A request the law does not allow in the current state: names the rule and the article."""

    code = "refused_by_law"
    title_zh = "依法不予办理"
    title_en = "Refused by a rule of law"


class TooManyRequests(DomainError):
    status = 429
    code = "too_many_requests"
    title_zh = "请求过于频繁"
    title_en = "Too many requests"


class PayloadTooLarge(DomainError):
    status = 413
    code = "payload_too_large"
    title_zh = "请求体过大"
    title_en = "Payload too large"


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
