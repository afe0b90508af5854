"""Input at the edge: text without control characters, dates and integers in range, unique values as 409.

A probe found 5xx on PostgreSQL for NUL bytes in text fields and paths, for ``registered_to=9999-12-31``,
``start=9223372036854775808``, ``fine_fen=1e400`` and a certificate dated in year 355, and for two concurrent
creations of the same username. Each is a 4xx problem+json now, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.exc import IntegrityError

from service.auth.models import User
from service.cases import casefile
from service.inputs import InputRefused, Line, Paragraph, SaneDate, check_json, control_character_in
from service.officers.models import Certificate, Officer
from service.problems import conflict_of
from service.runtime import Runtime
from service.signing.models import SigningKey
from tests.cases.driver import Cases

Auth = Callable[[str], dict[str, str]]


@pytest.fixture
def world(client: TestClient, auth: Auth) -> dict[str, Any]:
    """An officer with a certificate, and an open case: the objects the requests below act on."""
    officer = client.post("/api/v1/officers", headers=auth("admin"), json={"name": "测试队员", "unit": "brigade"})
    assert officer.status_code == 201, officer.text
    certificate = client.post(
        f"/api/v1/officers/{officer.json()['id']}/certificates", headers=auth("head"), json=_certificate("渝IN0001")
    )
    assert certificate.status_code == 201, certificate.text
    case = Cases(client, auth).open()
    return {"officer": officer.json()["id"], "certificate": certificate.json()["id"], "case": case["id"]}


def _certificate(number: str, **over: Any) -> dict[str, Any]:
    return {
        "number": number,
        "issuer": "重庆市梁平区人民政府",
        "issued_on": "2026-05-01",
        "expires_on": "2028-05-01",
        "scope_categories": ["fire_safety"],
    } | over


def _case(**over: Any) -> dict[str, Any]:
    party = {"party_type": "individual", "name": "李四", "id_number": "500228199001011234", "address": "铁门乡"}
    body = {"item_code": "CQ-TM-003", "title": "倾倒垃圾", "party": party, "source_description": "巡查发现"}
    for key, value in over.items():
        if key.startswith("party."):
            party[key.removeprefix("party.")] = value
        else:
            body[key] = value
    return body


# (who, path, body with the text under test put in place of TEXT, the field's location, single line?)
TEXT = "x"
TEXT_FIELDS: list[tuple[str, str, Callable[[str], dict[str, Any]], list[str], bool]] = [
    (
        "admin",
        "/api/v1/users",
        lambda t: {"username": t, "roles": ["officer"], "password": "p" * 16},
        ["username"],
        True,
    ),
    (
        "admin",
        "/api/v1/users",
        lambda t: {"username": "newbie", "display_name": t, "roles": ["officer"], "password": "p" * 16},
        ["display_name"],
        True,
    ),
    ("admin", "/api/v1/officers", lambda t: {"name": t, "unit": "brigade"}, ["name"], True),
    ("head", "/api/v1/officers/{officer}/certificates", lambda t: _certificate(t), ["number"], True),
    ("head", "/api/v1/officers/{officer}/certificates", lambda t: _certificate("渝IN2", issuer=t), ["issuer"], True),
    (
        "head",
        "/api/v1/officers/{officer}/certificates",
        lambda t: _certificate("渝IN3", territory=t),
        ["territory"],
        True,
    ),
    (
        "admin",
        "/api/v1/officers/{officer}/legal-qualification",
        lambda t: {"number": t, "obtained_on": "2020-01-01"},
        ["number"],
        True,
    ),
    (
        "admin",
        "/api/v1/trainings",
        lambda t: {"kind": "training", "title": t, "held_on": "2026-05-20", "participants": []},
        ["title"],
        True,
    ),
    ("officer1", "/api/v1/cases", lambda t: _case(title=t), ["title"], True),
    ("officer1", "/api/v1/cases", lambda t: _case(**{"party.name": t}), ["party", "name"], True),
    ("officer1", "/api/v1/cases", lambda t: _case(**{"party.id_number": t}), ["party", "id_number"], True),
    ("officer1", "/api/v1/cases", lambda t: _case(**{"party.address": t}), ["party", "address"], True),
    ("officer1", "/api/v1/cases", lambda t: _case(place=t), ["place"], True),
    ("officer1", "/api/v1/cases", lambda t: _case(source_description=t), ["source_description"], False),
    ("officer1", "/api/v1/cases/{case}/major", lambda t: {"major": True, "reason": t}, ["reason"], False),
    (
        "head",
        "/api/v1/certificates/{certificate}/reviews",
        lambda t: {"reviewed_on": "2026-05-20", "passed": True, "note": t},
        ["note"],
        False,
    ),
]
IDS = [f"{path.rsplit('/', 1)[-1]}.{'.'.join(loc)}" for _, path, _, loc, _ in TEXT_FIELDS]


@pytest.mark.parametrize(("who", "path", "body", "loc", "line"), TEXT_FIELDS, ids=IDS)
def test_a_nul_byte_in_any_text_field_is_refused_with_422_naming_the_field(
    client: TestClient, auth: Auth, world: dict[str, Any], who: str, path: str, body: Any, loc: list[str], line: bool
) -> None:
    response = client.post(path.format(**world), headers=auth(who), json=body("a\x00b"))
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "invalid_input"
    assert response.json()["errors"][0]["loc"][-len(loc) :] == loc


@pytest.mark.parametrize(("who", "path", "body", "loc", "line"), TEXT_FIELDS, ids=IDS)
def test_newline_and_tab_are_text_only_where_a_paragraph_is(
    client: TestClient, auth: Auth, world: dict[str, Any], who: str, path: str, body: Any, loc: list[str], line: bool
) -> None:
    response = client.post(path.format(**world), headers=auth(who), json=body("第一行\n\t第二行"))
    if line:
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["loc"][-len(loc) :] == loc
    else:
        assert response.status_code in (200, 201), response.text


@pytest.mark.parametrize("character", ["\x01", "\x1b", "\x7f", "\x85", "\r", "\u202e", "\u2066"])
def test_other_control_characters_are_refused_even_in_a_paragraph(
    client: TestClient, auth: Auth, character: str
) -> None:
    response = client.post("/api/v1/cases", headers=auth("officer1"), json=_case(source_description=f"a{character}b"))
    assert response.status_code == 422, response.text


def test_free_form_step_data_refuses_control_characters_too(
    client: TestClient, auth: Auth, world: dict[str, Any]
) -> None:
    """The step's data is a free-form object the service reads key by key: the guard reads it all first."""
    cases = Cases(client, auth)
    cases.step({"id": world["case"]}, "approve_filing", "head")
    response = client.post(
        f"/api/v1/cases/{world['case']}/steps/record_inquiry",
        headers=auth("officer1"),
        json={"officers": cases.with_second(), "data": {"place": "a\x00b", "summary": "s"}},
    )
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["loc"] == ["body", "data", "place"]


def test_a_right_to_left_override_in_a_party_name_or_step_data_is_refused_and_nothing_recorded(
    client: TestClient, auth: Auth, world: dict[str, Any]
) -> None:
    """ "张三\u202e五王" would display as "张三王五": the record would say one name and the screen another."""
    named = client.post("/api/v1/cases", headers=auth("officer1"), json=_case(**{"party.name": "张三\u202e五王"}))
    assert named.status_code == 422, named.text
    assert named.json()["errors"][0]["msg"].endswith("control character U+202E is not allowed")
    cases = Cases(client, auth)
    cases.step({"id": world["case"]}, "approve_filing", "head")
    before = client.get(f"/api/v1/cases/{world['case']}/history", headers=auth("head")).json()
    step = client.post(
        f"/api/v1/cases/{world['case']}/steps/record_inquiry",
        headers=auth("officer1"),
        json={"officers": cases.with_second(), "data": {"place": "村委会\u2066会议室\u2069", "summary": "s"}},
    )
    assert step.status_code == 422, step.text
    assert step.json()["errors"][0]["loc"] == ["body", "data", "place"]
    assert client.get(f"/api/v1/cases/{world['case']}/history", headers=auth("head")).json() == before


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("POST", "/api/v1/auth/token", {"username": "a\x00b", "password": "x"}),
        ("POST", "/api/v1/auth/token", {"username": "officer1", "password": "a\x00b"}),
        ("GET", "/api/v1/public/agencies/a%00b/items", None),
        ("GET", "/api/v1/public/agencies/a%00b/officers", None),
        ("GET", "/api/v1/public/agencies/tiemen%0a/items", None),
        ("GET", "/api/v1/agencies/a%00b/ledger/checkpoint", None),
    ],
)
def test_control_characters_in_paths_and_form_fields_are_refused_without_a_token(
    client: TestClient, method: str, path: str, data: dict[str, str] | None
) -> None:
    response = client.request(method, path, data=data)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["loc"][0] in ("path", "body")


def test_control_characters_in_query_parameters_are_refused(
    client: TestClient, auth: Auth, world: dict[str, Any]
) -> None:
    listed = client.get("/api/v1/cases", params={"item": "a\x00b"}, headers=auth("supervisor"))
    assert listed.status_code == 422
    assert listed.json()["errors"][0]["loc"] == ["query", "item"]
    upload = client.post(
        f"/api/v1/cases/{world['case']}/evidence",
        params={"kind": "documentary", "description": "a\x00b"},
        content=b"bytes",
        headers=auth("officer1") | {"Content-Type": "application/octet-stream"},
    )
    assert upload.status_code == 422
    assert client.get(f"/api/v1/cases/{world['case']}/evidence", headers=auth("officer1")).json() == []


@pytest.mark.parametrize(
    ("registered_to", "status"),
    [("2026-06-01", 200), ("9999-12-31", 422), ("0355-01-01", 422), ("1899-12-31", 422), ("20260601", 422)],
)
def test_dates_are_iso_and_between_1900_and_2200(
    client: TestClient, auth: Auth, registered_to: str, status: int
) -> None:
    response = client.get("/api/v1/cases", params={"registered_to": registered_to}, headers=auth("supervisor"))
    assert response.status_code == status, response.text


@pytest.mark.parametrize("issued_on", ["0355-06-01", "9999-01-01", 1780000000, "2026-6-1"])
def test_a_certificate_date_out_of_range_or_not_iso_is_refused(
    client: TestClient, auth: Auth, world: dict[str, Any], issued_on: object
) -> None:
    response = client.post(
        f"/api/v1/officers/{world['officer']}/certificates",
        headers=auth("head"),
        json=_certificate("渝IN0355", issued_on=issued_on),
    )
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["loc"] == ["body", "issued_on"]


def test_a_moment_in_free_form_step_data_is_in_range_too(client: TestClient, auth: Auth, world: dict[str, Any]) -> None:
    """A hearing at 9999-12-31T23:00-10:00 overflowed Python's datetime when brought to UTC."""
    response = client.post(
        f"/api/v1/cases/{world['case']}/steps/schedule_hearing",
        headers=auth("head"),
        json={"data": {"scheduled_for": "9999-12-31T23:00:00-10:00", "chair_officer_id": str(uuid.uuid4())}},
    )
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["loc"] == ["body", "data", "scheduled_for"]


def test_a_moment_past_2200_is_refused(client: TestClient, auth: Auth) -> None:
    response = client.post(
        "/api/v1/cases", headers=auth("officer1"), json=_case(claimed_at="9999-12-31T23:59:59+00:00")
    )
    assert response.status_code == 422, response.text


@pytest.mark.parametrize(
    "query",
    [
        "start=9223372036854775808",
        "start=-1",
        "start=1.5",
        "start=99999999999999999999999999",
    ],
)
def test_integers_in_queries_fit_64_bits_and_their_domain(client: TestClient, auth: Auth, query: str) -> None:
    response = client.get(f"/api/v1/agencies/tiemen/ledger/entries?{query}", headers=auth("supervisor"))
    assert response.status_code == 422, response.text


def test_the_largest_64_bit_start_is_accepted(client: TestClient, auth: Auth) -> None:
    response = client.get(
        "/api/v1/agencies/tiemen/ledger/entries?start=9223372036854775807", headers=auth("supervisor")
    )
    assert response.status_code == 200, response.text


def _investigated(client: TestClient, auth: Auth) -> tuple[Cases, dict[str, Any]]:
    cases = Cases(client, auth)
    case = cases.open()
    cases.step(case, "approve_filing", "head")
    cases.step(
        case,
        "record_inquiry",
        officers=cases.with_second(),
        data={"place": "当事人家中", "summary": "当事人承认", "subject": "当事人"},
    )
    cases.step(case, "close_investigation", officers=cases.with_second(), data={"report": "事实清楚"})
    return cases, case


@pytest.mark.parametrize(
    ("raw_fen", "why"),
    [
        ("1e400", "an infinity"),
        ("9223372036854775808", "past 64 bits"),
        ("5000.0", "a float where an integer is expected"),
        ('"5000"', "text"),
        ("-1", "negative"),
        ("NaN", "not a number"),
    ],
)
def test_an_amount_in_fen_is_a_whole_number_in_range(client: TestClient, auth: Auth, raw_fen: str, why: str) -> None:
    _, case = _investigated(client, auth)
    body = '{"data": {"penalty": {"kinds": ["fine"], "fine_fen": FEN}}}'.replace("FEN", raw_fen)
    response = client.post(
        f"/api/v1/cases/{case['id']}/steps/intend_penalty",
        content=body,
        headers=auth("head") | {"Content-Type": "application/json"},
    )
    assert response.status_code == 422, (why, response.text)
    accepted = client.post(
        f"/api/v1/cases/{case['id']}/steps/intend_penalty",
        json={"data": {"penalty": {"kinds": ["fine"], "fine_fen": 5000}}},
        headers=auth("head"),
    )
    assert accepted.status_code == 200, accepted.text


def test_a_preservation_registered_before_its_approval_is_refused_naming_the_rule(
    client: TestClient, auth: Auth
) -> None:
    """行政处罚法 第五十六条: evidence is preserved by registration only with the head's approval."""
    cases = Cases(client, auth)
    case = cases.open()
    cases.step(case, "approve_filing", "head")
    response = client.post(
        f"/api/v1/cases/{case['id']}/steps/register_preservation",
        headers=auth("officer1"),
        json={"officers": cases.with_second(), "data": {"items": "垃圾车一辆"}},
    )
    assert response.status_code == 409, response.text
    problem = response.json()
    assert "preservation_approved" in response.text
    assert "56" in str(problem.get("article", "")) or "五十六" in str(problem.get("article", ""))
    cases.step(case, "approve_preservation", "head", reason="证据可能灭失")
    cases.step(case, "register_preservation", officers=cases.with_second(), data={"items": "垃圾车一辆"})


# --- unique values: a 409 naming the field, whoever wins the race ----------------------------------------


def _race(send: Callable[[], Any], n: int = 6) -> list[Any]:
    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n

    def run(i: int) -> None:
        barrier.wait()
        results[i] = send()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def _one_created_the_rest_409(results: list[Any], field: str) -> None:
    statuses = sorted(r.status_code for r in results)
    assert statuses == [201] + [409] * (len(results) - 1), [r.text for r in results]
    for refused in (r for r in results if r.status_code == 409):
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["code"] == "already_exists", refused.text
        assert refused.json()["field"] == field


@pytest.mark.slow
def test_concurrent_users_with_one_username_one_wins_the_others_get_409(client: TestClient, auth: Auth) -> None:
    headers = auth("admin")
    body = {"username": "twin", "roles": ["officer"], "password": "correct horse battery"}
    _one_created_the_rest_409(_race(lambda: client.post("/api/v1/users", headers=headers, json=body)), "username")


@pytest.mark.slow
def test_concurrent_certificates_with_one_number_one_wins_the_others_get_409(
    client: TestClient, auth: Auth, world: dict[str, Any]
) -> None:
    headers = auth("head")
    path = f"/api/v1/officers/{world['officer']}/certificates"
    _one_created_the_rest_409(_race(lambda: client.post(path, headers=headers, json=_certificate("渝TWIN"))), "number")


@pytest.mark.slow
def test_concurrent_officers_for_one_user_one_wins_the_others_get_409(client: TestClient, auth: Auth) -> None:
    headers = auth("admin")
    created = client.post(
        "/api/v1/users", headers=headers, json={"username": "solo", "roles": ["officer"], "password": "p" * 16}
    )
    body = {"name": "独一", "unit": "brigade", "user_id": created.json()["id"]}
    _one_created_the_rest_409(_race(lambda: client.post("/api/v1/officers", headers=headers, json=body)), "user_id")


@pytest.mark.slow
def test_concurrent_registrations_of_one_signing_key_one_wins_the_others_get_409(
    client: TestClient, auth: Auth
) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from service.signing.client import public_key_of

    public, _ = public_key_of(Ed25519PrivateKey.generate())
    headers = auth("reviewer")
    send = lambda: client.post("/api/v1/signing-keys", headers=headers, json={"public_key": public})  # noqa: E731
    _one_created_the_rest_409(_race(send), "public_key")


def _duplicate(runtime: Runtime, table: sa.Table, row: dict[str, Any]) -> IntegrityError:
    with pytest.raises(IntegrityError) as caught, runtime.database.transaction() as session:
        session.execute(sa.insert(table).values(**row))
    return caught.value


def test_a_unique_violation_the_database_caught_names_the_field(runtime: Runtime) -> None:
    """What the loser of a race sees on either engine: the constraint's columns, as the API names them."""
    with runtime.database.transaction(write=False) as session:
        user = session.scalars(sa.select(User).where(User.username == "officer1")).one()
        certificate = session.scalars(sa.select(Certificate).limit(1)).one()
        officer = session.scalars(sa.select(Officer).where(Officer.user_id.is_not(None)).limit(1)).one()
    now = datetime.now(UTC)
    common = {"id": uuid.uuid4(), "agency_id": user.agency_id, "created_at": now, "updated_at": now}
    users = _duplicate(
        runtime,
        User.__table__,
        common | {"username": "officer1", "display_name": "", "roles": [], "disabled": False},
    )
    assert conflict_of(users).extra["field"] == "username"
    certificates = _duplicate(
        runtime,
        Certificate.__table__,
        common
        | {
            "officer_id": certificate.officer_id,
            "number": certificate.number,
            "issuer": "x",
            "issued_on": date(2026, 1, 1),
            "expires_on": date(2027, 1, 1),
            "scope_items": [],
            "scope_categories": [],
            "status": "active",
        },
    )
    assert conflict_of(certificates).extra["field"] == "number"
    officers = _duplicate(
        runtime,
        Officer.__table__,
        common | {"name": "x", "unit": "brigade", "user_id": officer.user_id, "active": True},
    )
    assert conflict_of(officers).extra["field"] == "user_id"
    assert conflict_of(officers).status == 409
    key = {"user_id": user.id, "key_id": "k" * 16, "public_key": "p", "status": "pending", "registered_at": now}
    with runtime.database.transaction() as session:
        session.execute(sa.insert(SigningKey.__table__).values(id=uuid.uuid4(), agency_id=user.agency_id, **key))
    keys = _duplicate(runtime, SigningKey.__table__, {"id": uuid.uuid4(), "agency_id": user.agency_id, **key})
    assert conflict_of(keys).extra["field"] == "public_key"


# --- the rules themselves -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "paragraph", "found"),
    [
        ("张三", False, None),
        ("a\nb", True, None),
        ("a\tb", True, None),
        ("a\nb", False, "U+000A"),
        ("a\x00b", True, "U+0000"),
        ("a\rb", True, "U+000D"),
        ("a\x9bb", True, "U+009B"),
        # The bidirectional overrides, embeddings and isolates: "invoice\u202egpj.exe" displays as "invoiceexe.jpg".
        ("invoice\u202egpj.exe", True, "U+202E"),
        ("a\u202ab", False, "U+202A"),
        ("a\u2066b\u2069", True, "U+2066"),
        ("\u2069", False, "U+2069"),
        # Neighbours that do not reorder anything are text: the marks, the line separator, Arabic and Uyghur letters.
        ("a\u200fb\u200e", False, None),
        ("\u2028\u2065\u206a", True, None),
        ("ئابدۇرېھىم", False, None),
    ],
)
def test_control_characters_by_kind_of_field(text: str, paragraph: bool, found: str | None) -> None:
    assert control_character_in(text, paragraph=paragraph) == found


@pytest.mark.parametrize(
    "body",
    [
        b'{"a": "9999-12-31T23:00:00-10:00"}',
        b'{"a": {"b": ["0001-01-01"]}}',
        b'{"a": "\\u0000"}',
        b'{"a\\u0000": 1}',
        b'{"a": 1e400}',
        b'{"a": -9223372036854775809}',
        b'{"a": [Infinity]}',
        b'{"a": ' + b"[" * 65 + b"]" * 65 + b"}",  # deeper than MAX_JSON_DEPTH, within the parser's reach
        b"[" * 100_000 + b"]" * 100_000,  # beyond the parser's own recursion: was a RecursionError, a 500
    ],
)
def test_the_json_guard_refuses(body: bytes) -> None:
    with pytest.raises(InputRefused):
        check_json(body)


def test_the_json_guard_accepts_the_extremes_and_leaves_non_json_to_the_route() -> None:
    check_json(b'{"a": [9223372036854775807, -9223372036854775808, 1.5e300, "line\\n\\tnext"]}')
    check_json('{"a": ["2200-12-31T23:59:59+08:00", "1900-01-01", "1850-01-01年的事"]}'.encode())
    check_json(b"not json at all")
    check_json(b'{"a": ' + b"[" * 60 + b"]" * 60 + b"}")


@pytest.mark.parametrize("depth", [65, 100_000])
def test_a_step_body_nested_past_the_bound_is_a_422_and_records_nothing(
    client: TestClient, auth: Auth, depth: int
) -> None:
    cases = Cases(client, auth)
    case = cases.open()
    cases.step(case, "approve_filing", "head")
    before = client.get(f"/api/v1/cases/{case['id']}/history", headers=auth("officer1")).json()
    response = client.post(
        f"/api/v1/cases/{case['id']}/steps/record_inquiry",
        content=b'{"officers": [], "data": ' + b"[" * depth + b"]" * depth + b"}",
        headers=auth("officer1") | {"Content-Type": "application/json"},
    )
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "invalid_input"
    assert "nested more than 64 levels" in response.json()["detail"]
    assert client.get(f"/api/v1/cases/{case['id']}/history", headers=auth("officer1")).json() == before


def test_the_annotated_types_state_the_domain() -> None:
    from pydantic import TypeAdapter, ValidationError

    with pytest.raises(ValidationError):
        TypeAdapter(Line).validate_python("a\nb")
    assert TypeAdapter(Paragraph).validate_python("a\nb") == "a\nb"
    assert TypeAdapter(SaneDate).validate_python("2200-12-31") == date(2200, 12, 31)
    with pytest.raises(ValidationError):
        TypeAdapter(SaneDate).validate_python("2201-01-01")
    assert TypeAdapter(SaneDate).validate_python(date(1900, 1, 1)) == date(1900, 1, 1)


@pytest.mark.parametrize("fen", [5.0, "5", True, 2**63, -1, float("inf")])
def test_penalty_amounts_are_whole_fen_in_range(fen: object) -> None:
    with pytest.raises((TypeError, ValueError)):
        casefile.penalty_of({"kinds": ["fine"], "fine_fen": fen})
