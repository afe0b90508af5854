"""Trainings and exams of all staff, not only certified officers (the seed report: 46 took the exam, 5 trainings):
recorded per staff member with each exam result, as ledger entries, and counted in the yearly report — each person
once, an officer with an account being that user."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from service.ledger.models import LedgerEntry
from service.policy.calendar import local_date
from service.runtime import Runtime

Auth = Callable[[str], dict[str, str]]


@pytest.fixture
def today(runtime: Runtime) -> date:
    return local_date(runtime.clock.now())


def user_id(client: TestClient, auth: Auth, username: str) -> str:
    return str(client.get("/api/v1/auth/me", headers=auth(username)).json()["user_id"])


def clerk(client: TestClient, auth: Auth) -> str:
    """A staff member who is no enforcement officer: a supervisor's account, with no officer record."""
    created = client.post(
        "/api/v1/users",
        headers=auth("admin"),
        json={"username": "clerk", "display_name": "赵文书", "roles": ["supervisor"], "password": "x" * 16},
    )
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


def officer_of(client: TestClient, auth: Auth, username: str) -> str:
    me = user_id(client, auth, username)
    return next(o["id"] for o in client.get("/api/v1/officers", headers=auth("head")).json() if o["user_id"] == me)


def staff_training(client: TestClient, auth: Auth, body: dict[str, Any], who: str = "admin", expect: int = 201) -> Any:
    response = client.post("/api/v1/staff/trainings", headers=auth(who), json=body)
    assert response.status_code == expect, response.text
    return response.json()


def yearly(client: TestClient, auth: Auth, year: int) -> dict[str, Any]:
    response = client.get(f"/api/v1/reports/yearly?year={year}", headers=auth("head"))
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_trainings_and_exams_of_all_staff_are_counted_in_the_yearly_report(
    client: TestClient, auth: Auth, today: date
) -> None:
    before = yearly(client, auth, today.year)
    zhao, officer = clerk(client, auth), user_id(client, auth, "officer1")
    held = str(today)
    staff_training(
        client,
        auth,
        {
            "kind": "training",
            "title": "行政处罚法专题培训",
            "held_on": held,
            "participants": [{"user_id": zhao}, {"user_id": officer}],
        },
    )
    staff_training(
        client,
        auth,
        {
            "kind": "exam",
            "title": "年度法律知识考试",
            "held_on": held,
            "participants": [{"user_id": zhao, "passed": True, "score": 85}, {"user_id": officer, "passed": False}],
        },
        who="head",
    )
    # The officers' own route records the same person by the officer record: counted once, as that user.
    resit = {
        "kind": "exam",
        "title": "补考",
        "held_on": held,
        "participants": [{"officer_id": officer_of(client, auth, "officer1"), "passed": True}],
    }
    assert client.post("/api/v1/trainings", headers=auth("admin"), json=resit).status_code == 201

    after = yearly(client, auth, today.year)
    added = {k: after[k] - before[k] for k in ("trainings_held", "training_attendances", "exams_held")}
    assert added == {"trainings_held": 1, "training_attendances": 2, "exams_held": 2}
    assert (after["staff_trained"], after["exam_takers"], after["exam_passers"]) == (2, 2, 2)
    assert after["consistent_with_tables"] is True, after["discrepancies"]
    assert yearly(client, auth, today.year + 1)["exams_held"] == 0
    page = client.get(f"/api/v1/reports/yearly.html?year={today.year}", headers=auth("head"))
    assert "参加考试人数" in page.text


def test_a_staff_members_record_lists_their_trainings_and_exam_results(
    client: TestClient, auth: Auth, today: date
) -> None:
    zhao = clerk(client, auth)
    exam = {
        "kind": "exam",
        "title": "年度法律知识考试",
        "held_on": str(today),
        "participants": [{"user_id": zhao, "passed": True, "score": 85}],
    }
    recorded = staff_training(client, auth, exam)
    record = client.get(f"/api/v1/staff/{zhao}/trainings", headers=auth("head"))
    assert record.status_code == 200, record.text
    body = record.json()
    assert (body["display_name"], body["trainings"], body["exams_taken"], body["exams_passed"]) == ("赵文书", 0, 1, 1)
    assert body["records"] == [
        {
            "record_id": recorded["id"],
            "kind": "exam",
            "title": "年度法律知识考试",
            "held_on": str(today),
            "passed": True,
            "score": 85,
        }
    ]
    # An officer's record includes what was recorded against the officer record linked to the account.
    officer = user_id(client, auth, "officer1")
    training = {
        "kind": "training",
        "title": "执法文书培训",
        "held_on": str(today),
        "participants": [{"officer_id": officer_of(client, auth, "officer1")}],
    }
    assert client.post("/api/v1/trainings", headers=auth("admin"), json=training).status_code == 201
    assert client.get(f"/api/v1/staff/{officer}/trainings", headers=auth("admin")).json()["trainings"] == 1


def test_the_record_is_a_ledger_entry_of_the_trainings_stream(
    client: TestClient, auth: Auth, today: date, runtime: Runtime
) -> None:
    zhao = clerk(client, auth)
    training = {"kind": "training", "title": "保密培训", "held_on": str(today), "participants": [{"user_id": zhao}]}
    recorded = staff_training(client, auth, training)
    with runtime.database.transaction(write=False) as session:
        rows = session.execute(
            sa.select(LedgerEntry.stream, LedgerEntry.actor, LedgerEntry.canonical).where(
                LedgerEntry.type == "officer:training:recorded"
            )
        ).all()
    found = [(stream, actor, json.loads(c)["body"]) for stream, actor, c in rows]
    ours = [f for f in found if f[2]["record_id"] == recorded["id"]]
    assert len(ours) == 1
    stream, actor, body = ours[0]
    assert stream == "trainings"
    assert actor == f"user:{user_id(client, auth, 'admin')}"
    assert body["participants"] == [{"user_id": zhao}]


@pytest.mark.parametrize(
    ("participants", "kind"),
    [
        pytest.param([{"user_id": "{zhao}"}], "exam", id="an-exam-without-results"),
        pytest.param([{"user_id": "{zhao}", "passed": True}], "training", id="a-training-with-results"),
        pytest.param([{"user_id": "{zhao}"}, {"user_id": "{zhao}"}], "training", id="one-person-twice"),
        pytest.param([], "training", id="nobody"),
    ],
)
def test_an_incoherent_record_is_refused(
    client: TestClient, auth: Auth, today: date, participants: list[dict[str, Any]], kind: str
) -> None:
    zhao = clerk(client, auth)
    people = [{k: (zhao if v == "{zhao}" else v) for k, v in p.items()} for p in participants]
    body = {"kind": kind, "title": "培训", "held_on": str(today), "participants": people}
    staff_training(client, auth, body, expect=422)


def test_only_the_agencys_staff_and_only_with_the_permission(client: TestClient, auth: Auth, today: date) -> None:
    zhao = clerk(client, auth)
    body = {"kind": "training", "title": "培训", "held_on": str(today), "participants": [{"user_id": zhao}]}
    staff_training(client, auth, body, who="officer1", expect=403)
    stranger = {**body, "participants": [{"user_id": "00000000-0000-4000-8000-000000000000"}]}
    staff_training(client, auth, stranger, expect=404)
    assert client.get(f"/api/v1/staff/{zhao}/trainings", headers=auth("officer1")).status_code == 403
