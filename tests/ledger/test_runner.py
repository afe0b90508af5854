"""The background integrator places a commit made after a quiet spell at once; after a pass that placed entries it
waits its gap, and the next pass places every entry committed meanwhile (service/ledger/runner.py says why)."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from service.agencies.service import get_agency_by_code
from service.ledger.integrator import Integration, pending_count
from service.ledger.projection import Recorded
from service.ledger.runner import IntegratorRunner
from service.runtime import Runtime

GAP = 3.0


class CountingRunner(IntegratorRunner):
    """The service's runner, noting how many entries each of its passes placed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.placed: list[int] = []

    def run_once(self, *, force_checkpoint: bool = False, agency_id: uuid.UUID | None = None) -> list[Integration]:
        done = super().run_once(force_checkpoint=force_checkpoint, agency_id=agency_id)
        self.placed.append(sum(r.new_size - r.old_size for r in done))
        return done


def test_a_lone_commit_is_placed_at_once_and_the_commits_of_the_gap_in_one_pass(
    runtime: Runtime, append_probe: Callable[..., Recorded]
) -> None:
    with runtime.database.transaction(write=False) as session:
        agency = get_agency_by_code(session, "tiemen").id
    runner = CountingRunner(
        runtime.database, runtime.signers, runtime.checkpoints, runtime.clock, interval=60.0, gap=GAP
    )
    runner.start()
    try:
        runner.wake()
        while not runner.placed:  # a pass that finds nothing pending
            time.sleep(0.01)
        lone = append_probe()
        began = time.monotonic()
        runner.wake()  # as a request does after its commit
        assert runner.wait_for_index(agency, lone.entry_id, timeout=GAP) is not None
        assert time.monotonic() - began < GAP  # at once: no gap after passes that placed nothing

        during_gap = []
        for i in range(5):  # five steps, each waking the runner after its commit, a fifth of a second apart
            during_gap.append(append_probe(stream=f"probe-{i}"))
            runner.wake()
            time.sleep(0.2)
        with runtime.database.transaction(write=False) as session:
            assert pending_count(session, agency) == 5  # the gap after the pass that placed the lone entry
        assert runner.wait_for_index(agency, during_gap[-1].entry_id, timeout=GAP + 10) is not None
        assert [n for n in runner.placed if n] == [1, 5]  # all five in one pass
    finally:
        runner.stop()


class PassOnWake(IntegratorRunner):
    """A runner whose pass runs inside ``wake()``: it always ends before the waiter that woke it starts waiting."""

    def wake(self) -> None:
        self.run_once()


def test_a_pass_that_ends_before_the_wait_begins_is_not_missed(
    runtime: Runtime, append_probe: Callable[..., Recorded]
) -> None:
    with runtime.database.transaction(write=False) as session:
        agency = get_agency_by_code(session, "tiemen").id
    runner = PassOnWake(runtime.database, runtime.signers, runtime.checkpoints, runtime.clock, interval=600.0)
    entry = append_probe()
    found: list[int | None] = []
    waiter = threading.Thread(
        target=lambda: found.append(runner.wait_for_index(agency, entry.entry_id, timeout=600.0)), daemon=True
    )
    waiter.start()
    waiter.join(timeout=60)  # the pass takes milliseconds; a missed one would keep the waiter ten minutes
    assert not waiter.is_alive(), "wait_for_index slept through the pass that placed its entry"
    assert found[0] is not None


def test_stopping_does_not_wait_out_the_gap(runtime: Runtime, append_probe: Callable[..., Recorded]) -> None:
    runner = IntegratorRunner(
        runtime.database, runtime.signers, runtime.checkpoints, runtime.clock, interval=0.05, gap=600.0
    )
    with runtime.database.transaction(write=False) as session:
        agency = get_agency_by_code(session, "tiemen").id
    append_probe()
    runner.start()  # places the entry, then waits its gap of ten minutes
    while True:
        with runtime.database.transaction(write=False) as session:
            if pending_count(session, agency) == 0:
                break
        time.sleep(0.01)
    began = time.monotonic()
    runner.stop()
    assert time.monotonic() - began < 5
