"""API conventions: every route has a permission or is public, errors are problem+json, bodies are bounded."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute

from service.auth.deps import PUBLIC, Public, Requires, requires
from service.auth.permissions import Permission
from service.auth.principal import Principal
from service.console.web import ConsoleRequires
from service.openapi_doc import COMMITTED, openapi_document, render
from service.problems import add_problem_responses


def _markers(dependant: Dependant) -> list[object]:
    found: list[object] = []
    for dep in dependant.dependencies:
        if isinstance(dep.call, Requires | Public | ConsoleRequires):
            found.append(dep.call)
        found.extend(_markers(dep))
    return found


@dataclass(frozen=True)
class Endpoint:
    path: str
    methods: frozenset[str]
    markers: tuple[object, ...]


def endpoints(routes: Sequence[BaseRoute], prefix: str = "", inherited: tuple[object, ...] = ()) -> Iterator[Endpoint]:
    """Every endpoint under ``routes``, as the installed FastAPI stores them.

    FastAPI 0.165 keeps an included router as one object holding the original router and the include's
    prefix and dependencies; older ones copy its routes into the app. Mounts hold routes of their own. A
    route of a kind not known here fails the walk instead of being skipped.
    """
    for route in routes:
        if isinstance(route, APIRoute):
            yield Endpoint(prefix + route.path, frozenset(route.methods), (*inherited, *_markers(route.dependant)))
        elif hasattr(route, "original_router") and hasattr(route, "include_context"):
            context = route.include_context
            markers = tuple(
                d.dependency
                for d in context.dependencies
                if isinstance(d.dependency, Requires | Public | ConsoleRequires)
            )
            yield from endpoints(route.original_router.routes, prefix + context.prefix, (*inherited, *markers))
        elif isinstance(route, Mount):
            yield from endpoints(route.routes, prefix + route.path, inherited)
        elif isinstance(route, Route) and prefix + route.path in FRAMEWORK_ROUTES:
            continue
        else:
            raise AssertionError(f"a route of an unknown kind ({type(route).__name__}) would escape the check")


# Served by FastAPI itself, reading nothing: the OpenAPI document (the same as the committed one).
FRAMEWORK_ROUTES = {"/openapi.json"}


def undeclared(app: FastAPI) -> tuple[list[str], list[str]]:
    """Routes with neither a permission nor PUBLIC, and routes with both."""
    neither, both = [], []
    for endpoint in endpoints(app.routes):
        kinds = {type(m) for m in endpoint.markers}
        if not kinds:
            neither.append(f"{sorted(endpoint.methods)} {endpoint.path}")
        elif len(kinds) > 1:
            both.append(endpoint.path)
    return neither, both


def test_every_route_declares_a_permission_or_is_explicitly_public(app: FastAPI) -> None:
    walked = list(endpoints(app.routes))
    operations = {
        (method.upper(), path)
        for path, ops in app.openapi()["paths"].items()
        for method in ops
        if method != "parameters"
    }
    assert operations <= {(m, e.path) for e in walked for m in e.methods}, "the walk missed documented routes"
    assert len(walked) > 60
    neither, both = undeclared(app)
    assert not neither, f"routes with neither a permission nor PUBLIC: {neither}"
    assert not both, f"routes both public and permissioned: {both}"


def test_the_route_check_catches_a_route_without_a_permission_however_deeply_included() -> None:
    inner = APIRouter(prefix="/inner")

    @inner.get("/open")
    def forgotten() -> None: ...

    @inner.get("/guarded")
    def guarded(principal: Principal = requires(Permission.CASE_READ)) -> None: ...

    @inner.get("/public", dependencies=[PUBLIC])
    def public() -> None: ...

    outer = APIRouter(prefix="/outer")
    outer.include_router(inner)
    everyone = APIRouter()

    @everyone.get("/also-public")
    def also_public() -> None: ...

    app = FastAPI(docs_url=None, redoc_url=None)
    app.include_router(outer, prefix="/api")
    app.include_router(everyone, dependencies=[PUBLIC])
    mounted = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)

    @mounted.get("/leak")
    def leak() -> None: ...

    app.mount("/sub", mounted)
    paths = {e.path for e in endpoints(app.routes)}
    assert {"/api/outer/inner/open", "/api/outer/inner/guarded", "/api/outer/inner/public", "/also-public"} <= paths
    assert undeclared(app) == (["['GET'] /api/outer/inner/open", "['GET'] /sub/leak"], [])


def test_the_route_check_refuses_a_route_it_cannot_read() -> None:
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    app.router.routes.append(WebSocketRoute("/ws", lambda ws: None))
    with pytest.raises(AssertionError, match="unknown kind"):
        undeclared(app)


def test_the_committed_openapi_document_matches_the_app() -> None:
    assert COMMITTED.read_text() == render(openapi_document()), "run `make openapi` and commit openapi/openapi.json"


def test_every_operation_declares_its_refusals_as_problem_json() -> None:
    """Schemathesis' status-code check needs every answer declared: 4xx are problem+json, never FastAPI's own."""
    document = openapi_document()
    assert "HTTPValidationError" not in document["components"]["schemas"]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            where = f"{method.upper()} {path}"
            assert "422" in responses, where
            for status, response in responses.items():
                if status.startswith("4"):
                    assert list(response["content"]) == ["application/problem+json"], (where, status)
            if operation.get("security"):
                assert {"401", "403", "404"} <= set(responses), where
            if method in ("post", "put", "patch", "delete"):
                assert "409" in responses, where
            if "requestBody" in operation:
                assert "413" in responses, where
    assert "429" in document["paths"]["/api/v1/auth/token"]["post"]["responses"]


def test_an_if_match_header_declares_412_and_428() -> None:
    document = add_problem_responses(
        {
            "paths": {
                "/x/{id}": {
                    "put": {
                        "parameters": [{"in": "header", "name": "If-Match"}, {"in": "path", "name": "id"}],
                        "responses": {"200": {"description": "ok"}},
                    }
                }
            }
        }
    )
    assert {"200", "404", "409", "412", "422", "428"} <= set(document["paths"]["/x/{id}"]["put"]["responses"])


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


def test_a_query_text_too_long_is_counted_in_characters(
    client: TestClient, auth: Callable[[str], dict[str, str]]
) -> None:
    """A query parameter of one line checks its text first and its length after: pydantic then counts the length as
    on any sequence ("items"); the message says characters, as a body field's does."""
    officer = client.post("/api/v1/officers", headers=auth("admin"), json={"name": "测试队员", "unit": "brigade"})
    response = client.get(
        f"/api/v1/officers/{officer.json()['id']}/qualification", params={"item": "项" * 51}, headers=auth("head")
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["msg"] == "String should have at most 50 characters, not 51"


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
    # The service's own problem document, in the client's language, as every other refusal.
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {
        "type": "https://caseledger.example/problems/payload_too_large",
        "title": "请求体过大",
        "status": 413,
        "code": "payload_too_large",
        "detail": f"请求体超过 {limit} 字节",
    }
    english = client.post(
        "/api/v1/auth/token",
        content=b"x" * (limit + 1),
        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept-Language": "en"},
    )
    assert english.json()["detail"] == f"request body larger than {limit} bytes"
    assert english.headers["x-content-type-options"] == "nosniff"


def test_a_content_length_that_is_not_a_number_is_a_400_problem(client: TestClient) -> None:
    response = client.post("/api/v1/auth/token", content=b"x", headers={"Content-Length": "ten"})
    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"


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


def test_a_query_text_too_short_is_counted_in_characters() -> None:
    from service.problems import _message

    seen = {"type": "too_short", "input": "", "ctx": {"min_length": 1}, "msg": "Value should have at least 1 item"}
    assert _message(seen) == "String should have at least 1 character"
    a_list = {**seen, "input": [], "msg": "List should have at least 1 item"}
    assert _message(a_list) == "List should have at least 1 item"
