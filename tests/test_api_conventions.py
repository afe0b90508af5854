"""API conventions: every route has a permission or is public, errors are problem+json, bodies are bounded."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from service.auth.deps import Public, Requires
from service.openapi_doc import COMMITTED, openapi_document, render


def _markers(dependant: Dependant) -> list[object]:
    found: list[object] = []
    for dep in dependant.dependencies:
        if isinstance(dep.call, Requires | Public):
            found.append(dep.call)
        found.extend(_markers(dep))
    return found


def test_every_route_declares_a_permission_or_is_explicitly_public(app: FastAPI) -> None:
    undeclared, doubly = [], []
    for route in app.routes:
        if not isinstance(route, APIRoute):
            continue  # the docs pages and the OpenAPI document themselves
        markers = _markers(route.dependant)
        if not markers:
            undeclared.append(f"{sorted(route.methods)} {route.path}")
        elif len({type(m) for m in markers}) > 1:
            doubly.append(route.path)
    assert not undeclared, f"routes with neither a permission nor PUBLIC: {undeclared}"
    assert not doubly, f"routes both public and permissioned: {doubly}"


def test_the_committed_openapi_document_matches_the_app() -> None:
    assert COMMITTED.read_text() == render(openapi_document()), "run `make openapi` and commit openapi/openapi.json"


def test_errors_are_problem_json_in_chinese_by_default_and_english_on_request(client: TestClient) -> None:
    zh = client.get("/api/v1/agencies/nowhere/ledger/vkey")
    en = client.get("/api/v1/agencies/nowhere/ledger/vkey", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert zh.status_code == en.status_code == 404
    assert zh.headers["content-type"] == "application/problem+json"
    assert zh.json()["code"] == en.json()["code"] == "not_found"
    assert zh.json()["title"] == "未找到"
    assert en.json()["title"] == "Not found"
    assert set(zh.json()) >= {"type", "title", "status", "detail", "code"}


def test_invalid_input_is_422_problem_json(client: TestClient) -> None:
    response = client.get("/api/v1/agencies/tiemen/ledger/proof/inclusion?index=-1")
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"
    assert response.json()["errors"][0]["loc"] == ["query", "index"]


def test_unknown_route_and_wrong_method_are_problem_json(client: TestClient) -> None:
    assert client.get("/api/v1/nothing-here").json()["status"] == 404
    response = client.delete("/api/v1/auth/me")
    assert response.status_code == 405
    assert response.headers["content-type"] == "application/problem+json"


def test_a_body_over_the_limit_is_refused_with_413(client: TestClient, app: FastAPI) -> None:
    limit = app.state.runtime.settings.max_body_bytes
    response = client.post(
        "/api/v1/auth/token", content=b"x" * (limit + 1), headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code == 413


def test_a_streamed_body_without_length_is_cut_off_at_the_limit(client: TestClient, app: FastAPI) -> None:
    limit = app.state.runtime.settings.max_body_bytes

    def chunks() -> object:
        for _ in range(limit // 65536 + 2):
            yield b"y" * 65536

    response = client.post(
        "/api/v1/auth/token", content=chunks(), headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code == 413


def test_health_and_readiness_are_public(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready"


def test_the_ledger_entries_need_a_supervisor_or_admin_of_the_agency(
    client: TestClient, auth: Callable[[str], dict[str, str]]
) -> None:
    path = "/api/v1/agencies/tiemen/ledger/entries"
    assert client.get(path).status_code == 401
    assert client.get(path, headers=auth("officer1")).status_code == 403
    assert client.get(path, headers=auth("supervisor")).status_code == 200
    assert client.get(path, headers=auth("admin")).status_code == 200
    # another agency's supervisor may not know this agency's ledger exists
    assert client.get(path, headers=auth("other-supervisor")).status_code == 404


def test_json_endpoints_accept_only_json(client: TestClient, auth: Callable[[str], dict[str, str]]) -> None:
    body = '{"username": "plain", "roles": ["officer"], "password": "pppppppppppppppp"}'
    response = client.post("/api/v1/users", content=body, headers=auth("admin") | {"Content-Type": "text/plain"})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert "plain" not in [u["username"] for u in client.get("/api/v1/users", headers=auth("admin")).json()]
