"""The console's web plumbing: who is signed in (a session cookie), the form token, the pages' rendering.

Every console route declares :class:`ConsoleRequires` (a permission, read from the session cookie instead of
a bearer token) or :data:`service.auth.deps.PUBLIC`; tests/test_api_conventions.py walks them with the API's.
Idle time is kept without writing on a GET: the session row's ``last_seen_at`` moves on POSTs, and every
answer carries a ``cl_seen`` cookie — the time of the request, with an HMAC keyed by the session's form token
(which a stolen session cookie alone does not give) — so a session read-only for 30 minutes still ends.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from service.auth.permissions import Permission
from service.auth.principal import Principal
from service.cases.workflow import by_reason
from service.console import sessions
from service.console.i18n import (
    Lang,
    choice_name,
    choose,
    deadline_name,
    entry_name,
    field_hint,
    field_name,
    step_field_hint,
    step_name,
    words,
)
from service.errors import DomainError
from service.policy.calendar import SHANGHAI
from service.runtime import Runtime

SESSION_COOKIE = "cl_session"
SEEN_COOKIE = "cl_seen"
LANG_COOKIE = "cl_lang"
SIGNIN_COOKIE = "cl_signin"  # the sign-in form's own token (double submit): no session exists yet
CSRF_FIELD = "csrf"
CSRF_HEADER = "X-CSRF-Token"
HERE = Path(__file__).resolve().parent
TEMPLATES = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def beijing(at: datetime | str, precision: str = "minutes") -> str:
    """An instant as the console shows it: its date and time in Asia/Shanghai (``2026-12-05 04:39``), the zone of
    the officers' clocks, of the times they type into the forms (service/console/forms.py) and of the law's
    deadlines; the footer of every page says so. Stored and answered by the API in UTC, an instant shown as such
    would put a case registered at 04:39 on the day before. ``precision``: ``minutes`` or ``seconds``. An ISO
    string (an instant in a case file's JSON, as a decision's) is read first."""
    moment = datetime.fromisoformat(at) if isinstance(at, str) else at
    if moment.tzinfo is None:
        raise ValueError(f"a naive datetime is no instant to show: {moment.isoformat()}")
    pattern = {"minutes": "%Y-%m-%d %H:%M", "seconds": "%Y-%m-%d %H:%M:%S"}[precision]
    return moment.astimezone(SHANGHAI).strftime(pattern)


TEMPLATES.filters["beijing"] = beijing


def yuan(fen: int) -> str:
    """An amount recorded in fen as the console shows it, in yuan to the fen (``300.00``), as the forms take it."""
    return f"{fen // 100}.{fen % 100:02d}" if fen >= 0 else f"-{yuan(-fen)}"


TEMPLATES.filters["yuan"] = yuan


class SignInRequired(Exception):
    """No live session: a page sends the browser to sign in; a POST is refused (the officer's form is kept)."""


class FormExpired(DomainError):
    status = 403
    code = "form_expired"
    title_zh = "表单已过期"
    title_en = "Form expired"


def language(request: Request) -> Lang:
    return choose(request.cookies.get(LANG_COOKIE), request.headers.get("accept-language"))


@dataclass(frozen=True)
class Viewer:
    """The signed-in user of a console request."""

    principal: Principal
    session_id: uuid.UUID
    csrf: str
    seen: str  # the refreshed cl_seen cookie

    def has(self, permission: Permission) -> bool:
        return self.principal.has(permission)


def _seen_value(csrf: str, at: datetime) -> str:
    stamp = str(int(at.timestamp()))
    return stamp + "." + hmac.new(csrf.encode(), stamp.encode(), hashlib.sha256).hexdigest()[:32]


def _seen_at(csrf: str, value: str | None) -> datetime | None:
    if not value or "." not in value:
        return None
    stamp, _mac = value.split(".", 1)
    if not stamp.isdigit() or not hmac.compare_digest(
        _seen_value(csrf, datetime.fromtimestamp(int(stamp), UTC)), value
    ):
        return None
    return datetime.fromtimestamp(int(stamp), UTC)


class ConsoleRequires:
    """Dependency: a signed-in console user holding ``permission`` (their session cookie, never a token)."""

    def __init__(self, permission: Permission) -> None:
        self.permission = permission

    def __call__(self, request: Request) -> Viewer:
        runtime = runtime_of(request)
        now = runtime.clock.now()
        with runtime.database.transaction(write=False) as session:
            live = sessions.current(
                session,
                request.cookies.get(SESSION_COOKIE),
                now,
                lambda row: _seen_at(row.csrf_token, request.cookies.get(SEEN_COOKIE)),
            )
        if live is None:
            raise SignInRequired()
        user = live.user
        principal = Principal(
            user_id=user.id,
            username=user.username,
            display_name=user.display_name,
            agency_id=user.agency_id,
            agency_code=live.agency_code,
            roles=tuple(user.roles),
            permissions=runtime.roles.permissions(user.roles),
            token_id=live.session.id,
            token_expires_at=live.session.expires_at,
        )
        viewer = Viewer(principal, live.session.id, live.session.csrf_token, _seen_value(live.session.csrf_token, now))
        if not principal.has(self.permission):
            raise ConsoleForbidden(viewer, self.permission)
        return viewer


class ConsoleForbidden(Exception):
    def __init__(self, viewer: Viewer, permission: Permission) -> None:
        super().__init__(str(permission))
        self.viewer = viewer
        self.permission = permission


async def sent_form(request: Request) -> dict[str, list[str]]:
    form = await request.form()
    return {key: [v for v in form.getlist(key) if isinstance(v, str)] for key in form}


def check_csrf(viewer: Viewer, sent: Mapping[str, list[str]], request: Request) -> None:
    """Every POST carries the session's form token, in the form or (from the console's scripts) a header."""
    token = (sent.get(CSRF_FIELD) or [""])[0] or request.headers.get(CSRF_HEADER)
    if not token or not hmac.compare_digest(viewer.csrf.encode(), token.encode("utf-8", "replace")):
        raise FormExpired("the form's token does not match this session", "表单已过期，请刷新页面后重试")


def _cookie(response: Response, name: str, value: str, request: Request, max_age: int | None = None) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


def set_session_cookies(response: Response, request: Request, cookie: str, csrf: str, now: datetime) -> None:
    _cookie(response, SESSION_COOKIE, cookie, request, int(sessions.MAX_AGE.total_seconds()))
    _cookie(response, SEEN_COOKIE, _seen_value(csrf, now), request, int(sessions.MAX_AGE.total_seconds()))


def clear_session_cookies(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(SEEN_COOKIE, path="/")


def problem_view(error: DomainError, lang: Lang) -> dict[str, Any]:
    """A refusal as a page shows it: the detail, the article, and each rule that refused with its own article."""
    body = error.problem(english=lang == "en")
    # Each reason once, with every rule that refuses for it and their articles, as the API's detail gives them.
    key = "reason_en" if lang == "en" else "reason_zh"
    listed = [f for f in body.get("failures", []) or [] if isinstance(f, dict)]
    failures = [
        {
            "reason": group[0].get(key, ""),
            "guards": [f.get("guard", "") for f in group],
            "articles": list(dict.fromkeys(a for f in group if (a := f.get("basis", {}).get("citation")))),
        }
        for group in by_reason(listed, lambda f: f.get(key, ""))
    ]
    detail = body["detail"]
    if failures and isinstance(body.get("transition"), str):
        # The API's detail names the step and each rule by its code; the page names the step and lists the rules
        # below, each with its reason and article (and what to do on the page, where the page can say it).
        name = step_name(body["transition"], lang)
        detail = f"{name} refused:" if lang == "en" else f"不予办理“{name}”："
    return {
        "status": error.status,
        "code": error.code,
        "title": body["title"],
        "detail": detail,
        "article": body.get("article"),
        "failures": failures,
    }


def render(
    request: Request,
    template: str,
    viewer: Viewer | None,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    lang = language(request)
    page = TEMPLATES.get_template(template).render(
        request=request,
        viewer=viewer,
        lang=lang,
        t=words(lang),
        csrf=viewer.csrf if viewer else None,
        path=request.url.path,
        step_name=lambda step: step_name(step, lang),
        entry_name=lambda entry_type: entry_name(entry_type, lang),
        deadline_name=lambda name: deadline_name(name, lang),
        field_name=lambda name, title, step="": field_name(name, title, lang, step),
        field_hint=lambda description: field_hint(description, lang),
        step_field_hint=lambda step, name, description: step_field_hint(step, name, description, lang),
        choice_name=lambda name, value: choice_name(name, value, lang),
        **context,
    )
    response = HTMLResponse(page, status_code=status)
    if viewer is not None:
        _cookie(response, SEEN_COOKIE, viewer.seen, request, int(sessions.MAX_AGE.total_seconds()))
    return response


def redirect(request: Request, to: str, viewer: Viewer | None = None) -> RedirectResponse:
    response = RedirectResponse(to, status_code=303)
    if viewer is not None:
        _cookie(response, SEEN_COOKIE, viewer.seen, request, int(sessions.MAX_AGE.total_seconds()))
    return response


def is_console_path(path: str) -> bool:
    return not path.startswith(("/api/", "/docs", "/redoc", "/openapi.json", "/healthz", "/readyz"))


def signin_redirect(request: Request) -> Response:
    if request.method == "GET":
        target = request.url.path + (("?" + request.url.query) if request.url.query else "")
        return RedirectResponse("/login?next=" + quote(target, safe=""), status_code=303)
    return render(request, "signin_again.html", None, status=401)


def runtime_of(request: Request) -> Runtime:
    runtime: Runtime | None = request.app.state.runtime
    assert runtime is not None, "the console needs a running service"
    return runtime
