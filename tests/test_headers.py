"""Response hardening: security headers everywhere, no-store on personal data, evidence never rendered as a
page, and API docs that need no network (and are off in production unless asked for)."""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from service.config import Environment, Settings
from service.headers import API_CSP
from service.main import create_app
from service.runtime import Runtime
from tests.cases.driver import Cases

Auth = Callable[[str], dict[str, str]]


def _hardened(headers: httpx.Headers) -> None:
    assert headers.get("x-content-type-options") == "nosniff"
    assert headers.get("x-frame-options") == "DENY"
    assert headers.get("referrer-policy") == "no-referrer"
    assert headers.get("content-security-policy")


@pytest.mark.parametrize(
    ("method", "path", "who", "status"),
    [
        ("GET", "/healthz", None, 200),
        ("GET", "/api/v1/public/agencies/tiemen/items", None, 200),
        ("GET", "/api/v1/auth/me", "officer1", 200),
        ("GET", "/api/v1/auth/me", None, 401),
        ("GET", "/api/v1/agencies/tiemen/ledger/entries", "officer1", 403),
        ("GET", "/api/v1/nothing-here", None, 404),
        ("DELETE", "/api/v1/auth/me", None, 405),
        ("GET", "/api/v1/public/agencies/a%00b/items", None, 422),
    ],
)
def test_every_response_carries_the_security_headers(
    client: TestClient, auth: Auth, method: str, path: str, who: str | None, status: int
) -> None:
    response = client.request(method, path, headers=auth(who) if who else {})
    assert response.status_code == status
    _hardened(response.headers)
    assert response.headers["content-security-policy"] == API_CSP


def test_a_body_refused_for_its_size_carries_them_too(client: TestClient, app: FastAPI) -> None:
    limit = app.state.runtime.settings.max_body_bytes
    response = client.post(
        "/api/v1/auth/token", content=b"x" * (limit + 1), headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code == 413
    _hardened(response.headers)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/cases",
        "/api/v1/users",
        "/api/v1/auth/me",
        "/api/v1/officers",
        "/api/v1/agencies/tiemen/ledger/entries",
    ],
)
def test_personal_data_is_never_cached(client: TestClient, auth: Auth, path: str) -> None:
    response = client.get(path, headers=auth("admin") if "users" in path or "ledger" in path else auth("supervisor"))
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"


def test_a_case_its_party_audit_and_export_are_never_cached(client: TestClient, auth: Auth) -> None:
    case = Cases(client, auth).open()
    assert client.post("/api/v1/agencies/tiemen/ledger/checkpoint", headers=auth("supervisor")).status_code == 200
    for suffix in ("", "/party", "/audit"):
        response = client.get(f"/api/v1/cases/{case['id']}{suffix}", headers=auth("supervisor"))
        assert response.status_code == 200, (suffix, response.text)
        assert response.headers["cache-control"] == "no-store", suffix
    exported = client.post(
        f"/api/v1/cases/{case['id']}/export", json={"reason": "移送法院"}, headers=auth("supervisor")
    )
    assert exported.status_code == 200, exported.text
    assert exported.headers["cache-control"] == "no-store"


def test_what_is_public_may_be_cached(client: TestClient) -> None:
    for path in ("/api/v1/public/agencies/tiemen/items", "/api/v1/agencies/tiemen/ledger/checkpoint"):
        response = client.get(path)
        assert response.status_code == 200
        assert "cache-control" not in response.headers, path


def _upload(client: TestClient, auth: Auth, case_id: str, officer2: str, media_type: str, body: bytes) -> str:
    response = client.post(
        f"/api/v1/cases/{case_id}/evidence",
        params={"kind": "audio_visual", "description": "现场", "filename": "f", "officers": [officer2]},
        content=body,
        headers=auth("officer1") | {"Content-Type": media_type},
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


@pytest.mark.parametrize("media_type", ["text/html", "image/svg+xml", "application/javascript", "text/html; x=1"])
def test_evidence_that_a_browser_would_run_is_served_as_bytes_to_save(
    client: TestClient, auth: Auth, media_type: str
) -> None:
    cases = Cases(client, auth)
    case = cases.open()
    cases.step(case, "approve_filing", "head")
    page = b"<html><script>alert(document.cookie)</script></html>"
    evidence = _upload(client, auth, case["id"], cases.officer("officer2"), media_type, page)
    response = client.get(f"/api/v1/cases/{case['id']}/evidence/{evidence}/file", headers=auth("officer1"))
    assert response.status_code == 200
    assert response.content == page
    assert response.headers["content-type"] == "application/octet-stream"
    assert response.headers["content-disposition"] == "attachment; filename=\"f\"; filename*=UTF-8''f"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("media_type", ["image/png", "image/jpeg", "audio/mpeg", "video/mp4", "application/pdf"])
def test_images_recordings_and_pdfs_may_be_shown_inline_in_a_sandbox(
    client: TestClient, auth: Auth, media_type: str
) -> None:
    cases = Cases(client, auth)
    case = cases.open()
    cases.step(case, "approve_filing", "head")
    evidence = _upload(client, auth, case["id"], cases.officer("officer2"), media_type, b"\x89PNG\r\n")
    response = client.get(f"/api/v1/cases/{case['id']}/evidence/{evidence}/file", headers=auth("officer1"))
    assert response.headers["content-type"] == media_type
    assert response.headers["content-disposition"] == "inline; filename=\"f\"; filename*=UTF-8''f"
    assert "sandbox" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_the_docs_load_nothing_from_another_origin(client: TestClient, page: str) -> None:
    response = client.get(page)
    assert response.status_code == 200
    _hardened(response.headers)
    html = response.text
    assert not re.search(r"(src|href)=[\"']?(https?:)?//", html), "the page loads something from another origin"
    assets = re.findall(r"(/docs-assets/[\w.-]+)", html)
    assert any(a.endswith(".js") for a in assets)
    for asset in set(assets):
        served = client.get(asset)
        assert served.status_code == 200, asset
        assert len(served.content) > 1000, asset
    assert "'unsafe-eval'" not in response.headers["content-security-policy"]
    assert client.get("/docs-assets/../../etc/passwd").status_code == 404
    assert client.get("/docs-assets/core.py").status_code == 404


def _app_with(settings: Settings, runtime: Runtime, **changes: object) -> TestClient:
    changed = Runtime.build(settings.model_copy(update=changes), clock=runtime.clock)
    return TestClient(create_app(changed))


def test_the_docs_are_off_in_production_unless_enabled(settings: Settings, runtime: Runtime) -> None:
    production = settings.model_copy(update={"env": Environment.PRODUCTION})
    assert not production.api_docs_enabled
    assert production.model_copy(update={"api_docs": True}).api_docs_enabled
    assert settings.api_docs_enabled
    with _app_with(settings, runtime, api_docs=False) as client:
        for path in ("/docs", "/redoc", "/openapi.json", "/docs-assets/swagger-ui-bundle.js"):
            assert client.get(path).status_code == 404, path
        assert client.get("/healthz").status_code == 200
