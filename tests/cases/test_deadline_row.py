"""The deadlines a case runs against, kept on its row (``deadlines_in_force``, ``next_due_on``, ``deadline_unknown``),
so that the deadline list and the case list's overdue and due-soon filters are one indexed query.

The row is a summary of what the entries recorded, never a second source of dates: the lists below must be exactly
what counting every open case's deadlines would give (each case's own view is the oracle), after steps, after a
State Council notice moved dates, and after the migration filled the row of cases made before it; and replaying the
ledger must give the same rows.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from alembic import command
from service.agencies.models import Agency
from service.auth.models import User
from service.auth.principal import Principal
from service.cases import search
from service.cases.models import Case
from service.clock import FixedClock
from service.ledger.audit import agency_logs, verify_replay
from service.migrations import alembic_config
from service.runtime import Runtime

from .driver import Cases
from .test_year_boundary import NOTICE_2027, serve_notice

Auth = Callable[[str], dict[str, str]]
CST = ZoneInfo("Asia/Shanghai")


def at(month: int, day: int, year: int = 2026) -> datetime:
    return datetime(year, month, day, 10, tzinfo=CST)


@pytest.fixture
def desk(cases: Cases, clock: FixedClock) -> list[dict[str, Any]]:
    """Cases whose deadlines fall before, around and after 2 December 2026 (a Wednesday), in several states."""
    made = []
    # Three filed on 1 September: their deadlines fall on the same day, and the list orders them by number.
    for month, day in ((8, 3), (9, 1), (9, 1), (9, 5), (9, 1), (9, 28), (10, 2), (11, 20), (12, 1)):
        clock.at = at(month, day)
        case = cases.open()
        cases.step(case, "approve_filing", "head")
        made.append(case)
    for month, day in ((11, 23), (11, 27), (12, 1)):  # the party's periods, counted in working days
        clock.at = at(month, day)
        noticed = cases.investigated()
        serve_notice(cases, noticed)
        made.append(noticed)
    clock.at = at(12, 2)
    made.append(cases.open())  # registered, not filed: no deadline yet
    return made


def counted(client: TestClient, auth: Auth, who: str) -> list[tuple[str, str | None, dict[str, Any]]]:
    """Every deadline of every open case ``who`` sees, from each case's own view: the oracle."""
    out = []
    for case in client.get("/api/v1/cases", params={"limit": 500}, headers=auth(who)).json():
        view = client.get(f"/api/v1/cases/{case['id']}", headers=auth(who)).json()
        out.extend((case["id"], view["number"], d) for d in view["deadlines"])
    return out


def expected_list(
    lines: list[tuple[str, str | None, dict[str, Any]]], overdue: bool, due_soon: bool, provisional: bool | None
) -> list[tuple[str, str, str | None]]:
    kept = [
        line
        for line in lines
        if (not overdue or line[2]["overdue"])
        and (not due_soon or line[2]["due_soon"])
        and (provisional is None or line[2]["provisional"] == provisional)
    ]
    kept.sort(key=lambda line: (line[2]["due_on"] is not None, line[2]["due_on"] or "", line[1] or ""))
    return [(case_id, d["name"], d["due_on"]) for case_id, _, d in kept]


def listed(client: TestClient, auth: Auth, who: str, **params: Any) -> list[tuple[str, str, str | None]]:
    response = client.get("/api/v1/deadlines", params=params, headers=auth(who))
    assert response.status_code == 200, response.text
    return [(d["case_id"], d["name"], d["due_on"]) for d in response.json()["deadlines"]]


def cases_listed(client: TestClient, auth: Auth, who: str, **params: Any) -> set[str]:
    response = client.get("/api/v1/cases", params=params | {"limit": 500}, headers=auth(who))
    assert response.status_code == 200, response.text
    return {c["id"] for c in response.json()}


def assert_lists_match_counting_every_case(client: TestClient, auth: Auth) -> None:
    for who in ("head", "officer1"):
        lines = counted(client, auth, who)
        for overdue, due_soon, provisional in (
            (False, False, None),
            (True, False, None),
            (False, True, None),
            (True, True, None),
            (False, False, True),
            (False, False, False),
        ):
            params: dict[str, Any] = {"overdue": overdue, "due_soon": due_soon}
            if provisional is not None:
                params["provisional"] = provisional
            whole = expected_list(lines, overdue, due_soon, provisional)
            # Every limit: the list stops reading cases once none left can come before its last line.
            for limit in range(1, len(whole) + 2):
                assert listed(client, auth, who, **params, limit=limit) == whole[:limit], (who, params, limit)
            if provisional is None and (overdue or due_soon):
                # A case is listed when one of its deadlines is overdue and (when asked too) one is due soon.
                want = {
                    c
                    for c, _, _ in lines
                    if (not overdue or any(d["overdue"] for o, _, d in lines if o == c))
                    and (not due_soon or any(d["due_soon"] for o, _, d in lines if o == c))
                }
                assert cases_listed(client, auth, who, overdue=overdue, due_soon=due_soon) == want, (who, params)


def assert_at_risk_matches_counting_every_case(client: TestClient, auth: Auth, runtime: Runtime) -> None:
    """What a head's desk shows at risk: overdue, due soon, or not countable (console/head_desk.py)."""
    lines = counted(client, auth, "head")
    risky = [line for line in lines if line[2]["overdue"] or line[2]["due_soon"] or line[2]["due_on"] is None]
    want = expected_list(risky, False, False, None)
    with runtime.database.transaction(write=False) as session:
        user = session.scalars(sa.select(User).where(User.username == "head")).one()
        head = Principal(
            user.id, user.username, user.display_name, user.agency_id, "tiemen", ("head",), frozenset(), uuid.uuid4(),
            runtime.clock.now() + timedelta(hours=1),
        )  # fmt: skip
        for limit in range(1, len(want) + 2):
            at_risk = search.DeadlineSearch(at_risk=True, limit=limit)
            found = search.deadlines_of_open_cases(session, runtime.case_context, head, at_risk, runtime.clock.now())
            assert [(str(c.id), d.name, d.due_on and d.due_on.isoformat()) for c, d in found] == want[:limit]


def rows(runtime: Runtime) -> dict[str, tuple[list[str], date | None, date | None, bool]]:
    with runtime.database.transaction(write=False) as session:
        return {
            str(case.id): (case.deadlines_in_force, case.next_due_on, case.last_due_on, case.deadline_unknown)
            for case in session.scalars(sa.select(Case))
        }


def assert_replay_agrees(runtime: Runtime) -> None:
    with runtime.database.transaction(write=False) as session:
        (log,) = agency_logs(session, "tiemen")
    assert verify_replay(runtime.database, [log], only_agency=log.agency_id) > 0


def test_the_deadline_list_and_the_filters_are_what_counting_every_case_gives(
    desk: list[dict[str, Any]], client: TestClient, auth: Auth, clock: FixedClock, runtime: Runtime
) -> None:
    for day in (at(12, 2), at(12, 4), at(2, 25, 2027)):
        clock.at = day
        assert_lists_match_counting_every_case(client, auth)
        assert_at_risk_matches_counting_every_case(client, auth, runtime)


def test_a_row_keeps_the_earliest_deadline_its_entries_recorded_and_replay_gives_the_same(
    desk: list[dict[str, Any]], client: TestClient, auth: Auth, runtime: Runtime
) -> None:
    kept = rows(runtime)
    for case in desk:
        view = client.get(f"/api/v1/cases/{case['id']}", headers=auth("head")).json()
        dates = [date.fromisoformat(d["due_on"]) for d in view["deadlines"] if d["due_on"]]
        names = sorted(d["name"] for d in view["deadlines"])
        assert kept[case["id"]] == (names, min(dates, default=None), max(dates, default=None), False)
    assert_replay_agrees(runtime)


def test_a_notice_that_moves_a_date_moves_the_row_and_the_lists_follow(
    desk: list[dict[str, Any]], client: TestClient, auth: Auth, runtime: Runtime, clock: FixedClock
) -> None:
    # Filed 28 September: day 90 is Sunday 27 December, provisionally Monday 28; the notice works the 27th.
    earlier = desk[5]
    assert rows(runtime)[earlier["id"]][1] == date(2026, 12, 28)
    response = client.put("/api/v1/calendar/notices/2027", headers=auth("admin"), json=NOTICE_2027)
    assert response.status_code == 200, response.text
    assert rows(runtime)[earlier["id"]][1] == date(2026, 12, 27)
    for day in (at(12, 2), at(12, 24)):
        clock.at = day
        assert_lists_match_counting_every_case(client, auth)
    assert_replay_agrees(runtime)


def test_the_migration_fills_the_row_of_cases_made_before_it_as_the_projectors_do(
    desk: list[dict[str, Any]], client: TestClient, auth: Auth, runtime: Runtime, database_url: str
) -> None:
    response = client.put("/api/v1/calendar/notices/2027", headers=auth("admin"), json=NOTICE_2027)
    assert response.status_code == 200, response.text
    projected = rows(runtime)
    assert any(next_due for _, next_due, _, _ in projected.values())
    runtime.database.dispose()
    config = alembic_config(database_url)
    command.downgrade(config, "0026_publication_changes")
    command.upgrade(config, "head")
    assert rows(runtime) == projected
    assert_replay_agrees(runtime)


def test_a_case_registered_between_two_pages_of_a_list_is_not_listed_twice(
    cases: Cases, runtime: Runtime, database_url: str
) -> None:
    """The lists read a page at a time with statements that see what committed meanwhile (PostgreSQL, read
    committed): a case registered between two pages shifts the rows after it, and the row read last on the first
    page comes again on the second. Each case is yielded once."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite's read transaction sees one snapshot: nothing shifts between its pages")
    before = {uuid.UUID(cases.open()["id"]) for _ in range(3)}
    with runtime.database.transaction(write=False) as session:
        newest_first = sa.select(Case, Agency).join(Agency, Agency.id == Case.agency_id)
        newest_first = newest_first.order_by(Case.registered_at.desc(), Case.id)
        rows = search._in_pages(session, newest_first, 2)
        listed = [next(rows)[0].id, next(rows)[0].id]
        cases.clock.advance(seconds=1)
        cases.open()  # committed by its own request, newest: every row after it moves one down
        listed += [case.id for case, _ in rows]
    assert len(listed) == len(set(listed)), "a case listed twice"
    assert before <= set(listed), "a case there before the list began is missing"
