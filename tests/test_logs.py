"""Logs: JSON lines with the request's id, and never a party's personal data — not from a failed statement's
parameters, not from a query string, not from an exception's text (issue 17's probe found all three)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from service.logs import JsonLines, accepted_request_id, loggable_path
from service.runtime import Runtime

from .cases.driver import Cases

Auth = Callable[[str], dict[str, str]]
NAME, ID_NUMBER, PHONE = "欧阳娜娜", "500228199003071231", "13912345678"
PARTY = {"party_type": "individual", "name": NAME, "id_number": ID_NUMBER, "phone": PHONE, "address": "铁门乡某村"}


def access_record(path: str) -> logging.LogRecord:
    """A record as uvicorn's access logger makes it."""
    args = ("127.0.0.1:50000", "GET", path, "1.1", 200)
    return logging.LogRecord("uvicorn.access", logging.INFO, "h11_impl.py", 1, '%s - "%s %s HTTP/%s" %d', args, None)


def test_the_access_line_keeps_harmless_query_values_only() -> None:
    line = json.loads(JsonLines().format(access_record(f"/api/v1/cases?party={ID_NUMBER}&state=filed&limit=5")))
    assert line["http"]["path"] == "/api/v1/cases?party=_&state=filed&limit=5"
    assert line["http"]["status"] == 200
    assert ID_NUMBER not in json.dumps(line)
    assert loggable_path("/api/v1/public/agencies/tiemen/items") == "/api/v1/public/agencies/tiemen/items"


def test_an_exception_is_logged_by_type_and_frames_never_by_its_text() -> None:
    try:
        raise ValueError(f"INSERT INTO parties ... [parameters: ('{NAME}', '{ID_NUMBER}')]")
    except ValueError as exc:
        record = logging.LogRecord("x", logging.ERROR, "f.py", 1, "failed", (), (ValueError, exc, exc.__traceback__))
    line = JsonLines().format(record)
    assert json.loads(line)["error"]["type"] == "builtins.ValueError"
    assert NAME not in line
    assert ID_NUMBER not in line


def test_a_sane_request_id_is_kept_anything_else_replaced() -> None:
    assert accepted_request_id("abc-123_X.y:z") == "abc-123_X.y:z"
    for insane in (None, "", "a" * 65, "a b", "a\nb", "<script>", "id=500228199003071231;"):
        replaced = accepted_request_id(insane)
        assert replaced != insane
        assert len(replaced) == 32


def test_the_request_id_is_echoed_or_made(client: TestClient) -> None:
    given = client.get("/api/v1/health", headers={"X-Request-ID": "trace-42"})
    assert given.headers["x-request-id"] == "trace-42"
    made = client.get("/api/v1/health", headers={"X-Request-ID": "bad id\t"})
    assert made.headers["x-request-id"] != "bad id\t"
    assert len(made.headers["x-request-id"]) == 32


def induce_failure_on_inserting_a_party(runtime: Runtime) -> None:
    """A trigger that refuses every new party: the database's error then concerns a statement carrying the
    party's data as parameters."""
    with runtime.database.writer.begin() as connection:
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql(
                "CREATE TRIGGER induced_failure BEFORE INSERT ON parties BEGIN SELECT RAISE(ABORT, 'induced'); END"
            )
        else:
            connection.exec_driver_sql(
                "CREATE FUNCTION induced_failure() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'induced'; END $$"
            )
            connection.exec_driver_sql(
                "CREATE TRIGGER induced_failure BEFORE INSERT ON parties "
                "FOR EACH ROW EXECUTE FUNCTION induced_failure()"
            )


@pytest.fixture
def lenient_client(app: FastAPI) -> Iterator[TestClient]:
    """A client that gets the 500 answer instead of the server's exception."""
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def test_no_log_record_carries_the_partys_name_id_number_or_phone(
    lenient_client: TestClient, auth: Auth, runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    client = lenient_client
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="sqlalchemy")  # as a logging config turned up for debugging might
    cases = Cases(client, auth)
    case = cases.open(party=PARTY, title=f"{NAME}倾倒垃圾")
    found = client.post("/api/v1/cases/search", json={"party": ID_NUMBER}, headers=auth("head")).json()
    assert [c["id"] for c in found] == [case["id"]]
    assert client.get(f"/api/v1/cases/{case['id']}/party", headers=auth("head")).status_code == 200
    disclosed = client.post(
        f"/api/v1/cases/{case['id']}/party/disclosures", headers=auth("head"), json={"reason": "核对身份"}
    )
    assert disclosed.json()["id_number"] == ID_NUMBER

    induce_failure_on_inserting_a_party(runtime)
    failed = client.post(
        "/api/v1/cases",
        headers=auth("officer1") | {"X-Request-ID": "induced-1"},
        json={"item_code": "CQ-TM-003", "title": "x", "party": PARTY, "officers": [cases.officer("officer2")]},
    )
    assert failed.status_code == 500
    assert failed.json()["request_id"] == "induced-1"
    assert NAME not in failed.text

    [error] = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert error.exc_info is not None
    assert isinstance(error.exc_info[1], sa.exc.DBAPIError)
    # hide_parameters: even the exception's own text, which the formatter leaves out anyway, holds none of them.
    assert "parameters hidden" in str(error.exc_info[1])
    formatter = JsonLines()
    lines = [formatter.format(record) for record in caplog.records]
    assert json.loads(lines[caplog.records.index(error)])["request_id"] == "induced-1"
    for record, line in zip(caplog.records, lines, strict=True):
        for clear in (NAME, ID_NUMBER, PHONE):
            assert clear not in line
            assert clear not in record.getMessage()
            assert clear not in str(record.exc_info[1] if record.exc_info else "")
    assert len(caplog.records) > 5  # the capture saw the requests (httpx logs each one at INFO)
