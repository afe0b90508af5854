"""`caseledger verify --since STATE`: only what was added since a verified checkpoint, trusting only the state
file a previous run wrote and the agency's key file. What it leaves to a full run is in the README."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from service.auth.models import User
from service.ledger.models import LedgerEntry
from tests.ledger.test_tamper import leaf, log_size, rewrite_whole_ledger

Cli = Callable[..., Any]


@pytest.fixture
def ledger(append_probe: Callable[..., Any], integrate: Callable[..., Any]) -> None:
    for n in range(10):
        append_probe(stream=f"probe-{n % 2}", n=n)
        if n in (5, 9):
            integrate(force_checkpoint=True)


@pytest.fixture
def state(ledger: None, cli: Cli, tmp_path: Path) -> Path:
    """The state a full run writes at the latest checkpoint."""
    path = tmp_path / "tiemen.state.json"
    result = cli("verify", "--agency", "tiemen", "--save-state", str(path))
    assert result.exit_code == 0, result.output
    assert path.stat().st_mode & 0o777 == 0o600
    return path


@pytest.fixture
def more(append_probe: Callable[..., Any], integrate: Callable[..., Any]) -> Callable[[], None]:
    """New entries after the verified checkpoint: on an old stream and on a new one, over two checkpoints."""

    def add() -> None:
        for n in range(6):
            append_probe(stream="probe-0" if n % 2 else "probe-new", n=100 + n)
            if n in (2, 5):
                integrate(force_checkpoint=True)

    return add


def since(cli: Cli, path: Path) -> Any:
    return cli("verify", "--agency", "tiemen", "--since", str(path))


def flat(result: Any) -> str:
    return " ".join(result.output.split())


def test_a_clean_incremental_run_verifies_the_new_entries_and_moves_the_state_on(
    state: Path, more: Callable[[], None], cli: Cli, attacker: sa.Engine
) -> None:
    before = json.loads(state.read_text())
    more()
    result = since(cli, state)
    assert result.exit_code == 0, result.output
    after = json.loads(state.read_text())
    assert after["size"] == log_size(attacker) == before["size"] + 6
    assert "6 new" in flat(result)
    assert after["streams"]["probe-new"][0] == 3
    assert after["streams"]["probe-0"][0] == before["streams"]["probe-0"][0] + 3
    # the state a full run writes at the same point is the same state
    full = state.with_name("full.json")
    assert cli("verify", "--agency", "tiemen", "--save-state", str(full)).exit_code == 0
    assert json.loads(full.read_text()) == after
    again = since(cli, state)
    assert again.exit_code == 0, again.output
    assert "0 new" in flat(again)


def test_a_tampered_new_entry_is_named(state: Path, more: Callable[[], None], cli: Cli, attacker: sa.Engine) -> None:
    more()
    size = log_size(attacker)
    entry_id, canonical, stream, seq = leaf(attacker, size - 2)
    with attacker.begin() as conn:
        conn.execute(
            sa.update(LedgerEntry)
            .where(LedgerEntry.id == entry_id)
            .values(canonical=canonical.replace(b'"n":', b'"n":9'))
        )
    result = since(cli, state)
    assert result.exit_code == 1, result.output
    assert f"entry {size - 2} (stream {stream}, position {seq}): the stored hash does not match" in flat(result)


def test_a_new_entry_rewritten_with_its_hashes_leaf_and_chain_is_caught_by_the_signed_root(
    state: Path, more: Callable[[], None], cli: Cli, attacker: sa.Engine
) -> None:
    """A new entry changed and every hash, link, leaf, node and head recomputed over it, the signed checkpoints
    left alone: its bytes hash to its stored hash and its chain links, but the new leaves no longer extend the
    verified frontier to the signed root."""
    more()
    size = log_size(attacker)
    rewrite_whole_ledger(attacker, edit_index=size - 2)
    result = since(cli, state)
    assert result.exit_code == 1, result.output
    assert f"checkpoint at size {size}: the Merkle root of the verified tree extended by the new entries" in flat(
        result
    )


def test_an_old_entry_of_a_stream_the_new_ones_do_not_touch_is_not_read_again_the_state_vouches_for_it(
    state: Path, more: Callable[[], None], cli: Cli, attacker: sa.Engine
) -> None:
    """What --since leaves to a full run: an entry the verified checkpoint covers, in a stream no new entry
    touches, is not re-read (its hash is folded into the state's frontier, which the signed roots hold); its
    bytes changed under an unchanged hash pass the incremental run, and the next full run names them."""
    more()  # adds to probe-0 and probe-new: probe-1 is untouched
    with attacker.begin() as conn:
        entry_id, canonical = conn.execute(
            sa.select(LedgerEntry.id, LedgerEntry.canonical).where(
                LedgerEntry.stream == "probe-1", LedgerEntry.stream_seq == 1
            )
        ).one()
        conn.execute(
            sa.update(LedgerEntry)
            .where(LedgerEntry.id == entry_id)
            .values(canonical=bytes(canonical).replace(b'"n":', b'"n":9'))
        )
    result = since(cli, state)
    assert result.exit_code == 0, result.output
    assert "6 new" in flat(result)
    full = cli("verify", "--agency", "tiemen")
    assert full.exit_code == 1, full.output
    assert "(stream probe-1, position 1): the stored hash does not match the entry's bytes" in flat(full)


def test_a_history_rewritten_under_the_verified_checkpoint_is_caught_by_the_consistency_proof(
    state: Path, more: Callable[[], None], cli: Cli, attacker: sa.Engine
) -> None:
    """Every hash, leaf, node and head recomputed over a changed old entry, the signed checkpoints left alone:
    the new entries still extend the verified frontier to the signed roots, but the stored tree no longer
    proves the new checkpoint consistent with the verified one."""
    verified = json.loads(state.read_text())["size"]
    more()
    rewrite_whole_ledger(attacker, edit_index=2)
    result = since(cli, state)
    assert result.exit_code == 1, result.output
    assert f"the consistency proof from the verified checkpoint at size {verified} to the checkpoint" in flat(result)


def test_a_row_of_a_touched_stream_edited_is_caught_by_its_replay(
    state: Path, cli: Cli, attacker: sa.Engine, integrate: Callable[..., Any]
) -> None:
    assert cli("user", "disable", "officer2").exit_code == 0
    integrate(force_checkpoint=True)
    with attacker.begin() as conn:
        user_id = conn.scalar(sa.select(User.id).where(User.username == "officer2"))
        conn.execute(sa.update(User).where(User.id == user_id).values(roles=["officer", "head"]))
    result = since(cli, state)
    assert result.exit_code == 1, result.output
    assert f"table users, row {user_id}: column(s) roles differ from the ledger's replay" in flat(result)


def test_an_old_entry_of_a_touched_stream_changed_is_caught_on_its_way_to_the_verified_head(
    state: Path, more: Callable[[], None], cli: Cli, attacker: sa.Engine
) -> None:
    more()
    with attacker.begin() as conn:  # an entry of probe-0 the verified checkpoint covers (`more` adds to probe-0)
        entry_id, canonical = conn.execute(
            sa.select(LedgerEntry.id, LedgerEntry.canonical).where(
                LedgerEntry.stream == "probe-0", LedgerEntry.stream_seq == 1
            )
        ).one()
        conn.execute(
            sa.update(LedgerEntry)
            .where(LedgerEntry.id == entry_id)
            .values(canonical=bytes(canonical).replace(b'"n":', b'"n":9'))
        )
    result = since(cli, state)
    assert result.exit_code == 1, result.output
    assert "stream probe-0" in flat(result)


def test_a_missing_state_file_is_a_usage_error_naming_how_to_make_one(ledger: None, cli: Cli, tmp_path: Path) -> None:
    result = since(cli, tmp_path / "none.json")
    assert result.exit_code == 2, result.output
    assert "does not exist: a full run writes it" in flat(result)


@pytest.mark.parametrize(
    ("corrupt", "reason"),
    [
        (lambda s: "{not json", "not JSON"),
        (lambda s: json.dumps({**s, "format": "x"}), "not a caseledger.verified-state/v1 file"),
        (lambda s: json.dumps({**s, "agency": "other"}), "not of 'tiemen'"),
        (lambda s: json.dumps({**s, "size": s["size"] - 1}), "differ from its signed checkpoint"),
        (lambda s: json.dumps({**s, "frontier": s["frontier"][:-1]}), "frontier does not fold"),
        (
            lambda s: json.dumps({**s, "checkpoint": s["checkpoint"].replace("tiemen", "tiemeN", 1)}),
            "does not verify with the trusted key",
        ),
        (lambda s: json.dumps({**s, "streams": {"probe-0": [3, "AAAA"]}}), "not a 32-byte hash"),
    ],
)
def test_a_corrupt_state_file_is_a_usage_error_naming_what_is_wrong(
    state: Path, cli: Cli, corrupt: Callable[[dict[str, Any]], str], reason: str
) -> None:
    state.write_text(corrupt(json.loads(state.read_text())))
    result = since(cli, state)
    assert result.exit_code == 2, result.output
    assert reason in flat(result)


def test_since_needs_an_agency(cli: Cli, tmp_path: Path) -> None:
    result = cli("verify", "--since", str(tmp_path / "x.json"))
    assert result.exit_code == 2


def test_an_agency_whose_officers_changed_and_calendar_was_loaded_before_the_state_verifies_incrementally(
    ledger: None, cli: Cli, tmp_path: Path, more: Callable[[], None], client: Any, auth: Callable[[str], Any]
) -> None:
    """An agency's row holds what other streams than its own counted — its officers' version (every officer's
    stream), its calendar's versions (the calendar's stream): a replay of the streams new entries touch, after the
    agency's own, cannot give those, and the whole replay compares them (``verify`` without ``--since``)."""
    notice = tmp_path / "2027.yaml"
    notice.write_text(
        "year: 2027\nnotice: 国办发明电〔2026〕99号\ntitle: 国务院办公厅关于2027年部分节假日安排的通知\n"
        "issued_on: 2026-11-20\nperiods:\n"
        "  - {name: 元旦, name_en: New Year's Day, first: 2026-12-31, last: 2027-01-03,"
        " makeup_workdays: [2026-12-27]}\n",
        encoding="utf-8",
    )
    assert cli("calendar", "load", str(notice)).exit_code == 0
    registered = client.post("/api/v1/officers", headers=auth("admin"), json={"name": "核验队员", "unit": "brigade"})
    assert registered.status_code == 201, registered.text
    path = tmp_path / "tiemen.state.json"
    assert cli("verify", "--agency", "tiemen", "--save-state", str(path)).exit_code == 0
    more()
    result = since(cli, path)
    assert result.exit_code == 0, result.output
    assert cli("verify", "--agency", "tiemen").exit_code == 0
