"""Deadlines never stop the office at the year boundary (行政处罚法 第八十五条; 民法典 第二百零三条).

Next year's State Council holiday notice comes between late October and December, long after a case's deadlines
reach into that year. Until it is loaded, such deadlines are counted provisionally (weekends and the statutory
holidays), marked so wherever they are shown and recorded, and recounted — each change recorded — when it is.
Dates below were worked out by hand; 2026-12-02 is a Wednesday.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from service.clock import FixedClock
from tests.console.helpers import sign_in

from .driver import Cases
from .test_case_api import NOTICE, fine

Auth = Callable[[str], dict[str, str]]
CST = ZoneInfo("Asia/Shanghai")

# Made up for the tests (the real 2027 notice is not published on the day this is written): New Year's Eve
# 2026 given off with Sunday 27 December 2026 worked; Spring Festival 5–13 February 2027.
NOTICE_2027: dict[str, Any] = {
    "notice": "国办发明电〔2026〕99号",
    "title": "国务院办公厅关于2027年部分节假日安排的通知",
    "issued_on": "2026-11-20",
    "periods": [
        {
            "name": "元旦",
            "name_en": "New Year's Day",
            "first": "2026-12-31",
            "last": "2027-01-03",
            "makeup_workdays": ["2026-12-27"],
        },
        {
            "name": "春节",
            "name_en": "Spring Festival",
            "first": "2027-02-05",
            "last": "2027-02-13",
            "makeup_workdays": ["2027-01-31", "2027-02-20"],
        },
    ],
}


def at(month: int, day: int, hour: int = 10, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, tzinfo=CST)


def deadline(case: dict[str, Any], name: str) -> dict[str, Any]:
    found = [d for d in case["deadlines"] if d["name"] == name]
    assert len(found) == 1, case["deadlines"]
    return found[0]


def serve_notice(cases: Cases, case: dict[str, Any], fen: int = 30000) -> dict[str, Any]:
    cases.step(case, "intend_penalty", "head", data={"penalty": fine(fen)})
    return cases.step(
        case, "serve_prior_notice", officers=cases.with_second(), data={"notice": NOTICE | {"penalty": fine(fen)}}
    )


def walk_to_payment(cases: Cases, clock: FixedClock) -> dict[str, Any]:
    """A general case from registration to payment, on whatever date the clock shows."""
    case = cases.investigated()
    serve_notice(cases, case)
    cases.step(case, "record_statement", data={"summary": "当事人表示愿意改正"})
    clock.advance(days=8)
    cases.step(case, "conclude_party_hearing")
    cases.step(
        case,
        "decide_penalty",
        "head",
        data={"evidence": cases.evidence(case), "penalty": fine(30000), "discretion_statement": "一般情节"},
    )
    clock.advance(days=1)
    cases.sign_decision(case, cases.signer("head"))
    return cases.serve_decision(case)


def load_notice(client: TestClient, auth: Auth, body: dict[str, Any] = NOTICE_2027, expect: int = 200) -> Any:
    response = client.put("/api/v1/calendar/notices/2027", headers=auth("admin"), json=body)
    assert response.status_code == expect, response.text
    return response.json()


def test_a_general_case_is_decided_served_and_paid_in_december_without_next_years_notice(
    cases: Cases, clock: FixedClock, client: TestClient, auth: Auth
) -> None:
    clock.at = at(12, 2)
    case = cases.investigated()  # filed, questioned and investigated on 2 December
    # 90 days from 2 December 2026 is Tuesday 2 March 2027, a working day on any calendar: the earliest possible.
    assert deadline(case, "decision") | {"due_soon": None} == {
        "name": "decision",
        "due_on": "2027-03-02",
        "provisional": True,
        "overdue": False,
        "due_soon": None,
        "basis": "《中华人民共和国行政处罚法》第60条",
        "late_fee_fen": None,
        "problem": None,
    }
    assert (
        "intend_penalty" in cases.client.get(f"/api/v1/cases/{case['id']}", headers=auth("head")).json()["next_steps"]
    )
    noticed = serve_notice(cases, case)
    # Thu 3, Fri 4, Mon 7, Tue 8, Wed 9: December is provisional until the 2027 notice (it may move December).
    assert deadline(noticed, "statement")["due_on"] == "2026-12-09"
    assert deadline(noticed, "statement")["provisional"] is True
    cases.step(case, "record_statement", data={"summary": "当事人表示愿意改正"})
    clock.at = at(12, 10)
    cases.step(case, "conclude_party_hearing")
    decided = cases.step(
        case,
        "decide_penalty",
        "head",
        data={"evidence": cases.evidence(case), "penalty": fine(30000), "discretion_statement": "一般情节"},
    )
    # 7 working days from Thursday 10 December: 11, 14, 15, 16, 17, 18, 21.
    assert deadline(decided, "service")["due_on"] == "2026-12-21"
    clock.at = at(12, 11)
    cases.sign_decision(case, cases.signer("head"))
    served = cases.serve_decision(case)
    # 15 days from 11 December is Saturday 26 December: the period ends on Monday 28 (民法典 第二百零三条).
    assert deadline(served, "payment")["due_on"] == "2026-12-28"

    # The late fee counts days on the date in Beijing: 01:00 on 29 December there is still 28 December in UTC.
    clock.at = at(12, 29, hour=1)
    late = deadline(client.get(f"/api/v1/cases/{case['id']}", headers=auth("officer1")).json(), "payment")
    assert late["overdue"] is True
    assert late["late_fee_fen"] == 900  # one day at 3 % of 300 yuan (第七十二条第一项)

    cases.step(case, "record_payment", data={"amount_fen": 30900, "paid_on": "2026-12-29", "receipt": "NO.0001"})
    cases.step(case, "record_execution")
    closed = cases.step(case, "close_case", "head")
    assert closed["state"] == "closed"

    history = client.get(f"/api/v1/cases/{case['id']}/history", headers=auth("supervisor")).json()
    filing = next(h for h in history if h["type"] == "case:filing:approved")
    # The entry that records the step records the deadline as the officer was told it, provisional.
    assert filing["body"]["deadlines"] == [{"name": "decision", "due_on": "2027-03-02", "provisional": True}]


def test_loading_next_years_notice_makes_a_deadline_final_and_records_the_change(
    cases: Cases, clock: FixedClock, client: TestClient, auth: Auth
) -> None:
    clock.at = at(12, 2)
    case = cases.open()
    cases.step(case, "approve_filing", "head")
    loaded = load_notice(client, auth)
    assert loaded["recorded_in"] == ["other", "tiemen"]
    assert [(r["name"], r["due_on"], r["provisional"], r["before"]) for r in loaded["revised"]] == [
        ("decision", "2027-03-02", False, {"due_on": "2027-03-02", "provisional": True})
    ]
    now = client.get(f"/api/v1/cases/{case['id']}", headers=auth("officer1")).json()
    assert deadline(now, "decision")["provisional"] is False
    history = client.get(f"/api/v1/cases/{case['id']}/history", headers=auth("supervisor")).json()
    revised = [h for h in history if h["type"] == "case:deadlines:revised"]
    assert len(revised) == 1
    assert revised[0]["body"]["changes"][0]["before"] == {"due_on": "2027-03-02", "provisional": True}
    assert all(h["verifies"] for h in history)
    # Loading the same notice again records nothing.
    assert load_notice(client, auth)["recorded_in"] == []


def test_a_notices_december_make_up_day_moves_deadlines_already_computed(
    cases: Cases, clock: FixedClock, client: TestClient, auth: Auth
) -> None:
    # Filed 28 September: day 90 is Sunday 27 December, so provisionally Monday 28; the notice makes the 27th a
    # working day, and the agency's deadline takes the official date.
    clock.at = at(9, 28)
    earlier = cases.open()
    cases.step(earlier, "approve_filing", "head")
    # Filed 2 October: day 90 is Thursday 31 December, a working day provisionally; the notice gives it off with
    # 1–3 January, so the period ends on Monday 4 January 2027.
    clock.at = at(10, 2)
    later = cases.open()
    cases.step(later, "approve_filing", "head")
    # Notified Thursday 24 December: 5 working days are 25, 28, 29, 30, 31 provisionally; on the notice 25, 27,
    # 28, 29, 30. The party was told the 31st and keeps it (第四十四条、第六十四条、第八十五条).
    clock.at = at(12, 24)
    party = cases.investigated()
    noticed = serve_notice(cases, party)
    assert deadline(noticed, "statement") | {"due_soon": None} == {
        "name": "statement",
        "due_on": "2026-12-31",
        "provisional": True,
        "overdue": False,
        "due_soon": None,
        "basis": "《中华人民共和国行政处罚法》第45条",
        "late_fee_fen": None,
        "problem": None,
    }
    view = lambda c: client.get(f"/api/v1/cases/{c['id']}", headers=auth("head")).json()  # noqa: E731
    assert deadline(view(earlier), "decision")["due_on"] == "2026-12-28"
    assert deadline(view(later), "decision")["due_on"] == "2026-12-31"

    load_notice(client, auth)

    assert (deadline(view(earlier), "decision")["due_on"], deadline(view(earlier), "decision")["provisional"]) == (
        "2026-12-27",
        False,
    )
    assert deadline(view(later), "decision")["due_on"] == "2027-01-04"
    assert (deadline(view(party), "statement")["due_on"], deadline(view(party), "statement")["provisional"]) == (
        "2026-12-31",
        False,
    )
    # The guard applies the same rule: on the 30th the party's period has not run out.
    clock.at = at(12, 30)
    refused = cases.step(party, "conclude_party_hearing", expect=409)
    [failure] = [f for f in refused["failures"] if f["guard"] == "statement_period_over_or_waived"]
    assert "2026-12-31" in failure["reason_en"]


def test_a_notice_with_a_date_both_off_and_worked_is_refused_whole_listing_every_problem(
    client: TestClient, auth: Auth
) -> None:
    bad = {
        **NOTICE_2027,
        "periods": [
            NOTICE_2027["periods"][0] | {"makeup_workdays": ["2027-01-02"]},
            NOTICE_2027["periods"][1] | {"first": "2026-11-30"},
        ],
    }
    refused = load_notice(client, auth, bad, expect=422)
    assert any("2027-01-02 is already listed" in p for p in refused["problems"])
    assert any("outside the year 2027" in p for p in refused["problems"])
    calendar = client.get("/api/v1/calendar?first=2026&last=2027", headers=auth("admin")).json()
    assert [(y["year"], y["official"]) for y in calendar["years"]] == [(2026, True), (2027, False)]


def test_only_an_admin_loads_a_notice(client: TestClient, auth: Auth) -> None:
    for who in ("officer1", "head", "supervisor"):
        response = client.put("/api/v1/calendar/notices/2027", headers=auth(who), json=NOTICE_2027)
        assert response.status_code == 403, who


def test_heads_and_admins_are_warned_from_1_november_until_next_years_notice_is_loaded(
    clock: FixedClock, client: TestClient, auth: Auth
) -> None:
    clock.at = at(10, 31)
    assert client.get("/api/v1/deadlines", headers=auth("head")).json()["warnings"] == []
    clock.at = at(11, 1)
    for who in ("head", "admin"):
        warnings = client.get("/api/v1/deadlines", headers=auth(who)).json()["warnings"]
        assert [w["code"] for w in warnings] == ["calendar_notice_missing"], who
    assert client.get("/api/v1/deadlines", headers=auth("officer1")).json()["warnings"] == []
    assert client.get("/readyz").status_code == 200
    load_notice(client, auth)
    assert client.get("/api/v1/deadlines", headers=auth("head")).json()["warnings"] == []


def test_the_consoles_home_warns_heads_and_admins_as_the_api_does(
    clock: FixedClock, client: TestClient, auth: Auth
) -> None:
    warned = 'id="calendar_notice_missing"'
    clock.at = at(10, 31)
    before = TestClient(client.app)
    sign_in(before, "head")
    assert warned not in before.get("/").text
    clock.at = at(11, 1)
    head = TestClient(client.app)
    sign_in(head, "head")
    assert "2027" in head.get("/").text.split(warned)[1].split("</p>")[0]
    admin = TestClient(client.app)
    sign_in(admin, "admin")
    # the admin, who loads the notice, is shown where
    assert re.search(warned + r'[^>]*>[^<]*<a href="/admin/calendar">', admin.get("/").text)
    officer = TestClient(client.app)
    sign_in(officer, "officer1")
    assert warned not in officer.get("/").text
    load_notice(client, auth)
    assert warned not in head.get("/").text
    assert warned not in admin.get("/").text


def test_the_deadline_list_shows_the_nearest_first_with_provisional_marked(
    cases: Cases, clock: FixedClock, client: TestClient, auth: Auth
) -> None:
    clock.at = at(11, 20)
    first = cases.open()
    cases.step(first, "approve_filing", "head")
    clock.at = at(12, 2)
    second = cases.open()
    cases.step(second, "approve_filing", "head")
    listed = client.get("/api/v1/deadlines", headers=auth("officer1")).json()["deadlines"]
    assert [(d["case_id"], d["name"], d["due_on"], d["provisional"]) for d in listed] == [
        (first["id"], "decision", "2027-02-18", True),  # 20 Nov + 90 = Thu 18 Feb 2027
        (second["id"], "decision", "2027-03-02", True),
    ]
    other = client.get("/api/v1/deadlines", headers=auth("other-officer")).json()["deadlines"]
    assert other == []


def test_the_cli_loads_a_notice_from_a_file(
    cases: Cases, clock: FixedClock, cli: Callable[..., Any], tmp_path: Path
) -> None:
    clock.at = at(12, 2)
    path = tmp_path / "2027.yaml"
    path.write_text(
        "year: 2027\nnotice: 国办发明电〔2026〕99号\ntitle: 国务院办公厅关于2027年部分节假日安排的通知\n"
        "issued_on: 2026-11-20\nperiods:\n"
        "  - {name: 元旦, name_en: New Year's Day, first: 2026-12-31, last: 2027-01-03,"
        " makeup_workdays: [2026-12-27]}\n",
        encoding="utf-8",
    )
    result = cli("calendar", "load", str(path))
    assert result.exit_code == 0, result.output
    assert "recorded in other, tiemen" in result.output
    shown = cli("calendar", "show", "--agency", "tiemen", "--first", "2026", "--last", "2027")
    assert "2027" in shown.output
    assert "official" in shown.output
    again = cli("calendar", "load", str(path))
    assert "already in force" in again.output
    path.write_text(path.read_text(encoding="utf-8").replace("2026-12-27", "2026-12-28"), encoding="utf-8")
    refused = cli("calendar", "load", str(path))
    assert refused.exit_code == 1
    assert "is a Monday" in refused.output


@pytest.mark.parametrize("procedure", ["general"])
def test_a_case_walks_to_payment_on_the_real_date(
    procedure: str, cases: Cases, clock: FixedClock, client: TestClient, auth: Auth
) -> None:
    # Whatever today is, and whatever notices the calendar file has: no step is refused for want of a calendar.
    clock.at = datetime.now(UTC)
    served = walk_to_payment(cases, clock)
    assert served["state"] == "served"
    payment = deadline(served, "payment")
    assert payment["problem"] is None
    assert payment["due_on"] is not None


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        pytest.param([NOTICE_2027], "", id="not an object"),
        pytest.param(NOTICE_2027 | {"year": 2028}, "not 2027", id="another year than the path's"),
        pytest.param(NOTICE_2027 | {"title": "a\x00b"}, "control character", id="a NUL in a text"),
        pytest.param(NOTICE_2027 | {"issued_on": "2026-02-30"}, "YYYY-MM-DD", id="no such date"),
        pytest.param(NOTICE_2027 | {"periods": NOTICE_2027["periods"] * 11}, "at most 20", id="too many items"),
        pytest.param(
            NOTICE_2027 | {"periods": [NOTICE_2027["periods"][1] | {"makeup_workdays": ["2027-02-22"]}]},
            "is a Monday",
            id="a make-up workday on a weekday",
        ),
    ],
)
def test_a_malformed_notice_is_a_422_and_writes_nothing(
    body: Any, problem: str, client: TestClient, auth: Auth
) -> None:
    english = auth("admin") | {"Accept-Language": "en"}
    response = client.put("/api/v1/calendar/notices/2027", headers=english, json=body)
    assert response.status_code == 422, response.text
    assert problem in response.text
    calendar = client.get("/api/v1/calendar?first=2027&last=2027", headers=auth("admin")).json()
    assert calendar["years"][0]["official"] is False
