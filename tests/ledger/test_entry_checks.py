"""The pure checks behind `caseledger verify` (service/ledger/verify.py), on plain values: every entry, column,
tree level and tie record is judged from the bytes given, and arbitrary input is a named problem, never a crash.
"""

from __future__ import annotations

import hashlib
import random
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.ledger.canonical import EntryContent
from service.ledger.merkle import leaf_hash, node_hash, root_of
from service.ledger.verify import (
    EntryChecker,
    EntryProblem,
    EntryRow,
    TreeChecker,
    first_unmatched_leaf,
    link_chains,
    node_hashes,
    records_correspond,
)

AT = datetime(2026, 6, 1, 1, 0, tzinfo=UTC)


def entries(agency: str = "tiemen", streams: int = 3, length: int = 12, seed: int = 0) -> list[EntryRow]:
    """Entries of several streams, interleaved: first entries (prev null) and linked ones, odd names included."""
    rng = random.Random(seed)
    names = ["case-1", 'case "quoted"', "案件-2", "back\\slash", "tab\there"][:streams]
    heads: dict[str, bytes | None] = dict.fromkeys(names)
    lengths = dict.fromkeys(names, 0)
    rows: list[EntryRow] = []
    for _ in range(length * len(names)):
        stream = rng.choice(names)
        seq = lengths[stream]
        content = EntryContent(
            agency, stream, seq, "case:inquiry:recorded", f"user:{rng.randint(1, 9)}", AT, AT, heads[stream], {"n": seq}
        )
        data = content.canonical()
        rows.append((data, leaf_hash(data), stream, seq, heads[stream], content.type))
        heads[stream], lengths[stream] = leaf_hash(data), seq + 1
    return rows


def check(rows: list[Any], agency: str = "tiemen") -> tuple[EntryProblem | None, dict[str, tuple[int, bytes]]]:
    """The first problem (or None) and the heads of the chains linked from what was checked."""
    checker = EntryChecker(agency)
    try:
        checker.check_rows(rows)
    except EntryProblem as problem:
        return problem, {}
    heads, problems = link_chains(checker.runs())
    return (problems[0] if problems else None), heads


def test_valid_entries_hold_and_link_into_their_streams() -> None:
    rows = entries()
    problem, heads = check(rows)
    assert problem is None
    last = {row[2]: (row[3] + 1, row[1]) for row in rows}
    assert heads == last


@given(st.integers(0, 2**53 - 1))
def test_an_entry_holds_at_any_position_in_its_stream(seq: int) -> None:
    """Positions of every width JSON carries exactly (RFC 8785: up to 2^53 - 1) are compared in decimal."""
    prev = leaf_hash(b"the entry before")
    content = EntryContent("tiemen", "case-1", seq, "case:inquiry:recorded", "user:1", AT, AT, prev, {})
    data = content.canonical()
    checker = EntryChecker("tiemen")
    checker.check_rows([(data, leaf_hash(data), "case-1", seq, prev, content.type)])
    with pytest.raises(EntryProblem, match="stored stream, position"):
        checker.check_rows([(data, leaf_hash(data), "case-1", seq ^ 1, prev, content.type)])


def test_entries_in_any_order_and_any_parts_give_the_same_heads() -> None:
    rows = entries(seed=3)
    _, expected = check(rows)
    random.Random(7).shuffle(rows)
    parts = [EntryChecker("tiemen") for _ in range(3)]
    for i, row in enumerate(rows):
        parts[i % 3].check_rows([row])
    heads, problems = link_chains(run for part in parts for run in part.runs())
    assert problems == []
    assert heads == expected


def test_an_entry_of_another_agency_is_named() -> None:
    problem, _ = check(entries() + entries(agency="other", streams=1, length=1))
    assert problem is not None
    assert problem.reason == "the entry does not belong to this agency"


def test_an_entry_missing_from_a_stream_breaks_its_chain() -> None:
    rows = entries()
    del rows[4]
    problem, _ = check(rows)
    assert problem is not None
    assert "expected position" in problem.reason or "previous-entry hash" in problem.reason


COLUMN_CHANGES = {
    "hash": lambda row: (row[0], hashlib.sha256(b"x").digest(), *row[2:]),
    "stream": lambda row: (*row[:2], row[2] + "x", *row[3:]),
    "seq": lambda row: (*row[:3], row[3] + 1, *row[4:]),
    "seq negative": lambda row: (*row[:3], -1, *row[4:]),
    "seq huge": lambda row: (*row[:3], 1 << 70, *row[4:]),
    "prev": lambda row: (*row[:4], hashlib.sha256(b"y").digest(), row[5]),
    "prev dropped or added": lambda row: (*row[:4], None if row[4] else bytes(32), row[5]),
    "prev short": lambda row: (*row[:4], (row[4] or b"\x01\x02")[:-1], row[5]),
    "prev empty": lambda row: (*row[:4], b"", row[5]),
    "type": lambda row: (*row[:5], row[5] + "x"),
    "bytes cut": lambda row: (row[0][:40], *row[1:]),
    "bytes empty": lambda row: (b"", *row[1:]),
    "bytes text": lambda row: (row[0].decode(), *row[1:]),
    "seq text": lambda row: (*row[:3], str(row[3]), *row[4:]),
    "seq bool": lambda row: (*row[:3], bool(row[3]), *row[4:]),
    "prev text": lambda row: (*row[:4], "AAAA", row[5]),
}


@pytest.mark.parametrize("change", sorted(COLUMN_CHANGES))
@pytest.mark.parametrize("where", [0, 5, -1])
def test_a_column_changed_is_named_at_its_row(change: str, where: int) -> None:
    rows: list[Any] = entries()
    rows[where] = COLUMN_CHANGES[change](rows[where])
    if change == "seq bool" and rows[where][3] == bool(rows[where][3]) and type(rows[where][3]) is int:
        pytest.skip("not a change")
    checker = EntryChecker("tiemen")
    with pytest.raises(EntryProblem) as raised:
        checker.check_rows(rows)
    assert checker.count == (where if where >= 0 else len(rows) - 1)
    assert raised.value.reason


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_any_byte_of_any_entry_changed_is_found(data: st.DataObject) -> None:
    rows: list[Any] = entries(streams=2, length=4)
    at = data.draw(st.integers(0, len(rows) - 1))
    canonical = bytearray(rows[at][0])
    position = data.draw(st.integers(0, len(canonical) - 1))
    value = data.draw(st.integers(0, 255).filter(lambda v: v != canonical[position]))
    canonical[position] = value
    rehash = data.draw(st.booleans())  # an attacker who also rewrites the stored hash
    new = bytes(canonical)
    rows[at] = (new, leaf_hash(new) if rehash else rows[at][1], *rows[at][2:])
    problem, _ = check(rows)
    if not rehash:
        assert problem is not None
    # With the hash rewritten, a changed byte of the body can hold on its own; the chain or the tree catch it.


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=700), st.integers(-(2**63), 2**63 - 1), st.none() | st.binary(max_size=40))
def test_arbitrary_bytes_and_columns_are_a_named_problem_never_a_crash(blob: bytes, seq: int, prev: Any) -> None:
    with pytest.raises(EntryProblem):
        EntryChecker("tiemen").check_rows([(blob, leaf_hash(blob), "case-1", seq, prev, "case:inquiry:recorded")])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.binary(min_size=32, max_size=32), min_size=0, max_size=65))
def test_each_level_of_the_tree_is_the_pairs_node_hashes(leaves: list[bytes]) -> None:
    expected = [node_hash(leaves[i], leaves[i + 1]) for i in range(0, len(leaves) - 1, 2)]
    assert node_hashes(b"".join(leaves)) == b"".join(expected)


def test_the_rebuilt_tree_has_the_roots_of_rfc_9162() -> None:
    leaves = [hashlib.sha256(bytes([i])).digest() for i in range(77)]
    tree = TreeChecker(verifier=None, origin="test")  # type: ignore[arg-type]
    tree.add_all(b"".join(leaves))
    assert [tree.root_at(size) for size in range(1, 78)] == [root_of(leaves[:size]) for size in range(1, 78)]


RECORD = st.binary(min_size=48, max_size=48)


@given(st.lists(RECORD, max_size=40, unique=True), st.randoms(), st.integers(0, 5))
def test_records_correspond_in_any_order_and_any_parts(records: list[bytes], rng: random.Random, queued: int) -> None:
    pending = records[:queued]
    logged = records[queued:]
    shuffled = records[:]
    rng.shuffle(shuffled)
    cut = rng.randint(0, len(shuffled))
    parts = [shuffled[:cut], shuffled[cut:]]
    assert records_correspond(parts, logged[:], [r[:16] for r in pending], 16)


@given(st.lists(RECORD, max_size=12), st.lists(RECORD, max_size=12), st.integers(0, 12))
def test_records_correspond_only_when_they_are_the_same(a: list[bytes], b: list[bytes], cut: int) -> None:
    """Whatever the parts: called the same only when the records are the same, counted with repeats."""
    if records_correspond([a[:cut], a[cut:]], b[:], [], 16):
        assert sorted(a) == sorted(b)


def test_a_record_changed_duplicated_or_missing_does_not_correspond() -> None:
    records = [bytes([i]) * 48 for i in range(10)]
    assert records_correspond([records[:4], records[4:]], records[:], [], 16)
    changed = [*records[:9], b"\xff" * 48]
    assert not records_correspond([changed], records[:], [], 16)
    assert not records_correspond([[*records, records[0]]], records[:], [], 16)
    assert not records_correspond([records[:9]], records[:], [], 16)
    # a pending id that no entry row has, or that two have
    assert not records_correspond([records], records[:9], [b"\xee" * 16], 16)
    assert not records_correspond([[*records, records[9]]], records[:9], [records[9][:16]], 16)
    assert first_unmatched_leaf(records, changed) == 9
    assert first_unmatched_leaf(records, records) is None
