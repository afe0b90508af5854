"""A replay holds the objects its session holds: SQLAlchemy's identity map refers to them only weakly, and a row
dropped by the projector that read it would be read again from the in-memory database by the next entry of its
stream. They are let go with the session's own hold on them (``expunge_all``, every 2,000 entries)."""

from __future__ import annotations

import gc
import weakref

from sqlalchemy import select

from service.ledger.models import LedgerEntry, LedgerLeaf
from service.ledger.replay import ReplayedState
from service.runtime import Runtime


def test_the_rows_a_replay_wrote_stay_in_its_session_until_it_lets_go_of_them(runtime: Runtime) -> None:
    with runtime.database.transaction(write=False) as session:
        entries = session.scalars(
            select(LedgerEntry.canonical)
            .join(LedgerLeaf, LedgerLeaf.entry_id == LedgerEntry.id)
            .order_by(LedgerLeaf.index)
        ).all()
    assert entries, "the seeded agencies' entries"
    state = ReplayedState()
    try:
        for canonical in entries:
            state.apply(canonical)
        state.session.flush()
        gc.collect()
        held = [weakref.ref(instance) for instance in state.session.identity_map.values()]
        assert len(held) > 10  # the agencies, their users, officers, catalogue…: nothing else refers to them
        state.session.expunge_all()
        gc.collect()
        assert [ref for ref in held if ref() is not None] == []
    finally:
        state.close()
