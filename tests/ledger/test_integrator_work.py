"""What the integrator looks for on every pass (after every commit): agencies with pending entries, and agencies
whose latest checkpoint is old enough, in entries or in time, for a new one to be due."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from service.agencies.service import get_agency_by_code
from service.ledger.integrator import CheckpointPolicy, agencies_with_work
from service.ledger.projection import Recorded
from service.runtime import Runtime


def test_a_checkpoint_is_due_from_the_latest_one_signed_not_from_an_older_one(
    runtime: Runtime, append_probe: Callable[..., Recorded], integrate: Callable[..., object]
) -> None:
    with runtime.database.transaction(write=False) as session:
        agency = get_agency_by_code(session, "tiemen").id
    every = CheckpointPolicy(every_entries=3, every_seconds=3600)
    for _ in range(3):  # three checkpoints, each after two more entries
        append_probe()
        append_probe()
        integrate(force_checkpoint=True)
    now = runtime.clock.now()
    with runtime.database.transaction(write=False) as session:
        # Nothing pending, the latest checkpoint covers the whole log: no work, although the older checkpoints
        # are 2 and 4 entries behind the log (3 would be due from the first).
        assert agency not in agencies_with_work(session, every, now)
    append_probe()
    integrate()  # integrated, no checkpoint yet: 1 entry past the latest checkpoint
    with runtime.database.transaction(write=False) as session:
        assert agency not in agencies_with_work(session, every, now)
        # In time: the latest checkpoint was signed now; an hour on, one is due for the entry past it.
        assert agency in agencies_with_work(session, every, now + timedelta(hours=1))
    append_probe()
    append_probe()
    integrate()  # 3 entries past the latest checkpoint (the service's own policy signs one every 1,000)
    with runtime.database.transaction(write=False) as session:
        assert agency in agencies_with_work(session, every, now)
    integrate(force_checkpoint=True)
    with runtime.database.transaction(write=False) as session:
        assert agency not in agencies_with_work(session, every, now)
    append_probe()  # pending: work, whatever the checkpoints
    with runtime.database.transaction(write=False) as session:
        assert agency in agencies_with_work(session, every, now)
