"""Signing in and out, the language, the home page of each role, and the console's own scripts and styles."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from service.auth import throttle
from service.auth.deps import PUBLIC
from service.auth.permissions import Permission
from service.auth.users import users_of_agency
from service.cases import search
from service.console import desks, head_desk, sessions
from service.console.i18n import LANGS
from service.console.signin import sign_in
from service.console.web import (
    HERE,
    LANG_COOKIE,
    SIGNIN_COOKIE,
    ConsoleRequires,
    FormExpired,
    Viewer,
    check_csrf,
    clear_session_cookies,
    language,
    problem_view,
    render,
    runtime_of,
    sent_form,
    set_session_cookies,
)
from service.errors import DomainError
from service.officers.service import officer_of_user, officers_of_agency
from service.policy.calendar import local_date
from service.policy.notices import notice_warnings

router = APIRouter(include_in_schema=False)
STATIC = HERE / "static"
STATIC_FILES = {"console.css": "text/css", "console.js": "text/javascript", "favicon.svg": "image/svg+xml"}

SignedIn = Annotated[Viewer, Depends(ConsoleRequires(Permission.SELF_READ))]


def _safe_next(target: str | None) -> str:
    """Only a path of this console: never another site, never the API."""
    if not target or not target.startswith("/") or target.startswith("//") or urlsplit(target).netloc:
        return "/"
    return "/" if target.startswith("/api/") else target


@router.get("/static/console/{name}", dependencies=[PUBLIC])
def static_file(name: str) -> Response:
    if name not in STATIC_FILES:
        return Response(status_code=404)
    return FileResponse(Path(STATIC / name), media_type=STATIC_FILES[name])


@router.get("/favicon.ico", dependencies=[PUBLIC])
def favicon() -> Response:
    """The icon browsers ask for on their own (a missing one is an error in every page's console)."""
    return FileResponse(Path(STATIC / "favicon.svg"), media_type="image/svg+xml")


@router.get("/login", dependencies=[PUBLIC])
def signin_page(request: Request, next: Annotated[str | None, Query(max_length=500)] = None) -> HTMLResponse:
    token = secrets.token_urlsafe(24)
    response = render(request, "signin.html", None, next=_safe_next(next), signin_token=token)
    response.set_cookie(SIGNIN_COOKIE, token, httponly=True, samesite="strict", path="/login", max_age=3600)
    return response


@router.post("/login", dependencies=[PUBLIC])
def signin_submit(
    request: Request,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
    signin_token: Annotated[str, Form(max_length=100)],
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    runtime = runtime_of(request)
    expected = request.cookies.get(SIGNIN_COOKIE)
    error = None
    if expected is None or not secrets.compare_digest(expected, signin_token):
        error = problem_view(FormExpired("sign-in form expired", "登录表单已过期，请重试"), language(request))
    else:
        address = throttle.client_address(
            request.client.host if request.client else None,
            request.headers.getlist("x-forwarded-for"),
            runtime.settings.trusted_proxies,
        )
        try:
            opened = sign_in(runtime, username, password, address)
        except DomainError as refused:
            error = problem_view(refused, language(request))
        else:
            response = RedirectResponse(_safe_next(next), status_code=303)
            set_session_cookies(response, request, opened.cookie, opened.csrf_token, runtime.clock.now())
            response.delete_cookie(SIGNIN_COOKIE, path="/login")
            return response
    token = secrets.token_urlsafe(24)
    page = render(
        request,
        "signin.html",
        None,
        status=int(error["status"]),
        next=_safe_next(next),
        signin_token=token,
        error=error,
    )
    page.set_cookie(SIGNIN_COOKIE, token, httponly=True, samesite="strict", path="/login", max_age=3600)
    return page


@router.post("/logout")
async def signout(request: Request, viewer: SignedIn) -> Response:
    check_csrf(viewer, await sent_form(request), request)
    runtime = runtime_of(request)
    with runtime.database.transaction() as session:
        sessions.end_session(session, viewer.session_id)
    response = RedirectResponse("/login", status_code=303)
    clear_session_cookies(response)
    return response


@router.get("/lang/{lang}", dependencies=[PUBLIC])
def choose_language(request: Request, lang: str, next: Annotated[str | None, Query(max_length=500)] = None) -> Response:
    response = RedirectResponse(_safe_next(next), status_code=303)
    if lang in LANGS:
        response.set_cookie(LANG_COOKIE, lang, httponly=True, samesite="strict", path="/", max_age=365 * 86400)
    return response


AGENCY_CASES = 100  # the newest cases of the agency a head's home lists


@router.get("/")
def home(request: Request, viewer: SignedIn) -> HTMLResponse:
    """Each role's desk: an officer's cases and what is due; a head's approvals, signatures and discussions
    waiting, the agency's deadlines at risk and its cases; a reviewer's queue; a supervisor's cases to audit; an admin's
    users."""
    runtime = runtime_of(request)
    principal = viewer.principal
    context = runtime.case_context
    now = runtime.clock.now()
    blocks: dict[str, object] = {}
    with runtime.database.transaction(write=False) as session:
        # Heads and admins: next year's holiday notice is due and not loaded (deadlines into it are provisional).
        blocks["warnings"] = notice_warnings(
            session, context.calendar, principal.roles, principal.agency_id, local_date(now)
        )
        if principal.has(Permission.CASE_CREATE):
            officer = officer_of_user(session, principal.user_id)
            mine = (
                search.search_cases(session, context, principal, search.CaseSearch(officer=officer.id, limit=50), now)
                if officer is not None
                else []
            )
            blocks["my_cases"] = [desks.case_line(session, runtime, c) for c in mine]
            due = search.deadlines_of_open_cases(session, context, principal, search.DeadlineSearch(limit=20), now)
            # Newest deadlines first as the issue asks: the nearest due date at the top (what is due next).
            blocks["due"] = [(desks.case_line(session, runtime, c), d) for c, d in due]
        if principal.has(Permission.CASE_APPROVE):
            staff = users_of_agency(session, principal.agency_id)
            names = {str(u.id): u.display_name for u in staff}
            blocks["askers"] = desks.askers_of(staff, officers_of_agency(session, principal.agency_id))
            if principal.has(Permission.CASE_DECIDE):
                # The head's desk: approvals and signatures waiting, discussions needed, deadlines at risk — and every
                # case of the agency to open, not only those waiting (the cases the desk looked at, newest first).
                desk = head_desk.head_desk(session, runtime, principal, names)
                blocks["head"] = desk
                if not principal.has(Permission.CASE_AUDIT):  # a supervisor has them as the cases to audit
                    blocks["agency_cases"] = desk.cases[:AGENCY_CASES]
            else:
                blocks["approvals"] = desks.approvals_waiting(session, runtime, principal)
        if principal.has(Permission.REVIEW_PERFORM):
            blocks["reviews"] = desks.review_queue(session, runtime, principal)
        if principal.has(Permission.CASE_AUDIT):
            found = search.search_cases(session, context, principal, search.CaseSearch(limit=100), now)
            blocks["audit"] = [desks.case_line(session, runtime, c) for c in found]
        if principal.has(Permission.USER_MANAGE):
            blocks["users"] = users_of_agency(session, principal.agency_id)
    return render(request, "home.html", viewer, blocks=blocks)
