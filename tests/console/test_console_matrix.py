"""Every console route × anonymous × every role of tiemen × the other agency's officer, derived from the route's
declared permission (``ConsoleRequires``) and policies/roles.yaml, as tests/test_authorization_matrix.py does for
the API: a console route added tomorrow is in it the day it is added."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from service.auth.deps import Public
from service.auth.models import User
from service.console.web import ConsoleRequires
from service.evidence.service import EvidenceKind
from service.runtime import Runtime

from ..test_api_conventions import endpoints
from .helpers import form, sign_in
from .test_casework import open_case

pytestmark = pytest.mark.slow

PRINCIPALS = ("officer1", "reviewer", "head", "supervisor", "admin", "other-officer")
PATH_PARAMETER = re.compile(r"\{(\w+)\}")
# Required query parameters, so that a cell reaches the case lookup rather than stopping at input validation.
QUERY = {"/cases/{case_id}/evidence": {"kind": EvidenceKind.DOCUMENTARY.value, "description": "matrix"}}


def test_no_console_page_answers_beyond_its_permission(app: FastAPI, client: TestClient, runtime: Runtime) -> None:
    officer = TestClient(app)
    case_id = open_case(officer, sign_in(officer, "officer1"), runtime)
    values = {
        "case_id": case_id,
        "review_id": str(uuid.uuid4()),
        "purpose": "decision",  # /cases/{case_id}/signoffs/{purpose}: the head's decision (or collective_discussion)
        "step": "record_inquiry",
        "kind": "inquiry_record",  # /cases/{case_id}/documents/{kind}/draft and /issue
        "agency": "tiemen",
        "lang": "en",
        "name": "console.css",
        "document_id": str(uuid.uuid4()),
        "evidence_id": str(uuid.uuid4()),
        "key_id": str(uuid.uuid4()),
    }
    with runtime.database.transaction(write=False) as session:
        roles = {u: tuple(r) for u, r in session.execute(sa.select(User.username, User.roles))}
        # A user of the other agency: this agency's admin reaches them on no route (object-level access).
        values["user_id"] = str(session.scalar(sa.select(User.id).where(User.username == "other-officer")))
    browsers: dict[str, tuple[TestClient, str]] = {}
    for username in PRINCIPALS:
        browser = TestClient(app)
        browsers[username] = (browser, sign_in(browser, username))
    unexpected: list[str] = []
    checked = 0
    console_routes = [
        e for e in endpoints(app.routes) if any(isinstance(m, ConsoleRequires | Public) for m in e.markers)
    ]
    console_routes = [e for e in console_routes if not e.path.startswith(("/api/", "/docs"))]
    console_routes.sort(key=lambda e: e.path == "/logout")  # signing out last: it ends the sessions it is sent with
    assert len(console_routes) >= 15
    for endpoint in console_routes:
        marker = next(m for m in endpoint.markers if isinstance(m, ConsoleRequires | Public))
        url = PATH_PARAMETER.sub(lambda m: values[m.group(1)], endpoint.path)
        for method in sorted(endpoint.methods - {"HEAD"}):
            callers: list[tuple[str, Callable[..., object]]] = [("(anonymous)", TestClient(app).request)]
            callers += [(u, browsers[u][0].request) for u in PRINCIPALS]
            for name, request in callers:
                csrf = browsers[name][1] if name in browsers else ""
                answer = request(
                    method,
                    url,
                    params=QUERY.get(endpoint.path),
                    headers={"X-CSRF-Token": csrf} if csrf else None,  # as the console's upload script sends it
                    files=form(csrf=csrf) if method == "POST" else None,
                    follow_redirects=False,
                )
                status = answer.status_code  # type: ignore[attr-defined]
                checked += 1
                if status >= 500:
                    unexpected.append(f"{method} {endpoint.path} as {name}: {status}")
                if isinstance(marker, Public):
                    continue
                if name == "(anonymous)":
                    expected = {303} if method == "GET" else {401}
                elif marker.permission not in runtime.roles.permissions(roles[name]):
                    expected = {403}
                elif (name == "other-officer" and "{case_id}" in endpoint.path) or "{user_id}" in endpoint.path:
                    expected = {404}  # another agency's case, or (for the admin) another agency's user
                else:
                    continue  # admitted: whatever the route's own rules say, but no 5xx
                if status not in expected:
                    unexpected.append(f"{method} {endpoint.path} as {name}: {status}, expected {expected}")
    print(f"\nconsole matrix: {len(console_routes)} routes, {checked} cells")
    assert not unexpected, unexpected
