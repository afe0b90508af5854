"""Domain errors; service/problems.py turns them into RFC 9457 ``application/problem+json``.

Every refusal the service makes on purpose is a :class:`DomainError` with its own status, a stable
machine-readable ``code``, a title and detail in Chinese and English, and — where a rule of law refused the
request — the law and article. Expected conflicts are 4xx; nothing a client sends produces a 500.
"""

from __future__ import annotations

from typing import Any

from service.legal import ADMINISTRATIVE_PENALTY_LAW, LegalBasis, penalty_law

__all__ = ["ADMINISTRATIVE_PENALTY_LAW", "LegalBasis", "penalty_law"]


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


class AlreadyExists(Conflict):
    """A unique value (a username, a certificate number, a key) taken already; ``field`` names it."""

    code = "already_exists"
    title_zh = "记录已存在"
    title_en = "Already exists"


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


class SeparationOfDutiesRefusal(Conflict):
    """A change refused by a rule of ``separation_of_duties`` in ``policies/roles.yaml``; ``rule`` names it."""

    code = "separation_of_duties"
    title_zh = "违反职责分离规则"
    title_en = "Refused by separation of duties"

    def __init__(self, rule: str, detail_en: str, detail_zh: str, **extra: Any) -> None:
        super().__init__(detail_en, detail_zh, extra={"rule": rule, **extra})
        self.rule = rule
