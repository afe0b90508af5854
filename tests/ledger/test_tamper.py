"""Tampering by someone with database access, each caught by `caseledger verify` with the right location.

Every test drops the append-only triggers first, as an attacker with access to the files would.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from service.auth.models import User
from service.ledger import audit, projection
from service.ledger.canonical import EntryContent, parse_entry
from service.ledger.merkle import CompactRange, leaf_hash
from service.ledger.models import (
    LedgerCheckpoint,
    LedgerEntry,
    LedgerHead,
    LedgerLeaf,
    LedgerNode,
    LedgerStream,
)
from service.ledger.nodes import is_node_row
from service.ledger.note import Checkpoint, NoteSigner
from service.runtime import Runtime
from tests.ledger.conftest import PROBE

Cli = Callable[..., Any]


@pytest.fixture(autouse=True, params=[1, 2], ids=["entries-in-one-process", "entries-split-in-two"])
def entry_processes(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    """Every case twice: entries checked by one process, and split between two (as for a large log)."""
    processes = int(request.param)
    monkeypatch.setattr(audit, "PARALLEL_FROM", 0)
    monkeypatch.setattr(audit, "ENTRY_PROCESSES", processes)
    return processes


@pytest.fixture
def ledger(append_probe: Callable[..., Any], integrate: Callable[..., Any]) -> None:
    """Some history: two probe streams, integrated and covered by a signed checkpoint."""
    for n in range(10):
        append_probe(stream=f"probe-{n % 2}", n=n)
        if n in (5, 9):
            integrate(force_checkpoint=True)


def verify_fails(cli: Cli, *args: str) -> str:
    result = cli("verify", "--agency", "tiemen", *args)
    assert result.exit_code == 1, result.output
    return " ".join(result.output.split())


def leaf(engine: sa.Engine, index: int) -> tuple[uuid.UUID, bytes, str, int]:
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(LedgerEntry.id, LedgerEntry.canonical, LedgerEntry.stream, LedgerEntry.stream_seq)
            .join(LedgerLeaf, LedgerLeaf.entry_id == LedgerEntry.id)
            .join(LedgerHead, LedgerHead.agency_id == LedgerLeaf.agency_id)
            .where(LedgerHead.agency_code == "tiemen", LedgerLeaf.index == index)
        ).one()
    return row.id, bytes(row.canonical), row.stream, row.stream_seq


def log_size(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(sa.select(LedgerHead.size).where(LedgerHead.agency_code == "tiemen")))


def test_an_untouched_ledger_verifies(ledger: None, cli: Cli) -> None:
    result = cli("verify")
    assert result.exit_code == 0, result.output
    assert "all verify" in result.output
    assert "equal the ledger's replay" in result.output


def test_an_entry_whose_body_was_changed_is_named(ledger: None, attacker: sa.Engine, cli: Cli) -> None:
    size = log_size(attacker)
    entry_id, canonical, stream, seq = leaf(attacker, size - 3)
    with attacker.begin() as conn:
        conn.execute(
            sa.update(LedgerEntry)
            .where(LedgerEntry.id == entry_id)
            .values(canonical=canonical.replace(b'"n":', b'"m":'))
        )
    assert f"entry {size - 3} (stream {stream}, position {seq}): the stored hash does not match" in verify_fails(cli)


def test_an_entry_whose_stored_hash_was_changed_is_named(ledger: None, attacker: sa.Engine, cli: Cli) -> None:
    entry_id, _, stream, seq = leaf(attacker, 4)
    with attacker.begin() as conn:
        conn.execute(sa.update(LedgerEntry).where(LedgerEntry.id == entry_id).values(entry_hash=bytes(32)))
    assert f"entry 4 (stream {stream}, position {seq}): the stored hash does not match" in verify_fails(cli)


def test_an_entry_deleted_in_the_middle_leaves_a_gap(ledger: None, attacker: sa.Engine, cli: Cli) -> None:
    entry_id, *_ = leaf(attacker, 5)
    with attacker.begin() as conn:
        conn.execute(sa.delete(LedgerLeaf).where(LedgerLeaf.entry_id == entry_id))
        conn.execute(sa.delete(LedgerEntry).where(LedgerEntry.id == entry_id))
    assert "log index 5 is missing" in verify_fails(cli)


def test_an_entry_deleted_and_the_rest_renumbered_breaks_its_stream_chain(
    ledger: None, attacker: sa.Engine, cli: Cli
) -> None:
    size = log_size(attacker)
    entry_id, _, stream, seq = leaf(attacker, size - 4)
    with attacker.begin() as conn:
        agency = conn.scalar(sa.select(LedgerHead.agency_id).where(LedgerHead.agency_code == "tiemen"))
        conn.execute(sa.delete(LedgerLeaf).where(LedgerLeaf.entry_id == entry_id))
        conn.execute(sa.delete(LedgerEntry).where(LedgerEntry.id == entry_id))
        for index in range(size - 3, size):
            conn.execute(
                sa.update(LedgerLeaf)
                .where(LedgerLeaf.agency_id == agency, LedgerLeaf.index == index)
                .values(index=index - 1)
            )
    assert f"stream {stream} expected position {seq} next, found {seq + 1}" in verify_fails(cli)


def test_the_last_entries_deleted_are_caught_by_the_signed_checkpoint(
    ledger: None, attacker: sa.Engine, cli: Cli
) -> None:
    size = log_size(attacker)
    with attacker.begin() as conn:
        for index in range(size - 3, size):
            entry_id, *_ = leaf(attacker, index)
            conn.execute(sa.delete(LedgerLeaf).where(LedgerLeaf.entry_id == entry_id))
            conn.execute(sa.delete(LedgerEntry).where(LedgerEntry.id == entry_id))
    assert f"checkpoint at size {size}: the log has only {size - 3} entries" in verify_fails(cli)


def test_an_entry_slipped_into_the_table_is_named(
    ledger: None, attacker: sa.Engine, cli: Cli, runtime: Runtime
) -> None:
    size = log_size(attacker)
    _, canonical, stream, seq = leaf(attacker, size - 1)
    forged = EntryContent(**{**parse_entry(canonical).__dict__, "seq": seq + 1, "body": {"n": 99}})
    data = forged.canonical()
    forged_id = uuid.uuid4()
    with attacker.begin() as conn:
        agency = conn.scalar(sa.select(LedgerHead.agency_id).where(LedgerHead.agency_code == "tiemen"))
        conn.execute(
            sa.insert(LedgerEntry).values(
                id=forged_id,
                agency_id=agency,
                stream=stream,
                stream_seq=seq + 1,
                type=forged.type,
                actor=forged.actor,
                claimed_at=forged.claimed_at,
                recorded_at=forged.recorded_at,
                prev_hash=forged.prev,
                entry_hash=leaf_hash(data),
                canonical=data,
            )
        )
    assert f"entry row {forged_id} (stream {stream}, position {seq + 1}) is neither in the log nor pending" in (
        verify_fails(cli)
    )


def test_an_entry_inserted_into_the_log_is_caught_between_the_checkpoints_around_it(
    ledger: None, attacker: sa.Engine, cli: Cli
) -> None:
    size = log_size(attacker)
    _, canonical, _, _ = leaf(attacker, size - 3)
    forged = EntryContent(**{**parse_entry(canonical).__dict__, "stream": "forged", "seq": 0, "prev": None})
    data = forged.canonical()
    with attacker.begin() as conn:
        agency = conn.scalar(sa.select(LedgerHead.agency_id).where(LedgerHead.agency_code == "tiemen"))
        for index in reversed(range(size - 3, size)):
            conn.execute(
                sa.update(LedgerLeaf)
                .where(LedgerLeaf.agency_id == agency, LedgerLeaf.index == index)
                .values(index=index + 1)
            )
        forged_id = uuid.uuid4()
        conn.execute(
            sa.insert(LedgerEntry).values(
                id=forged_id,
                agency_id=agency,
                stream="forged",
                stream_seq=0,
                type=forged.type,
                actor=forged.actor,
                claimed_at=forged.claimed_at,
                recorded_at=forged.recorded_at,
                prev_hash=None,
                entry_hash=leaf_hash(data),
                canonical=data,
            )
        )
        conn.execute(
            sa.insert(LedgerLeaf).values(
                agency_id=agency, index=size - 3, entry_id=forged_id, leaf_hash=leaf_hash(data)
            )
        )
    output = verify_fails(cli)
    assert f"checkpoint at size {size}: the recomputed Merkle root differs from the signed root" in output
    assert f"between index {size - 4} and {size - 1}" in output


def test_two_entries_swapped_are_caught(ledger: None, attacker: sa.Engine, cli: Cli) -> None:
    size = log_size(attacker)
    first, *_ = leaf(attacker, size - 2)
    second, *_ = leaf(attacker, size - 4)  # same probe stream, two positions apart
    with attacker.begin() as conn:
        placeholder = uuid.uuid4()
        conn.execute(sa.update(LedgerLeaf).where(LedgerLeaf.entry_id == first).values(entry_id=placeholder))
        conn.execute(sa.update(LedgerLeaf).where(LedgerLeaf.entry_id == second).values(entry_id=first))
        conn.execute(sa.update(LedgerLeaf).where(LedgerLeaf.entry_id == placeholder).values(entry_id=second))
    assert f"entry {size - 4}" in verify_fails(cli)


def test_a_current_state_row_edited_without_the_ledger_is_caught_by_replay(
    ledger: None, attacker: sa.Engine, cli: Cli
) -> None:
    with attacker.begin() as conn:
        user_id = conn.scalar(sa.select(User.id).where(User.username == "officer1"))
        conn.execute(sa.update(User).where(User.id == user_id).values(roles=["officer", "head"]))
    output = verify_fails(cli)
    assert f"table users, row {user_id}: column(s) roles differ from the ledger's replay" in output


def test_a_current_state_row_added_without_the_ledger_is_caught_by_replay(
    ledger: None, attacker: sa.Engine, cli: Cli
) -> None:
    with attacker.begin() as conn:
        agency = conn.scalar(sa.select(LedgerHead.agency_id).where(LedgerHead.agency_code == "tiemen"))
        ghost = uuid.uuid4()
        now = conn.scalar(sa.select(User.created_at).limit(1))
        conn.execute(
            sa.insert(User).values(
                id=ghost,
                agency_id=agency,
                username="ghost",
                display_name="ghost",
                roles=["head"],
                disabled=False,
                created_at=now,
                updated_at=now,
            )
        )
    assert f"table users, row {ghost}: present, but no ledger entry created it" in verify_fails(cli)


def rewrite_whole_ledger(engine: sa.Engine, edit_index: int) -> None:
    """Change one entry and recompute every hash, chain, leaf, node and head — all but the signatures."""
    with engine.begin() as conn:
        agency = conn.scalar(sa.select(LedgerHead.agency_id).where(LedgerHead.agency_code == "tiemen"))
        rows = conn.execute(
            sa.select(LedgerLeaf.index, LedgerEntry.id, LedgerEntry.canonical)
            .join(LedgerEntry, LedgerEntry.id == LedgerLeaf.entry_id)
            .where(LedgerLeaf.agency_id == agency)
            .order_by(LedgerLeaf.index)
        ).all()
        heads: dict[str, bytes] = {}
        tree = CompactRange()
        conn.execute(sa.delete(LedgerNode).where(LedgerNode.agency_id == agency))
        for index, entry_id, canonical in rows:
            content = parse_entry(bytes(canonical))
            body = dict(content.body)
            if index == edit_index:
                body["n"] = 777
            rebuilt = EntryContent(**{**content.__dict__, "body": body, "prev": heads.get(content.stream)})
            data = rebuilt.canonical()
            digest = leaf_hash(data)
            heads[content.stream] = digest
            conn.execute(
                sa.update(LedgerEntry)
                .where(LedgerEntry.id == entry_id)
                .values(canonical=data, entry_hash=digest, prev_hash=rebuilt.prev)
            )
            conn.execute(
                sa.update(LedgerLeaf)
                .where(LedgerLeaf.agency_id == agency, LedgerLeaf.index == index)
                .values(leaf_hash=digest)
            )
            for level, node_index, value in tree.append(digest):
                if is_node_row(level):
                    conn.execute(
                        sa.insert(LedgerNode).values(agency_id=agency, level=level, index=node_index, hash=value)
                    )
        for stream, head in heads.items():
            conn.execute(
                sa.update(LedgerStream)
                .where(LedgerStream.agency_id == agency, LedgerStream.stream == stream)
                .values(head_hash=head)
            )
        conn.execute(sa.update(LedgerHead).where(LedgerHead.agency_id == agency).values(root=tree.root()))


def test_the_whole_ledger_rewritten_with_every_hash_recomputed_is_caught_by_the_signed_checkpoints(
    ledger: None, attacker: sa.Engine, cli: Cli
) -> None:
    rewrite_whole_ledger(attacker, edit_index=log_size(attacker) - 2)
    assert "the recomputed Merkle root differs from the signed root" in verify_fails(cli)


def test_a_rewrite_re_signed_with_the_attackers_own_key_is_refused(ledger: None, attacker: sa.Engine, cli: Cli) -> None:
    rewrite_whole_ledger(attacker, edit_index=log_size(attacker) - 2)
    forger = NoteSigner("caseledger.local/tiemen", Ed25519PrivateKey.generate())
    with attacker.begin() as conn:
        head = conn.execute(sa.select(LedgerHead).where(LedgerHead.agency_code == "tiemen")).one()
        conn.execute(sa.delete(LedgerCheckpoint).where(LedgerCheckpoint.agency_id == head.agency_id))
        note = forger.sign(Checkpoint(head.origin, head.size, head.root).body())
        conn.execute(
            sa.insert(LedgerCheckpoint).values(
                agency_id=head.agency_id, size=head.size, root=head.root, note=note, signed_at=head.integrated_at
            )
        )
    assert "checkpoint at size" in verify_fails(cli)


def test_a_checkpoints_stored_root_replaced_is_caught(ledger: None, attacker: sa.Engine, cli: Cli) -> None:
    size = log_size(attacker)
    with attacker.begin() as conn:
        conn.execute(sa.update(LedgerCheckpoint).where(LedgerCheckpoint.size == size).values(root=bytes(32)))
    assert f"checkpoint at size {size}: the stored size or root differ from the signed note" in verify_fails(cli)


def test_a_checkpoint_note_with_its_root_replaced_fails_its_signature(
    ledger: None, attacker: sa.Engine, cli: Cli
) -> None:
    size = log_size(attacker)
    with attacker.begin() as conn:
        note = conn.scalar(sa.select(LedgerCheckpoint.note).where(LedgerCheckpoint.size == size))
        lines = note.split("\n")
        lines[2] = "A" * 43 + "="
        conn.execute(sa.update(LedgerCheckpoint).where(LedgerCheckpoint.size == size).values(note="\n".join(lines)))
    assert f"checkpoint at size {size}:" in verify_fails(cli)


def test_a_checkpoint_signed_with_another_key_is_refused(ledger: None, attacker: sa.Engine, cli: Cli) -> None:
    size = log_size(attacker)
    other = NoteSigner("caseledger.local/tiemen", Ed25519PrivateKey.generate())
    with attacker.begin() as conn:
        row = conn.execute(sa.select(LedgerCheckpoint).where(LedgerCheckpoint.size == size)).one()
        note = other.sign(Checkpoint("caseledger.local/tiemen", size, bytes(row.root)).body())
        conn.execute(sa.update(LedgerCheckpoint).where(LedgerCheckpoint.size == size).values(note=note))
    assert f"checkpoint at size {size}:" in verify_fails(cli)


def truncate(engine: sa.Engine, keep: int) -> None:
    """Cut the log back to ``keep`` entries, with every head and checkpoint beyond it removed."""
    with engine.begin() as conn:
        agency = conn.scalar(sa.select(LedgerHead.agency_id).where(LedgerHead.agency_code == "tiemen"))
        doomed = [
            r.entry_id
            for r in conn.execute(
                sa.select(LedgerLeaf.entry_id).where(LedgerLeaf.agency_id == agency, LedgerLeaf.index >= keep)
            )
        ]
        conn.execute(sa.delete(LedgerLeaf).where(LedgerLeaf.entry_id.in_(doomed)))
        conn.execute(sa.delete(LedgerEntry).where(LedgerEntry.id.in_(doomed)))
        conn.execute(
            sa.delete(LedgerCheckpoint).where(LedgerCheckpoint.agency_id == agency, LedgerCheckpoint.size > keep)
        )
        tree = CompactRange()
        conn.execute(sa.delete(LedgerNode).where(LedgerNode.agency_id == agency))
        for row in conn.execute(
            sa.select(LedgerLeaf.leaf_hash).where(LedgerLeaf.agency_id == agency).order_by(LedgerLeaf.index)
        ):
            for level, node_index, value in tree.append(bytes(row.leaf_hash)):
                if is_node_row(level):
                    conn.execute(
                        sa.insert(LedgerNode).values(agency_id=agency, level=level, index=node_index, hash=value)
                    )
        conn.execute(sa.update(LedgerHead).where(LedgerHead.agency_id == agency).values(size=keep, root=tree.root()))
        conn.execute(sa.delete(LedgerStream).where(LedgerStream.agency_id == agency))
        heads: dict[str, tuple[int, bytes]] = {}
        for row in conn.execute(
            sa.select(LedgerEntry.stream, LedgerEntry.stream_seq, LedgerEntry.entry_hash).where(
                LedgerEntry.agency_id == agency
            )
        ):
            if row.stream_seq + 1 > heads.get(row.stream, (0, b""))[0]:
                heads[row.stream] = (row.stream_seq + 1, bytes(row.entry_hash))
        for stream, (length, head) in heads.items():
            conn.execute(sa.insert(LedgerStream).values(agency_id=agency, stream=stream, length=length, head_hash=head))


def test_a_log_truncated_and_regrown_to_the_same_size_is_caught_by_a_checkpoint_kept_outside(
    ledger: None,
    attacker: sa.Engine,
    cli: Cli,
    tmp_path: Path,
    client: Any,
    append_probe: Callable[..., Any],
    integrate: Callable[..., Any],
) -> None:
    kept = tmp_path / "checkpoint.txt"
    kept.write_text(client.get("/api/v1/agencies/tiemen/ledger/checkpoint").text)
    size = log_size(attacker)
    truncate(attacker, size - 4)
    for n in range(4):
        append_probe(stream="probe-0", n=100 + n)
    integrate(force_checkpoint=True)
    assert log_size(attacker) == size
    # The database alone now tells a consistent story, signed by the real key ...
    assert cli("verify", "--agency", "tiemen").exit_code == 0
    # ... which the checkpoint the supervisor kept refutes.
    output = verify_fails(cli, "--checkpoint", str(kept))
    assert f"the checkpoint file's root at size {size} differs from the log's" in output


def test_a_log_truncated_and_regrown_without_the_key_is_caught_by_the_stored_checkpoint(
    ledger: None, attacker: sa.Engine, cli: Cli, append_probe: Callable[..., Any], integrate: Callable[..., Any]
) -> None:
    size = log_size(attacker)
    with attacker.connect() as conn:
        saved = conn.execute(sa.select(LedgerCheckpoint.__table__)).all()
    truncate(attacker, size - 4)
    for n in range(4):
        append_probe(stream="probe-1", n=200 + n)
    integrate()  # sequences, but signs no checkpoint: one at this size was signed already ...
    with attacker.begin() as conn:  # ... so the attacker restores the checkpoints they removed
        conn.execute(sa.delete(LedgerCheckpoint.__table__))
        conn.execute(sa.insert(LedgerCheckpoint.__table__), [dict(r._mapping) for r in saved])
    assert f"checkpoint at size {size}: the recomputed Merkle root differs" in verify_fails(cli)


def test_verify_needs_a_known_agency_and_a_readable_checkpoint_file(cli: Cli, tmp_path: Path) -> None:
    assert cli("verify", "--agency", "nowhere").exit_code == 2
    assert cli("verify", "--agency", "tiemen", "--checkpoint", str(tmp_path / "missing.txt")).exit_code == 2


def test_an_entry_type_this_version_cannot_replay_is_reported_not_crashed_on(
    ledger: None, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delitem(projection._PROJECTORS, PROBE)  # as if the entries came from another version
    result = cli("verify", "--agency", "tiemen")
    assert result.exit_code == 1, result.output
    output = " ".join(result.output.split())
    assert "all verify" in output  # the log itself holds
    assert f"CANNOT REPLAY: no projector for entry type '{PROBE}' in this version of caseledger" in output


def test_a_stored_tree_node_changed_is_named(ledger: None, attacker: sa.Engine, cli: Cli) -> None:
    with attacker.begin() as conn:
        agency = conn.scalar(sa.select(LedgerHead.agency_id).where(LedgerHead.agency_code == "tiemen"))
        conn.execute(
            sa.update(LedgerNode)
            .where(LedgerNode.agency_id == agency, LedgerNode.level == 4, LedgerNode.index == 0)
            .values(hash=bytes(32))
        )
    assert "stored tree node (level 4, index 0) is wrong" in verify_fails(cli)


def test_a_leaf_hash_changed_is_named(ledger: None, attacker: sa.Engine, cli: Cli) -> None:
    entry_id, _, stream, seq = leaf(attacker, 6)
    with attacker.begin() as conn:
        conn.execute(sa.update(LedgerLeaf).where(LedgerLeaf.entry_id == entry_id).values(leaf_hash=bytes(32)))
    output = verify_fails(cli)
    assert f"entry 6 (stream {stream}, position {seq}): the stored leaf hash does not match the entry's bytes" in output


def test_two_leaves_pointing_at_each_others_entry_rows_are_named(ledger: None, attacker: sa.Engine, cli: Cli) -> None:
    """The log and the entry rows are unchanged; only which row each leaf names is swapped."""
    first, _, _, _ = leaf(attacker, 3)
    second, _, _, _ = leaf(attacker, 5)
    parked = uuid.uuid4()
    with attacker.begin() as conn:
        for old, new in ((first, parked), (second, first), (parked, second)):
            conn.execute(sa.update(LedgerLeaf).where(LedgerLeaf.entry_id == old).values(entry_id=new))
    output = verify_fails(cli)
    assert "entry 3 (" in output
    assert "the stored leaf hash does not match the entry's bytes" in output


def test_an_entry_column_that_no_longer_says_what_its_bytes_say_is_named(
    ledger: None, attacker: sa.Engine, cli: Cli
) -> None:
    size = log_size(attacker)
    entry_id, _, stream, seq = leaf(attacker, size - 2)
    with attacker.begin() as conn:
        conn.execute(sa.update(LedgerEntry).where(LedgerEntry.id == entry_id).values(stream_seq=seq + 7))
    assert (
        f"entry {size - 2} (stream {stream}, position {seq + 7}): the stored stream, position, previous hash or type"
        in verify_fails(cli)
    )


def keep_storage_in_key_order(engine: sa.Engine, table: str) -> None:
    """An UPDATE moves a row to the end of a PostgreSQL table; a careful attacker puts the rows back in order."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.exec_driver_sql(f"CLUSTER {table} USING pk_{table}")


def test_leaf_hashes_of_the_wrong_lengths_that_add_up_are_named(ledger: None, attacker: sa.Engine, cli: Cli) -> None:
    """Two stored hashes cut at another place: all the bytes are there, in order, yet each leaf is wrong."""
    third, _, _, _ = leaf(attacker, 3)
    fourth, _, _, _ = leaf(attacker, 4)
    with attacker.begin() as conn:
        hashes = {
            entry_id: bytes(conn.scalar(sa.select(LedgerLeaf.leaf_hash).where(LedgerLeaf.entry_id == entry_id)))
            for entry_id in (third, fourth)
        }
        conn.execute(sa.update(LedgerLeaf).where(LedgerLeaf.entry_id == third).values(leaf_hash=hashes[third][:31]))
        conn.execute(
            sa.update(LedgerLeaf)
            .where(LedgerLeaf.entry_id == fourth)
            .values(leaf_hash=hashes[third][31:] + hashes[fourth])
        )
    keep_storage_in_key_order(attacker, "ledger_leaves")
    output = verify_fails(cli)
    assert "entry 3 (" in output
    assert "the stored leaf hash does not match the entry's bytes" in output


def test_tree_node_hashes_of_the_wrong_lengths_that_add_up_are_named(
    ledger: None, append_probe: Callable[..., Any], integrate: Callable[..., Any], attacker: sa.Engine, cli: Cli
) -> None:
    for n in range(32):  # two nodes of level 4, the first level of nodes kept (nodes.py)
        append_probe(stream="probe-more", n=n)
    integrate(force_checkpoint=True)
    with attacker.begin() as conn:
        agency = conn.scalar(sa.select(LedgerHead.agency_id).where(LedgerHead.agency_code == "tiemen"))
        level_four = sa.and_(LedgerNode.agency_id == agency, LedgerNode.level == 4)
        first, second = (
            bytes(conn.scalar(sa.select(LedgerNode.hash).where(level_four, LedgerNode.index == i))) for i in (0, 1)
        )
        conn.execute(sa.update(LedgerNode).where(level_four, LedgerNode.index == 0).values(hash=first[:31]))
        conn.execute(sa.update(LedgerNode).where(level_four, LedgerNode.index == 1).values(hash=first[31:] + second))
    keep_storage_in_key_order(attacker, "ledger_nodes")
    assert "stored tree node (level 4, index 0) is wrong" in verify_fails(cli)


def test_ids_of_another_length_are_named_not_crashed_on(ledger: None, attacker: sa.Engine, cli: Cli) -> None:
    """SQLite keeps whatever text it is given for a UUID column: a leaf naming its entry by a short id, and an
    entry row whose id was shortened, are named (the ties fall back to the database's join)."""
    if attacker.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's uuid columns hold only UUIDs (other ids: the two-leaves case above)")
    third, _, _, _ = leaf(attacker, 3)
    fifth, _, _, _ = leaf(attacker, 5)
    with attacker.begin() as conn:
        conn.exec_driver_sql("UPDATE ledger_leaves SET entry_id = 'short' WHERE entry_id = ?", (third.hex,))
        conn.exec_driver_sql("UPDATE ledger_entries SET id = 'also-short' WHERE id = ?", (fifth.hex,))
    output = verify_fails(cli)
    assert "entry 3: in the log, but its entry row is missing" in output
