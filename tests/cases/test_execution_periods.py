"""The periods of compulsory execution on the desks: the period a reminder gives the party (行政强制法 第三十五条第一项;
for a fine the ten working days of 第五十四条、第六十九条), the announcement's period to demolish oneself and the
party's remedy periods before a building is demolished (第四十四条). Each is listed with the case's deadlines and in
``GET /api/v1/deadlines``, due soon and overdue like the others: once it is over, the agency takes its next step."""

from __future__ import annotations

from datetime import date
from typing import Any

from service.clock import FixedClock

from .driver import Cases
from .test_execution import FEN, deadline, pay, served
from .test_own_execution import at, decision, order_served
from .test_remedies import filed, result

COERCION = "《中华人民共和国行政强制法》"


def listed(cases: Cases, who: str, query: str = "") -> list[tuple[str, str, str]]:
    """The deadlines ``who`` sees across their cases: (case, name, last day)."""
    response = cases.client.get(f"/api/v1/deadlines{query}", headers=cases.auth(who))
    assert response.status_code == 200, response.text
    return [(d["case_id"], d["name"], d["due_on"]) for d in response.json()["deadlines"]]


def reminded(cases: Cases, clock: FixedClock, perform_by: str) -> dict[str, Any]:
    """An order on CQ-TM-007 served on 1 June 2026, found unperformed on 2 July, reminded with a period."""
    case = order_served(cases, clock)
    at(clock, date(2026, 7, 2), 10)
    cases.step(
        case, "reinspect_correction", officers=cases.with_second(), data={"corrected": False, "findings": "未改"}
    )
    return cases.step(
        case, "serve_reminder", officers=cases.with_second(), data={"method": "直接送达", "perform_by": perform_by}
    )


def test_the_period_a_reminder_states_is_due_soon_then_overdue_on_the_desks_art_35(
    cases: Cases, clock: FixedClock
) -> None:
    case = reminded(cases, clock, "2026-07-13")
    shown = deadline(cases, case, "reminder_performance")
    assert shown is not None
    assert (shown["due_on"], shown["basis"]) == ("2026-07-13", f"{COERCION}第35条")
    assert not shown["due_soon"]
    assert not shown["overdue"]
    assert (case["id"], "reminder_performance", "2026-07-13") not in listed(cases, "officer1", "?due_soon=true")
    at(clock, date(2026, 7, 9), 10)  # two working days before its last day
    assert (case["id"], "reminder_performance", "2026-07-13") in listed(cases, "officer1", "?due_soon=true")
    at(clock, date(2026, 7, 13), 17)  # the last day is still the party's
    assert (case["id"], "reminder_performance", "2026-07-13") not in listed(cases, "head", "?overdue=true")
    at(clock, date(2026, 7, 14), 9)
    assert (case["id"], "reminder_performance", "2026-07-13") in listed(cases, "head", "?overdue=true")
    # Heard and decided (第三十六条、第三十七条): the period served its purpose and is no longer listed.
    cases.step(case, "hear_execution_statement", data={"review": "当事人未陈述申辩", "accepted": False})
    cases.step(case, "decide_own_execution", "head", data=decision(clock))
    assert deadline(cases, case, "reminder_performance") is None


def test_a_fines_reminder_gives_ten_working_days_until_paid_art_54(cases: Cases, clock: FixedClock) -> None:
    case = served(cases, clock)  # served on 9 June 2026: 15 days to pay
    at(clock, date(2026, 6, 29), 10)
    cases.step(case, "serve_reminder", officers=cases.with_second(), data={"method": "直接送达"})
    shown = deadline(cases, case, "reminder_performance")
    assert shown is not None
    # Ten working days after Monday 29 June: Monday 13 July (第六十九条: the law's “十日” are working days).
    assert (shown["due_on"], shown["basis"]) == ("2026-07-13", f"{COERCION}第54条")
    pay(cases, case, clock, FEN, "银行缴款凭证0701")
    assert deadline(cases, case, "reminder_performance") is None


def test_the_periods_before_a_demolition_are_listed_until_it_is_carried_out_art_44(
    cases: Cases, clock: FixedClock
) -> None:
    case = reminded(cases, clock, "2026-07-13")
    at(clock, date(2026, 7, 14), 10)
    cases.step(case, "hear_execution_statement", data={"review": "当事人未陈述申辩", "accepted": False})
    cases.step(case, "decide_own_execution", "head", data=decision(clock))
    # Before the announcement, the party's remedy periods already run: six months after 1 June (行政诉讼法 第四十六条).
    assert deadline(cases, case, "self_demolition") is None
    remedies = deadline(cases, case, "own_execution_remedy_periods")
    assert remedies is not None
    assert (remedies["due_on"], remedies["basis"]) == ("2026-12-01", f"{COERCION}第44条")
    announcement = {"text": "限期自行拆除公告", "posted_at": "现场", "demolish_by": "2026-07-24"}
    cases.step(case, "announce_demolition", "head", data=announcement)
    own = deadline(cases, case, "self_demolition")
    assert own is not None
    assert (own["due_on"], own["basis"]) == ("2026-07-24", f"{COERCION}第44条")
    at(clock, date(2026, 7, 27), 10)
    overdue = listed(cases, "head", "?overdue=true")
    assert (case["id"], "self_demolition", "2026-07-24") in overdue
    assert (case["id"], "own_execution_remedy_periods", "2026-12-01") not in overdue
    at(clock, date(2026, 11, 26), 10)  # three working days before the six months end
    assert (case["id"], "own_execution_remedy_periods", "2026-12-01") in listed(cases, "officer1", "?due_soon=true")
    at(clock, date(2026, 12, 7), 10)
    assert (case["id"], "own_execution_remedy_periods", "2026-12-01") in listed(cases, "head", "?overdue=true")
    cases.step(case, "carry_out_own_execution", officers=cases.with_second(), data={"record": "已拆除第三层"})
    assert [d for d in listed(cases, "head") if d[0] == case["id"]] == []


def test_no_remedy_period_runs_while_a_lawsuit_is_pending_art_44(cases: Cases, clock: FixedClock) -> None:
    case = reminded(cases, clock, "2026-07-13")
    at(clock, date(2026, 7, 14), 10)
    cases.step(case, "hear_execution_statement", data={"review": "当事人未陈述申辩", "accepted": False})
    cases.step(case, "decide_own_execution", "head", data=decision(clock))
    filed(cases, case, clock, "lawsuit")
    # Nothing is demolished while it is pending, and no day can be named for it.
    assert deadline(cases, case, "own_execution_remedy_periods") is None
    at(clock, date(2026, 12, 10), 10)
    result(cases, case, clock, "upheld", document="（2026）渝0155行初41号")
    # Upheld in first instance on 10 December: 15 days to appeal (行政诉讼法 第八十五条), to Friday 25 December.
    after = deadline(cases, case, "own_execution_remedy_periods")
    assert after is not None
    assert after["due_on"] == "2026-12-25"
