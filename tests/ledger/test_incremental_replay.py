"""The replay of `verify --since` runs beside the checks: it is handed the entries' bytes in parts as they are read
(in any order), reads them back while the checks go on, and applies them in log order once told to start. Its
outcome is the rows it compared and the entries it applied, or the problem it found; it never hangs the verifier,
whatever becomes of it."""

from __future__ import annotations

import multiprocessing
import os
import uuid
from collections.abc import Callable, Collection, Iterable, Iterator
from datetime import UTC, datetime

import pytest

from service.ledger import incremental
from service.ledger.canonical import EntryContent
from service.ledger.errors import VerificationError

AT = datetime(2026, 12, 6, tzinfo=UTC)


def entry(seq: int) -> bytes:
    return EntryContent("town", "probe", seq, "probe", "system:test", AT, AT, None, {"n": seq}).canonical()


def by_log_order(
    url: str,
    agency_id: uuid.UUID,
    what: Callable[[], tuple[Collection[str], Iterable[EntryContent]]],
    schema: bytes | None = None,
) -> tuple[int, int]:
    """Stands for the replay and comparison: how many entries it was given (as rows compared and entries
    applied), if in log order and of the streams it was told."""
    streams, contents = what()
    applied = [content.seq for content in contents]
    if applied != sorted(applied):
        raise VerificationError(f"applied out of log order: {applied}")
    if set(streams) != {"probe"}:
        raise VerificationError(f"told of the streams {sorted(streams)}")
    return len(applied), len(applied)


@pytest.fixture(params=["forked", "in process"])
def start(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Where the replay runs: a child process (what a machine that can fork gets), or the verifier itself."""
    monkeypatch.setattr(incremental, "_replay_and_compare", by_log_order)  # a forked child inherits it
    if request.param == "in process":
        monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    return str(request.param)


@pytest.fixture
def replay(start: str) -> Iterator[incremental._Replay]:
    replay = incremental._Replay("sqlite://", uuid.uuid4())
    yield replay
    replay.stop()


def test_parts_given_in_any_order_are_applied_in_log_order(replay: incremental._Replay) -> None:
    replay.add([((0, 5), entry(5)), ((0, 3), entry(3))])
    replay.add([((1, 0), entry(7))])  # pending: after every entry of the log
    replay.add([((0, 4), entry(4)), ((0, 6), entry(6))])
    replay.add([])
    replay.start_applying({"probe"})
    assert replay.outcome() == (5, 5)


def test_many_parts_larger_than_the_pipe_are_all_handed_over(replay: incremental._Replay) -> None:
    for first in range(0, 6_000, 1_000):  # ~2 MiB of entries: more than the widened pipe holds at once
        replay.add([((0, seq), entry(seq)) for seq in range(first, first + 1_000)])
    replay.start_applying({"probe"})
    assert replay.outcome() == (6_000, 6_000)


def test_bytes_that_are_not_an_entry_are_the_replays_problem(replay: incremental._Replay) -> None:
    replay.add([((0, 0), entry(0)), ((0, 1), b'{"not": "an entry"}')])
    replay.start_applying({"probe"})
    with pytest.raises(VerificationError, match="the replay failed: CanonicalError: entry bytes are not"):
        replay.outcome()


def test_stopped_before_it_starts_applying_it_ends_and_leaves_nothing_running(start: str) -> None:
    """A check that fails while entries are still being read stops the replay where it is."""
    replay = incremental._Replay("sqlite://", uuid.uuid4())
    replay.add([((0, 0), entry(0))])
    replay.stop()
    assert replay._child is None or not replay._child.is_alive()
    assert replay._sender is None or not replay._sender.is_alive()


def test_a_replay_that_dies_is_reported_and_what_is_handed_to_it_after_is_dropped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("no child process to die where the machine cannot fork")

    def dies(url: str, agency_id: uuid.UUID, what: object, schema: bytes | None = None) -> tuple[int, int]:
        os._exit(3)

    monkeypatch.setattr(incremental, "_replay_and_compare", dies)
    replay = incremental._Replay("sqlite://", uuid.uuid4())
    try:
        replay.add([((0, 0), entry(0))])
        replay.start_applying({"probe"})
        with pytest.raises(VerificationError, match="the replay ended without an answer"):
            replay.outcome()
        replay.add([((0, 1), entry(1))] * 3_000)  # to a child no longer there: dropped, not an error nor a hang
    finally:
        replay.stop()
