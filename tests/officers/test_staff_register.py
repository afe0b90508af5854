"""The staff register: auxiliary (协管员、辅助执法人员) and administrative staff who never sign in are on it, a training
or an exam names them, and the yearly report counts every person once (the seed report: 46 sat the exam, 5
trainings). The register is the agency's own and is never published."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from service.ledger.models import LedgerEntry
from service.policy.calendar import local_date
from service.runtime import Runtime

from .test_training import clerk, staff_training, yearly

Auth = Callable[[str], dict[str, str]]


@pytest.fixture
def today(runtime: Runtime) -> date:
    return local_date(runtime.clock.now())


def add_person(client: TestClient, auth: Auth, who: str = "admin", expect: int = 201, **fields: Any) -> Any:
    body = {"name": "钱协管", "post": "协管员", "employment": "auxiliary", "joined_on": "2020-03-01"} | fields
    response = client.post("/api/v1/staff/register", headers=auth(who), json=body)
    assert response.status_code == expect, response.text
    return response.json()


def test_people_without_accounts_are_trained_and_counted_once_each(client: TestClient, auth: Auth, today: date) -> None:
    before = yearly(client, auth, today.year)
    helper = add_person(client, auth)["id"]  # an auxiliary with no account
    zhao = clerk(client, auth)
    office = add_person(
        client, auth, who="head", name="赵文书", post="党政办", employment="civil_servant", user_id=zhao
    )
    held = str(today)
    staff_training(
        client,
        auth,
        {"kind": "training", "title": "协管员业务培训", "held_on": held, "participants": [{"member_id": helper}]},
    )
    exam = {
        "kind": "exam",
        "title": "年度法律知识考试",
        "held_on": held,
        # The clerk by the account, and again (a resit) by the register's line linked to it: one person.
        "participants": [{"member_id": helper, "passed": True, "score": 72}, {"user_id": zhao, "passed": False}],
    }
    staff_training(client, auth, exam)
    resit = {**exam, "title": "补考", "participants": [{"member_id": office["id"], "passed": True}]}
    staff_training(client, auth, resit, who="head")

    after = yearly(client, auth, today.year)
    added = {
        k: after[k] - before[k]
        for k in ("trainings_held", "training_attendances", "staff_trained", "exams_held", "exam_takers")
    }
    assert added == {
        "trainings_held": 1,
        "training_attendances": 1,
        "staff_trained": 1,
        "exams_held": 2,
        "exam_takers": 2,
    }
    assert after["exam_passers"] - before["exam_passers"] == 2
    assert after["consistent_with_tables"] is True, after["discrepancies"]

    record = client.get(f"/api/v1/staff/register/{helper}/trainings", headers=auth("head")).json()
    assert (record["name"], record["trainings"], record["exams_taken"], record["exams_passed"]) == ("钱协管", 1, 1, 1)
    assert record["records"][1]["score"] == 72
    # The clerk's record is the same whichever way the clerk was named.
    by_account = client.get(f"/api/v1/staff/{zhao}/trainings", headers=auth("head")).json()
    by_line = client.get(f"/api/v1/staff/register/{office['id']}/trainings", headers=auth("head")).json()
    assert by_account["records"] == by_line["records"]
    assert [(r["title"], r["passed"]) for r in by_line["records"]] == [("年度法律知识考试", False), ("补考", True)]


def test_one_person_named_twice_in_one_record_is_refused(client: TestClient, auth: Auth, today: date) -> None:
    zhao = clerk(client, auth)
    line = add_person(client, auth, name="赵文书", post="党政办", employment="civil_servant", user_id=zhao)["id"]
    twice = {"kind": "training", "title": "保密培训", "held_on": str(today)}
    staff_training(client, auth, twice | {"participants": [{"user_id": zhao}, {"member_id": line}]}, expect=422)
    staff_training(client, auth, twice | {"participants": [{"user_id": zhao, "member_id": line}]}, expect=422)
    # One account is one line of the register.
    add_person(client, auth, name="赵文书", post="党政办", employment="civil_servant", user_id=zhao, expect=409)


def test_a_person_who_had_left_is_not_named_in_a_later_training(client: TestClient, auth: Auth, today: date) -> None:
    helper = add_person(client, auth)["id"]
    left_on = today - timedelta(days=10)
    left = client.post(
        f"/api/v1/staff/register/{helper}/departure", headers=auth("admin"), json={"left_on": str(left_on)}
    )
    assert left.status_code == 200, left.text
    assert left.json()["left_on"] == str(left_on)
    later = {"kind": "training", "title": "培训", "held_on": str(today), "participants": [{"member_id": helper}]}
    staff_training(client, auth, later, expect=409)
    earlier = later | {"held_on": str(left_on - timedelta(days=1))}
    staff_training(client, auth, earlier)
    again = client.post(
        f"/api/v1/staff/register/{helper}/departure", headers=auth("admin"), json={"left_on": str(today)}
    )
    assert again.status_code == 409
    listed = client.get("/api/v1/staff/register", headers=auth("head")).json()
    assert [(m["name"], m["left_on"]) for m in listed if m["id"] == helper] == [("钱协管", str(left_on))]


def test_the_register_is_the_agencys_own_and_never_public(client: TestClient, auth: Auth, today: date) -> None:
    helper = add_person(client, auth)["id"]
    # Another agency's admin holds the permission, but tiemen's people do not exist for it.
    assert helper not in client.get("/api/v1/staff/register", headers=auth("other-admin")).text
    assert client.get(f"/api/v1/staff/register/{helper}/trainings", headers=auth("other-admin")).status_code == 404
    departure = {"left_on": str(today)}
    other = client.post(f"/api/v1/staff/register/{helper}/departure", headers=auth("other-admin"), json=departure)
    assert other.status_code == 404
    theirs = {"kind": "training", "title": "培训", "held_on": str(today), "participants": [{"member_id": helper}]}
    assert client.post("/api/v1/staff/trainings", headers=auth("other-admin"), json=theirs).status_code == 404
    # Officers and supervisors neither read nor keep it.
    assert client.get("/api/v1/staff/register", headers=auth("officer1")).status_code == 403
    add_person(client, auth, who="supervisor", expect=403)
    public = client.get("/api/v1/public/agencies/tiemen/officers")
    assert public.status_code == 200
    assert "钱协管" not in public.text


def test_each_change_of_the_register_is_a_ledger_entry(
    client: TestClient,
    auth: Auth,
    today: date,
    runtime: Runtime,
    cli: Callable[..., Any],
    integrate: Callable[..., Any],
) -> None:
    helper = add_person(client, auth)["id"]
    client.post(f"/api/v1/staff/register/{helper}/departure", headers=auth("admin"), json={"left_on": str(today)})
    with runtime.database.transaction(write=False) as session:
        rows = session.execute(
            sa.select(LedgerEntry.stream, LedgerEntry.type, LedgerEntry.canonical).order_by(LedgerEntry.id)
        ).all()
    ours = [(s, t, json.loads(c)["body"]) for s, t, c in rows if f'"{helper}"' in c.decode()]
    assert [(s, t) for s, t, _ in ours] == [
        ("staff-register", "staff:member:registered"),
        ("staff-register", "staff:member:left"),
    ]
    assert ours[0][2] | {"member_id": helper} == {
        "member_id": helper,
        "name": "钱协管",
        "post": "协管员",
        "employment": "auxiliary",
        "joined_on": "2020-03-01",
        "user_id": None,
    }
    # The register is a fold of the ledger: replayed, it equals the table.
    integrate(force_checkpoint=True)
    verified = cli("verify", "--agency", "tiemen")
    assert verified.exit_code == 0, verified.output
