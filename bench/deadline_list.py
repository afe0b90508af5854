"""The deadline list and the case list's overdue filter against the number of open cases.

Each case keeps on its row the deadlines its entries recorded (names, earliest and latest last day): the deadline
list reads the cases in the order of its lines and counts the deadlines of only as many as can come before the last
line it returns, and the overdue and due-soon filters count only the cases whose deadlines kept on the row can
match. Before, both counted every open case's deadlines per request (the list: all of them; the filters: up to
5,000, newest first).

Made through the API in one process (the demo data, then ``--few`` filed general cases and later as many more as make
``--many``, each batch filed on 12 days spread over the last 180 days, so that their 90-day decision deadlines run
from three months past to three months ahead), and timed on the service's functions straight on a session, as the
head (who sees every case): the median of ``--runs`` calls with ``--few`` and with ``--many`` open cases, each
beside the code it replaced (a copy of it below), the two timed in turns on the same data. Flat is 1.0 from few to
many; the old code grows with the cases.
"""

from __future__ import annotations

import argparse
import statistics
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bench.common import console, data_dir, print_params, print_table, scratch_database, settings_for
from service.auth.models import User
from service.auth.principal import Principal
from service.cases import search
from service.cases.context import CaseContext
from service.cases.deadlines_view import CaseDeadline, case_deadlines
from service.cases.models import Case
from service.cases.service import visible_cases
from service.clock import FixedClock
from service.policy.calendar import local_date

NAME = "deadline_list"
HELP = "the deadline list and the overdue filter with few and many open cases, beside the code they replaced"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--few", type=int, default=50, help="open cases of the small case")
    parser.add_argument("--many", type=int, default=500, help="open cases of the large case")
    parser.add_argument("--runs", type=int, default=15, help="calls timed of each, at each size")
    parser.add_argument("--limit", type=int, default=20, help="the lines or cases a list asks for")
    parser.add_argument("--databases", default="sqlite,postgresql", help="comma-separated: postgresql, sqlite")


# -- the code replaced, as it was (service/cases/search.py before the row kept the deadlines) --------------------


def _old_deadline_list(
    session: Session, context: CaseContext, principal: Principal, want: search.DeadlineSearch, now: datetime
) -> list[tuple[Case, CaseDeadline]]:
    found: list[tuple[Case, CaseDeadline]] = []
    for case in session.scalars(visible_cases(session, principal, context.case_policy).where(Case.closed_at.is_(None))):
        for d in case_deadlines(session, context, case, now):
            if (want.overdue and not d.overdue) or (want.due_soon and not d.due_soon):
                continue
            found.append((case, d))
    found.sort(key=lambda line: (line[1].due_on is not None, line[1].due_on or date.min, line[0].number or ""))
    return found[: want.limit]


def _old_overdue_cases(
    session: Session, context: CaseContext, principal: Principal, limit: int, now: datetime
) -> list[Case]:
    found = []
    query = visible_cases(session, principal, context.case_policy).order_by(Case.registered_at.desc()).limit(5000)
    for case in session.scalars(query):
        if not any(d.overdue for d in case_deadlines(session, context, case, now)):
            continue
        found.append(case)
        if len(found) >= limit:
            break
    return found


# -- the run ------------------------------------------------------------------------------------------------------


def _file_cases(make_demo: Callable[[], Any], clock: FixedClock, start: int, stop: int) -> None:
    """Cases ``start`` to ``stop``, filed on 12 days spread over the 180 days before the clock's today (signed in
    anew on each: a token is not valid before it was issued)."""
    today = clock.at
    days = [today - timedelta(days=180 * (12 - d) / 12) for d in range(12)]
    for d, day in enumerate(days):
        clock.at = day
        demo = make_demo()
        for n in range(start + (stop - start) * d // 12, start + (stop - start) * (d + 1) // 12):
            clock.advance(seconds=1)  # one registered after the other, as the lists order them
            demo.filed_case(n, occurred_on=local_date(day) - timedelta(days=7))
    clock.at = today


def _timed(runs: int, calls: Sequence[Callable[[Session], object]], session: Session) -> list[tuple[float, object]]:
    """Each of ``calls`` ``runs`` times, taking turns (so that neither runs on what the other warmed or left):
    (median ms, answer) of each."""
    times: list[list[float]] = [[] for _ in calls]
    answers: list[object] = [call(session) for call in calls]  # once each, untimed: the first reads are colder
    for _ in range(runs):
        for i, call in enumerate(calls):
            started = time.perf_counter()
            answers[i] = call(session)
            times[i].append(time.perf_counter() - started)
    return [(statistics.median(t) * 1000, answer) for t, answer in zip(times, answers, strict=True)]


def _measure(runtime: Any, principal: Principal, args: argparse.Namespace) -> list[tuple[str, float, float]]:
    """(request, new ms, old ms) for each list; the two must give the same answer."""
    context, now = runtime.case_context, runtime.clock.now()
    kinds: list[tuple[str, Callable[[Session], object], Callable[[Session], object]]] = []
    for label, want in (
        ("deadline list", search.DeadlineSearch(limit=args.limit)),
        ("deadline list, overdue", search.DeadlineSearch(overdue=True, limit=args.limit)),
        ("deadline list, due soon", search.DeadlineSearch(due_soon=True, limit=args.limit)),
    ):
        kinds.append(
            (
                label,
                lambda s, w=want: search.deadlines_of_open_cases(s, context, principal, w, now),
                lambda s, w=want: _old_deadline_list(s, context, principal, w, now),
            )
        )
    overdue_cases = search.CaseSearch(overdue=True, limit=args.limit)
    kinds.append(
        (
            "case list, overdue",
            lambda s: search.search_cases(s, context, principal, overdue_cases, now),
            lambda s: _old_overdue_cases(s, context, principal, args.limit, now),
        )
    )
    out = []
    for label, new, old in kinds:
        with runtime.database.transaction(write=False) as session:
            (new_ms, new_answer), (old_ms, old_answer) = _timed(args.runs, (new, old), session)
        assert _ids(new_answer) == _ids(old_answer), f"{label}: the new code's answer is not the old one's"
        out.append((label, new_ms, old_ms))
    return out


def _ids(answer: object) -> list[object]:
    assert isinstance(answer, list)
    return [(a[0].id, a[1].name, a[1].due_on) if isinstance(a, tuple) else a.id for a in answer]


def _run(kind: str, args: argparse.Namespace) -> list[list[object]]:
    from fastapi.testclient import TestClient

    from bench.http import Demo, demo_passwords
    from service.main import create_app
    from service.runtime import Runtime

    today = datetime.now(UTC)
    with data_dir() as data, scratch_database(kind, data, "deadlines") as url:
        settings = settings_for(data, url)
        passwords = demo_passwords(settings)
        clock = FixedClock(today)
        runtime = Runtime.build(settings, clock=clock)
        with TestClient(create_app(runtime)) as client:
            users = {u: passwords[u] for u in ("officer1", "officer2", "head")}

            def make_demo() -> Demo:
                return Demo("http://bench", users, http=client)

            with runtime.database.transaction(write=False) as session:
                head = session.scalars(select(User).where(User.username == "head")).one()
                principal = Principal(
                    head.id, head.username, head.display_name, head.agency_id, "tiemen", ("head",), frozenset(),
                    uuid.uuid4(), today + timedelta(hours=1),
                )  # fmt: skip
            console.print(f"{kind}: filing {args.many} cases …")
            _file_cases(make_demo, clock, 0, args.few)
            few = _measure(runtime, principal, args)
            _file_cases(make_demo, clock, args.few, args.many)
            many = _measure(runtime, principal, args)
    rows: list[list[object]] = []
    for (label, new_few, old_few), (_, new_many, old_many) in zip(few, many, strict=True):
        rows.append(
            [
                f"{kind}: {label}",
                f"{new_few:.2f}",
                f"{new_many:.2f}",
                f"{new_many / new_few:.2f}×",
                f"{old_few:.2f}",
                f"{old_many:.2f}",
                f"{old_many / old_few:.2f}×",
                f"{new_many / old_many:.3f}×",
            ]
        )
    return rows


def main(args: argparse.Namespace) -> None:
    print_params(NAME, {"few": args.few, "many": args.many, "runs": args.runs, "limit": args.limit})
    rows = []
    for kind in args.databases.split(","):
        rows.extend(_run(kind.strip(), args))
    print_table(
        f"median ms per call, as the head; the old code is the one each replaced, run beside it on the same data "
        f"(same answers checked); {args.few} → {args.many} open cases",
        [
            "request",
            f"new, {args.few}",
            f"new, {args.many}",
            "new grows",
            f"old, {args.few}",
            f"old, {args.many}",
            "old grows",
            f"new / old at {args.many}",
        ],
        rows,
    )
