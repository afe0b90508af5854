"""``install_console(app)``: the console's routes at ``/`` and its answers to refusals, as pages.

The console's page modules are routers (``*_router.py``), in the web layer like the API's: they read the API's
body models (``OpenCaseBody``, ``StepEnvelope``, ``OpinionIn``...) so that a form is held to what the API holds a
body to, and call the same service functions.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable

from fastapi import FastAPI, Request
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from service.console import (
    account_router,
    admin_router,
    casework_router,
    documents_router,
    evidence_router,
    public_router,
    signing_router,
    supervision_router,
)
from service.console.i18n import words
from service.console.web import (
    ConsoleForbidden,
    SignInRequired,
    is_console_path,
    language,
    problem_view,
    render,
    signin_redirect,
)
from service.errors import DomainError, NotFound


async def _answer(answer: Response | Awaitable[Response]) -> Response:
    """What the API's own handler answers (FastAPI allows it to be a plain function or a coroutine)."""
    return await answer if inspect.isawaitable(answer) else answer


def install_console(app: FastAPI) -> None:
    app.include_router(account_router.router)
    app.include_router(casework_router.router)
    app.include_router(supervision_router.router)
    app.include_router(documents_router.router)
    app.include_router(admin_router.router)
    app.include_router(evidence_router.router)
    app.include_router(public_router.router)
    app.include_router(signing_router.router)
    api_domain = app.exception_handlers[DomainError]
    api_http = app.exception_handlers[StarletteHTTPException]

    @app.exception_handler(SignInRequired)
    async def _sign_in(request: Request, exc: SignInRequired) -> Response:
        return signin_redirect(request)

    @app.exception_handler(ConsoleForbidden)
    async def _forbidden(request: Request, exc: ConsoleForbidden) -> Response:
        lang = language(request)
        error = {"status": 403, "title": words(lang)["forbidden"], "detail": str(exc.permission), "failures": []}
        return render(request, "error.html", exc.viewer, status=403, error=error)

    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> Response:
        if not is_console_path(request.url.path):
            return await _answer(api_domain(request, exc))
        return render(request, "error.html", None, status=exc.status, error=problem_view(exc, language(request)))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if not is_console_path(request.url.path) or exc.status_code != 404:
            return await _answer(api_http(request, exc))
        lang = language(request)
        error = problem_view(NotFound("no such page", "页面不存在"), lang)
        return render(request, "error.html", None, status=404, error=error)
