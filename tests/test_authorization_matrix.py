"""Every route × anonymous × every role of the agency tiemen × the users of the agency other, on tiemen's objects.

What each cell may answer is derived from the route's declared permission (its ``Requires`` marker, found by
walking the real route tree as tests/test_api_conventions.py does) and from ``policies/roles.yaml``, never from a
table written here, so a route added tomorrow is in the matrix the day it is added:

- a public route may answer anything but a 5xx;
- anonymous: 401; a principal whose roles lack the permission: 403;
- a user of the other agency holding the permission, on a route naming one of tiemen's objects: 404 — tiemen's
  objects do not exist for them; on a route naming none (lists, creation in their own agency) a 2xx is theirs,
  but it must not carry any of tiemen's identifiers;
- a tiemen user holding the permission: whatever the route's own rules say (no 5xx).

Bodies and required query parameters are built from the OpenAPI document (the minimal value each schema
accepts), so that a cell reaches the object lookup rather than stopping at input validation where it can;
the cells that still stop at 422 are counted and printed.
"""

from __future__ import annotations

import re
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI
from fastapi.testclient import TestClient

from service.auth.deps import Public, Requires, requires
from service.auth.models import User
from service.auth.permissions import Permission
from service.auth.principal import Principal
from service.clock import FixedClock
from service.console.web import ConsoleRequires
from service.officers.models import Certificate, Officer
from service.runtime import Runtime
from service.signing.client import public_key_of

from .cases.driver import Cases
from .cases.test_reviews import major_case
from .test_api_conventions import endpoints

pytestmark = pytest.mark.slow

ANONYMOUS = "(anonymous)"
TIEMEN_BY_ROLE = {"officer": "officer1", "reviewer": "reviewer", "head": "head", "supervisor": "supervisor"}
TIEMEN_BY_ROLE["admin"] = "admin"
OTHER_AGENCY = ("other-officer", "other-admin", "other-supervisor")
# Path parameters that name an object of one agency; any other path parameter is a name from a closed set
# (a step, a procedure, a year, an action) whose value comes from the OpenAPI document.
OBJECT_PARAMETERS = {"agency", "case_id", "evidence_id", "review_id", "certificate_id", "officer_id", "key_id"}
OBJECT_PARAMETERS |= {"user_id"}
OBJECT_PARAMETERS |= {"member_id"}  # a line of the staff register
STEP_ROUTE = re.compile(r"/api/v1/cases/\{case_id\}/steps/(\w+)")
PATH_PARAMETER = re.compile(r"\{(\w+)(?::\w+)?\}")
NON_OBJECT_VALUES = {"year": "2027", "code": "CQ-TM-003"}


@dataclass(frozen=True)
class Cell:
    method: str
    path: str
    principal: str
    status: int
    expected: str  # "any", "401", "403", "404", "refused" (by the step's own permission) or "granted"


def _resolve(schema: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = document["components"]["schemas"][name]
    return schema


def minimal(schema: dict[str, Any], document: dict[str, Any], depth: int = 0) -> Any:
    """The smallest value ``schema`` accepts, as far as the schema says (patterns are not honoured)."""
    schema = _resolve(schema, document)
    if depth > 12:
        return None
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    for choice in ("anyOf", "oneOf"):
        if choice in schema:
            options = [o for o in schema[choice] if _resolve(o, document).get("type") != "null"]
            return minimal(options[0], document, depth + 1) if options else None
    if "allOf" in schema:
        return minimal(schema["allOf"][0], document, depth + 1)
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        properties = schema.get("properties", {})
        return {k: minimal(properties[k], document, depth + 1) for k in schema.get("required", []) if k in properties}
    if kind == "array":
        return [minimal(schema.get("items", {}), document, depth + 1) for _ in range(schema.get("minItems", 0))]
    if kind == "string":
        formats = {
            "uuid": str(uuid.uuid4()),
            "date": "2026-06-01",
            "date-time": "2026-06-01T09:00:00+08:00",
        }
        return formats.get(schema.get("format", ""), "x" * max(schema.get("minLength", 1), 1))
    if kind in ("integer", "number"):
        least = max(schema.get("minimum", 1), schema.get("exclusiveMinimum", 0) + 1)
        return int(least) if kind == "integer" else least
    if kind == "boolean":
        return False
    return None


@dataclass
class World:
    """tiemen's objects, with real ids for every path parameter, and every identifier to look for in a leak."""

    values: dict[str, str]
    identifiers: set[str]


@pytest.fixture
def world(client: TestClient, auth: Callable[[str], dict[str, str]], clock: FixedClock, runtime: Runtime) -> World:
    cases = Cases(client, auth)
    case = major_case(cases, clock)  # a case with evidence, heard, awaiting its legal review
    requested = cases.step(case, "request_legal_review", data={"materials": "调查终结报告"})
    review_id = requested["file"]["reviews"][-1]["review_id"]
    evidence = client.get(f"/api/v1/cases/{case['id']}/evidence", headers=auth("head")).json()[0]
    public, _kid = public_key_of(Ed25519PrivateKey.generate())
    key = client.post("/api/v1/signing-keys", headers=auth("reviewer"), json={"public_key": public})
    assert key.status_code == 201, key.text
    # The user the user-management routes act on: disabling or re-roling them spares the matrix's principals.
    target = client.post(
        "/api/v1/users",
        headers=auth("admin"),
        json={"username": "matrix-target", "roles": ["officer"], "password": "a long enough password"},
    )
    assert target.status_code == 201, target.text
    # A person of the staff register, without an account (协管员).
    member = client.post(
        "/api/v1/staff/register",
        headers=auth("admin"),
        json={"name": "矩阵协管", "post": "协管员", "employment": "auxiliary", "joined_on": "2020-01-01"},
    )
    assert member.status_code == 201, member.text
    with runtime.database.transaction(write=False) as session:
        tiemen = session.scalar(sa.select(User.agency_id).where(User.username == "head"))
        officer, certificate = session.execute(
            sa.select(Officer.id, Certificate.id)
            .join(Certificate, Certificate.officer_id == Officer.id)
            .where(Officer.agency_id == tiemen)
            .order_by(Certificate.number)
        ).first()  # type: ignore[misc]
        identifiers = {str(i) for i in session.scalars(sa.select(User.id).where(User.agency_id == tiemen))}
        identifiers |= {str(i) for i in session.scalars(sa.select(Officer.id).where(Officer.agency_id == tiemen))}
    values = {
        "agency": "tiemen",
        "case_id": case["id"],
        "evidence_id": evidence["id"],
        "review_id": review_id,
        "certificate_id": str(certificate),
        "officer_id": str(officer),
        "key_id": key.json()["id"],
        "user_id": target.json()["id"],
        "member_id": member.json()["id"],
    }
    identifiers |= {v for k, v in values.items() if k != "agency"}
    return World(values, identifiers)


def _operation(document: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    return document["paths"].get(path, {}).get(method.lower(), {})


def _request(
    client: TestClient, document: dict[str, Any], world: World, method: str, path: str, headers: dict[str, str]
) -> Any:
    operation = _operation(document, method, path)
    declared = {p["name"]: p for p in operation.get("parameters", [])}

    def value_of(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in world.values:
            return world.values[name]
        if name in NON_OBJECT_VALUES:
            return NON_OBJECT_VALUES[name]
        if name in declared:
            return str(minimal(declared[name]["schema"], document))
        return "x"  # a route left out of the document (the docs' assets)

    url = PATH_PARAMETER.sub(value_of, path)
    query = {
        p["name"]: minimal(p["schema"], document) for p in declared.values() if p["in"] == "query" and p.get("required")
    }
    body = operation.get("requestBody", {}).get("content", {})
    if "application/json" in body:
        return client.request(
            method, url, params=query, headers=headers, json=minimal(body["application/json"]["schema"], document)
        )
    for form in ("application/x-www-form-urlencoded", "multipart/form-data"):
        if form in body:
            return client.request(
                method, url, params=query, headers=headers, data=minimal(body[form]["schema"], document)
            )
    if method in ("POST", "PUT"):  # a raw upload (evidence) reads the body itself
        headers = headers | {"Content-Type": "application/octet-stream"}
        return client.request(method, url, params=query, headers=headers, content=b"matrix evidence bytes")
    return client.request(method, url, params=query, headers=headers)


@dataclass(frozen=True)
class Matrix:
    operations: int
    principals: int
    cells: list[Cell]
    leaks: list[str]

    def unexpected_2xx(self) -> list[Cell]:
        return [c for c in self.cells if 200 <= c.status < 300 and c.expected not in ("any", "granted")]


def run_matrix(
    app: FastAPI,
    client: TestClient,
    runtime: Runtime,
    token: Callable[[str], str],
    world: World,
    only: Callable[[str], bool] = lambda path: True,
) -> Matrix:
    """Send every operation whose path ``only`` accepts as every principal; record what each was answered."""
    app.openapi_schema = None  # the document as the app stands now
    document = app.openapi()
    roles: dict[str, tuple[str, ...]] = {}
    with runtime.database.transaction(write=False) as session:
        for username, user_roles in session.execute(sa.select(User.username, User.roles)):
            roles[username] = tuple(user_roles)
    tiemen = list(TIEMEN_BY_ROLE.values())
    steps: dict[str, set[Permission]] = {}
    for workflow in runtime.case_context.workflows.values():
        for transition in workflow.transitions:
            steps.setdefault(transition.name, set()).add(transition.permission)
    principals = [ANONYMOUS, *OTHER_AGENCY, *tiemen]
    cells: list[Cell] = []
    leaks: list[str] = []
    operations = 0
    for endpoint in endpoints(app.routes):
        if not only(endpoint.path) or any(isinstance(m, ConsoleRequires) for m in endpoint.markers):
            continue  # the console's pages sign in by cookie: tests/console/test_console_matrix.py
        markers = [m for m in endpoint.markers if isinstance(m, Requires | Public)]
        assert len(markers) == 1, endpoint.path
        marker = markers[0]
        names_object = any("{" + p + "}" in endpoint.path for p in OBJECT_PARAMETERS)
        # A step's route admits case:read; the step itself is taken only with the permission its workflow
        # transition declares (policies/workflows/*.yaml), checked by the service.
        step = STEP_ROUTE.fullmatch(endpoint.path)
        step_needs = steps.get(step.group(1), set()) if step else set()
        granted: set[str] = set()
        if isinstance(marker, Requires):
            granted = {u for u in principals[1:] if marker.permission in runtime.roles.permissions(roles[u])}
        # Refusals first, the principals the route admits last: their writes must not change what the others
        # are answered.
        ordered = sorted(principals, key=lambda u: (u in granted and u in tiemen, u in granted))
        for method in sorted(endpoint.methods - {"HEAD"}):
            operations += 1
            for principal in ordered:
                if isinstance(marker, Public):
                    expected = "any"
                elif principal == ANONYMOUS:
                    expected = "401"
                elif principal not in granted:
                    expected = "403"
                elif principal in OTHER_AGENCY and names_object:
                    expected = "404"
                elif step_needs and not step_needs & runtime.roles.permissions(roles[principal]):
                    expected = "refused"
                else:
                    expected = "granted"
                headers = {} if principal == ANONYMOUS else {"Authorization": f"Bearer {token(principal)}"}
                response = _request(client, document, world, method, endpoint.path, headers)
                cells.append(Cell(method, endpoint.path, principal, response.status_code, expected))
                if principal in OTHER_AGENCY and 200 <= response.status_code < 300:
                    leaks += [
                        f"{method} {endpoint.path} as {principal}: {i}" for i in world.identifiers if i in response.text
                    ]
    return Matrix(operations, len(principals), cells, leaks)


def test_no_principal_gets_a_2xx_its_permissions_or_agency_do_not_allow(
    app: FastAPI,
    client: TestClient,
    runtime: Runtime,
    token: Callable[[str], str],
    world: World,
) -> None:
    matrix = run_matrix(app, client, runtime, token, world)
    cells = matrix.cells
    unexpected_2xx = matrix.unexpected_2xx()
    server_errors = [c for c in cells if c.status >= 500]
    wrong_refusal = [c for c in cells if c.expected in ("401", "403") and str(c.status) != c.expected]
    refused_by_step = [c for c in cells if c.expected == "refused"]
    cross_agency = [c for c in cells if c.expected == "404"]
    cross_not_404 = [c for c in cross_agency if c.status != 404]
    stopped_at_input = [c for c in cells if c.expected in ("404", "granted") and c.status == 422]
    print(
        f"\nauthorization matrix: {matrix.operations} operations × {matrix.principals} principals = {len(cells)} "
        f"cells; unexpected 2xx: {len(unexpected_2xx)}; 5xx: {len(server_errors)}; cross-agency cells "
        f"{len(cross_agency)}, answered 404: {len(cross_agency) - len(cross_not_404)}, otherwise: "
        f"{dict(Counter(c.status for c in cross_not_404))}; steps refused by their own permission: "
        f"{dict(Counter(c.status for c in refused_by_step))}; admitted cells that stopped at input validation "
        f"(422): {len(stopped_at_input)}"
    )
    assert matrix.operations > 100
    assert not unexpected_2xx, unexpected_2xx
    assert not matrix.leaks, matrix.leaks
    assert not server_errors, server_errors
    assert not wrong_refusal, wrong_refusal
    # A step no procedure declares (the catch-all route, absent from the document) stops at its body: 422.
    assert not [c for c in cross_not_404 if not (c.status == 422 and c.path.endswith("/{step}"))], cross_not_404
    # A step is refused by its own permission, or (409) where the case's procedure has no such step.
    assert {c.status for c in refused_by_step} <= {403, 409}, refused_by_step


def test_the_matrix_finds_a_route_that_forgets_the_agency(
    app: FastAPI,
    client: TestClient,
    runtime: Runtime,
    token: Callable[[str], str],
    world: World,
) -> None:
    """A route that checks the permission but not whose case it is: the other agency's officer gets a 200."""

    def leaky(case_id: uuid.UUID, principal: Principal = requires(Permission.CASE_READ)) -> dict[str, str]:
        return {"case_id": str(case_id)}

    app.add_api_route("/api/v1/cases/{case_id}/leaky", leaky, methods=["GET"])
    matrix = run_matrix(app, client, runtime, token, world, only=lambda path: path.endswith("/leaky"))
    assert {(c.principal, c.status) for c in matrix.unexpected_2xx()} == {
        ("other-officer", 200),
        ("other-supervisor", 200),
    }
    assert any("other-officer" in leak for leak in matrix.leaks)
