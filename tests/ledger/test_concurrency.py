"""Concurrent appends never fork a chain, leave a gap, or lose an acknowledged write."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from service.ledger.audit import agency_logs, verify_log, verify_replay
from service.ledger.keys import load_agency_key
from service.ledger.models import LedgerEntry, LedgerHead, LedgerLeaf
from service.ledger.note import NoteSigner
from service.ledger.runner import IntegratorRunner
from service.runtime import Runtime

WRITERS = 16
APPENDS = 200


def test_16_writers_times_200_appends_are_gap_free_verified_and_complete(
    runtime: Runtime, append_probe: Callable[..., Any]
) -> None:
    acknowledged: list[list[bytes]] = [[] for _ in range(WRITERS)]
    failures: list[BaseException] = []
    start = threading.Barrier(WRITERS + 1)

    def writer(number: int) -> None:
        start.wait()
        try:
            for n in range(APPENDS):
                # Half the appends go to one stream every writer shares: the per-stream lock is contended.
                stream = "shared" if n % 2 else f"writer-{number}"
                acknowledged[number].append(append_probe(stream=stream, writer=number, n=n).entry_hash)
        except BaseException as exc:  # pragma: no cover - reported below
            failures.append(exc)

    runner = IntegratorRunner(runtime.database, runtime.signers, runtime.checkpoints, runtime.clock, interval=0.05)
    threads = [threading.Thread(target=writer, args=(i,)) for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    runner.start()  # the integrator runs while the writers write
    start.wait()
    for thread in threads:
        thread.join()
    runner.stop()
    runner.run_once(force_checkpoint=True)
    assert not failures, failures

    with runtime.database.transaction(write=False) as session:
        head = session.execute(sa.select(LedgerHead).where(LedgerHead.agency_code == "tiemen")).scalar_one()
        indices = session.scalars(
            sa.select(LedgerLeaf.index).where(LedgerLeaf.agency_id == head.agency_id).order_by(LedgerLeaf.index)
        ).all()
        assert indices == list(range(head.size)), "log indices are gap-free"
        stored = set(session.scalars(sa.select(LedgerEntry.entry_hash).where(LedgerEntry.agency_id == head.agency_id)))
        shared = session.scalars(
            sa.select(LedgerEntry.stream_seq).where(LedgerEntry.stream == "shared").order_by(LedgerEntry.stream_seq)
        ).all()
    every_ack = {h for hashes in acknowledged for h in hashes}
    assert len(every_ack) == WRITERS * APPENDS
    assert every_ack <= stored, "every acknowledged append is in the ledger"
    assert shared == list(range(WRITERS * APPENDS // 2)), "the shared stream is one unforked chain"

    with runtime.database.transaction(write=False) as session:
        (log,) = agency_logs(session, "tiemen")
        trusted = NoteSigner(log.origin, load_agency_key(runtime.settings.keys_dir, "tiemen")).verifier()
        report = verify_log(session, log, trusted)
    assert report.log_size == head.size
    assert report.pending == 0
    assert verify_replay(runtime.database, [log], only_agency=log.agency_id) > 0
