"""`verify --since` replays only the streams the new entries touch, with the streams every such replay takes (the
agency's own, its calendar's, its case numberings): for every row that replay writes it must give the live row,
whichever streams the new entries touch — or a monitor's nightly run cries tampering over a sound ledger.

A case's number is the one projection across streams: given from the agency's numbering stream, written on the
case's row. A replay of some streams applies a numbering entry only where the case's own stream is replayed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from service.agencies.models import Agency
from service.cli import REPLAY_CONTEXT
from service.clock import FixedClock
from service.ledger.canonical import parse_entry
from service.ledger.incremental import _context_streams
from service.ledger.models import LedgerEntry, LedgerLeaf
from service.ledger.replay import ReplayedState, compare_replayed_rows
from service.runtime import Runtime

from .driver import Cases
from .test_publicity_reports import closed, decided
from .test_reviews import major_case, review

Cli = Callable[..., Any]


@pytest.fixture
def year_of_cases(
    cases: Cases, clock: FixedClock, client: Any, auth: Callable[[str], dict[str, str]], integrate: Callable[..., Any]
) -> None:
    """Four numbered cases (one closed: evidence, a decision signed, issued, served, paid; one decided and
    published; a major one whose legal review was taken, answered and signed; one filed) and one registered only."""
    closed(cases, clock)
    published = decided(cases, clock)
    assert client.post(f"/api/v1/cases/{published['id']}/publication", headers=auth("head")).status_code == 201
    review(cases, major_case(cases, clock), cases.signer("reviewer"))  # last: it moves the clock past the periods
    cases.step(cases.open(), "approve_filing", "head")
    cases.open()
    integrate(force_checkpoint=True)


def test_any_one_stream_replayed_with_what_such_a_replay_takes_gives_the_live_rows(
    year_of_cases: None, runtime: Runtime
) -> None:
    with runtime.database.transaction(write=False) as session:
        agency_id = session.scalars(select(Agency.id).where(Agency.code == "tiemen")).one()
        logged = session.execute(
            select(LedgerEntry.stream, LedgerEntry.canonical)
            .join(LedgerLeaf, LedgerLeaf.entry_id == LedgerEntry.id)
            .where(LedgerEntry.agency_id == agency_id)
            .order_by(LedgerLeaf.index)
        ).all()
    streams = {row.stream for row in logged}
    assert any(stream.startswith("case-numbers:") for stream in streams)
    problems = {}
    for touched in sorted(streams):
        replayed = {touched, *_context_streams(REPLAY_CONTEXT, streams)}
        state = ReplayedState(only=replayed)
        try:
            for row in logged:
                if row.stream in replayed:
                    state.apply_content(parse_entry(row.canonical))
            state.session.flush()
            with runtime.database.transaction(write=False) as live:
                compare_replayed_rows(live, state, agency_id)
        except Exception as exc:  # every stream's outcome is gathered, then shown together
            problems[touched] = f"{type(exc).__name__}: {exc}"
        finally:
            state.close()
    assert problems == {}, "\n".join(f"{stream}: {problem}" for stream, problem in problems.items())


@pytest.fixture
def a_night_on_a_numbered_case(
    cases: Cases, cli: Cli, tmp_path: Path, integrate: Callable[..., Any]
) -> tuple[Path, dict[str, Any]]:
    """A case numbered and the state saved by a full run; then, under the next checkpoint, a step on that case (its
    number is in a stream no new entry touches). The state file and the case."""
    numbered = cases.open()
    cases.step(numbered, "approve_filing", "head")
    integrate(force_checkpoint=True)
    state = tmp_path / "tiemen.state.json"
    assert cli("verify", "--agency", "tiemen", "--save-state", str(state)).exit_code == 0
    cases.step(numbered, "record_inquiry", officers=cases.with_second(), data={"place": "x", "summary": "y"})
    integrate(force_checkpoint=True)
    return state, numbered


def test_nights_of_steps_on_a_case_numbered_before_and_of_a_case_numbered_since_verify_incrementally(
    a_night_on_a_numbered_case: tuple[Path, dict[str, Any]], cases: Cases, cli: Cli, integrate: Callable[..., Any]
) -> None:
    state, _ = a_night_on_a_numbered_case
    result = cli("verify", "--agency", "tiemen", "--since", str(state))
    assert result.exit_code == 0, result.output

    # the second night: another case numbered (the numbering stream touched: its entry for the first case too)
    cases.step(cases.open(), "approve_filing", "head")
    integrate(force_checkpoint=True)
    result = cli("verify", "--agency", "tiemen", "--since", str(state))
    assert result.exit_code == 0, result.output
    assert cli("verify", "--agency", "tiemen").exit_code == 0


def test_a_case_number_edited_in_the_database_is_caught_by_the_incremental_run(
    a_night_on_a_numbered_case: tuple[Path, dict[str, Any]], cli: Cli, runtime: Runtime
) -> None:
    """The number a replayed case gets from its numbering entry is compared with its row like any other column."""
    state, numbered = a_night_on_a_numbered_case
    attacker = sa.create_engine(runtime.settings.resolved_database_url)  # the cases table has no append-only trigger
    with attacker.begin() as connection:
        connection.exec_driver_sql("UPDATE cases SET number = 'forged' WHERE number IS NOT NULL")
    attacker.dispose()
    result = cli("verify", "--agency", "tiemen", "--since", str(state))
    assert result.exit_code == 1
    assert f"table cases, row {numbered['id']}: column(s) number differ from the ledger's replay" in " ".join(
        result.output.split()
    )
