"""Runs the integrator: in the background of a server process, or once from a command.

Several processes may run one each; the log-head row lock serialises them, so indices stay gap-free.
Requests wake the runner after they commit; callers that want their entry's log index at once wait for it,
boundedly, with :meth:`IntegratorRunner.wait_for_index`.

A pass costs about the same whatever it finds pending (~6 ms of the process's CPU and ~3 ms of the database's on
the benchmark machine, one entry or fifty): under a stream of commits, one pass per commit or two would cost as
much as the steps themselves. So after a pass that sequenced entries the runner waits ``gap`` seconds before the
next, and that pass takes every entry committed meanwhile. A commit after a quiet spell (the passes before it found
nothing) is sequenced at once; under load an entry waits at most ``gap`` (plus a pass) for its log index — the
entry itself is committed and in its stream's chain before the request answers. ``bench/README.md`` (stop 32)
has the measurements.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from functools import partial

from sqlalchemy import select

from service.clock import Clock
from service.db import Database
from service.ledger.integrator import (
    CheckpointPolicy,
    Integration,
    SignerCache,
    agencies_with_work,
    integrate,
)
from service.ledger.models import LedgerHead, LedgerLeaf

log = logging.getLogger(__name__)


class IntegratorRunner:
    def __init__(
        self,
        database: Database,
        signers: SignerCache,
        policy: CheckpointPolicy,
        clock: Clock,
        *,
        interval: float = 0.2,
        gap: float = 0.0,
        batch: int = 5000,
    ) -> None:
        self.database = database
        self.signers = signers
        self.policy = policy
        self.clock = clock
        self.interval = interval
        self.gap = gap
        self.batch = batch
        self._wake = threading.Event()
        self._progress = threading.Condition()
        self._passes = 0  # passes finished, under ``_progress``: what ``wait_for_index`` waits to see change
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self, *, force_checkpoint: bool = False, agency_id: uuid.UUID | None = None) -> list[Integration]:
        """Integrate everything pending (and sign due checkpoints), agency by agency, each in its own transaction."""
        with self.database.transaction(write=False) as session:
            if agency_id is not None:
                agencies = [agency_id]
            elif force_checkpoint:
                agencies = list(session.scalars(select(LedgerHead.agency_id)))
            else:
                agencies = agencies_with_work(session, self.policy, self.clock.now())
        done = []
        for agency in agencies:
            while True:
                with self.database.transaction() as session:
                    result = integrate(
                        session,
                        agency,
                        signers=self.signers,
                        policy=self.policy,
                        at=self.clock.now(),
                        batch=self.batch,
                        force_checkpoint=force_checkpoint,
                    )
                done.append(result)
                if result.new_size - result.old_size < self.batch:
                    break
        with self._progress:
            self._passes += 1
            self._progress.notify_all()
        return done

    def wake(self) -> None:
        self._wake.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.interval)
            self._wake.clear()
            began = time.monotonic()
            try:
                done = self.run_once()
            except Exception:  # the loop must survive a bad moment (database restart, ...)
                log.exception("integrator run failed; retrying")
                self._stop.wait(1.0)
                continue
            if any(result.new_size > result.old_size for result in done):
                # The commits of the gap go into the next pass together (the module's docstring says why).
                self._stop.wait(max(0.0, began + self.gap - time.monotonic()))

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="ledger-integrator", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def wait_for_index(self, agency_id: uuid.UUID, entry_id: uuid.UUID, timeout: float) -> int | None:
        """The log index of ``entry_id`` once integrated, waiting at most ``timeout`` seconds (None if not yet).

        The passes are counted before each look: a pass that ends between the look and the wait (which a bare
        ``Condition.wait`` would miss, and sleep the whole timeout) makes the wait return at once.
        """
        deadline = time.monotonic() + timeout
        while True:
            with self._progress:
                passes = self._passes
            with self.database.transaction(write=False) as session:
                index = session.scalar(
                    select(LedgerLeaf.index).where(LedgerLeaf.agency_id == agency_id, LedgerLeaf.entry_id == entry_id)
                )
            remaining = deadline - time.monotonic()
            if index is not None or remaining <= 0:
                return None if index is None else int(index)
            self.wake()
            with self._progress:
                self._progress.wait_for(partial(self._passed_since, passes), timeout=min(self.interval, remaining))

    def _passed_since(self, passes: int) -> bool:
        return self._passes != passes
