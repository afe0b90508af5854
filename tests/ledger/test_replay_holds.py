"""A replay holds the objects its session holds: SQLAlchemy's identity map refers to them only weakly, and a row
dropped by the projector that read it would be read again from the in-memory database by the next entry of its
stream. They are let go with the session's own hold on them (``expunge_all``, every 2,000 entries)."""

from __future__ import annotations

import gc
import weakref

from service.ledger.replay import ReplayedState


def test_the_rows_a_replay_wrote_stay_in_its_session_until_it_lets_go_of_them(seeded_entries: list[bytes]) -> None:
    state = ReplayedState()
    try:
        for canonical in seeded_entries:
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
