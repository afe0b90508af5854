"""The compiled inner loops of verification (service/ledger/_speedups.c) answer exactly as their Python twins.

The Python code in service/ledger/verify.py is the specification; the compiled code must agree with it on every
input, valid or tampered, including bytes that are not JSON at all.
"""

from __future__ import annotations

import hashlib
import random
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.ledger import speedups, verify
from service.ledger.canonical import EntryContent
from service.ledger.merkle import leaf_hash
from service.ledger.verify import EntryChecker, EntryRow, TreeChecker

COMPILED = speedups.compiled

pytestmark = pytest.mark.skipif(
    COMPILED is None,
    reason="service/ledger/_speedups.c was not built (no C compiler or OpenSSL headers at install time, or "
    "CASELEDGER_NO_SPEEDUPS set): verification runs its Python twins, which the rest of the suite tests",
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


def both(rows: list[Any], agency: str = "tiemen") -> tuple[Any, Any]:
    """(first wrong index, runs, closed, count) from the compiled and from the Python check of ``rows``."""
    out = []
    for implementation in (COMPILED, None):
        checker = EntryChecker(agency)
        original, speedups.compiled = speedups.compiled, implementation
        try:
            checker.check_rows(rows)
            problem = None
        except verify.EntryProblem as exc:
            problem = (exc.key, exc.stream, exc.seq, exc.reason)
        finally:
            speedups.compiled = original
        out.append((problem, checker.runs(), checker.count))
    return out[0], out[1]


def test_valid_entries_hold_in_both_with_the_same_runs() -> None:
    rows = entries()
    fast, python = both(rows)
    assert fast == python
    assert fast[0] is None
    assert fast[2] == len(rows)


@given(st.integers(0, 2**53 - 1))
def test_an_entry_holds_at_any_position_in_its_stream(seq: int) -> None:
    """Positions of every width JSON carries exactly (RFC 8785: up to 2^53 - 1) are written in decimal in the bytes
    and compared as such."""
    prev = leaf_hash(b"the entry before")
    content = EntryContent("tiemen", "case-1", seq, "case:inquiry:recorded", "user:1", AT, AT, prev, {})
    data = content.canonical()
    fast, python = both([(data, leaf_hash(data), "case-1", seq, prev, content.type)])
    assert fast == python
    assert fast[0] is None
    mismatched, _ = both([(data, leaf_hash(data), "case-1", seq ^ 1, prev, content.type)])
    assert mismatched[0] is not None


def test_entries_in_shuffled_order_give_the_same_runs() -> None:
    rows = entries(seed=3)
    random.Random(7).shuffle(rows)
    fast, python = both(rows)
    assert fast == python


def test_an_entry_of_another_agency_is_wrong_in_both() -> None:
    rows = entries() + entries(agency="other", streams=1, length=1)
    fast, python = both(rows)
    assert fast == python
    assert fast[0] is not None
    assert fast[0][3] == "the entry does not belong to this agency"


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
    "prev text": lambda row: (*row[:4], "AAAA", row[5]),
}


@pytest.mark.parametrize("change", sorted(COLUMN_CHANGES))
@pytest.mark.parametrize("where", [0, 5, -1])
def test_a_column_changed_is_found_at_the_same_row_with_the_same_reason(change: str, where: int) -> None:
    rows: list[Any] = entries()
    rows[where] = COLUMN_CHANGES[change](rows[where])
    fast, python = both(rows)
    assert fast == python
    assert fast[0] is not None


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_any_byte_of_any_entry_changed_is_judged_alike(data: st.DataObject) -> None:
    rows: list[Any] = entries(streams=2, length=4)
    at = data.draw(st.integers(0, len(rows) - 1))
    canonical = bytearray(rows[at][0])
    position = data.draw(st.integers(0, len(canonical) - 1))
    canonical[position] = data.draw(st.integers(0, 255))
    rehash = data.draw(st.booleans())  # an attacker who also rewrites the stored hash
    new = bytes(canonical)
    rows[at] = (new, leaf_hash(new) if rehash else rows[at][1], *rows[at][2:])
    fast, python = both(rows)
    assert fast == python


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=700), st.integers(-(2**63), 2**63 - 1), st.none() | st.binary(max_size=40))
def test_arbitrary_bytes_and_columns_never_crash_and_are_judged_alike(blob: bytes, seq: int, prev: Any) -> None:
    row = (blob, leaf_hash(blob), "case-1", seq, prev, "case:inquiry:recorded")
    fast, python = both([row])
    assert fast == python


@settings(max_examples=200, deadline=None)
@given(st.lists(st.binary(min_size=32, max_size=32), min_size=0, max_size=65))
def test_each_level_of_the_tree_is_the_same(leaves: list[bytes]) -> None:
    level = b"".join(leaves)
    original = speedups.compiled
    try:
        fast = verify.node_hashes(level)
        speedups.compiled = None
        python = verify.node_hashes(level)
    finally:
        speedups.compiled = original
    assert fast == python
    expected = [hashlib.sha256(b"\x01" + leaves[i] + leaves[i + 1]).digest() for i in range(0, len(leaves) - 1, 2)]
    assert fast == b"".join(expected)


def test_a_level_that_is_not_whole_hashes_is_refused() -> None:
    assert COMPILED is not None
    with pytest.raises(ValueError, match="whole number of 32-byte hashes"):
        COMPILED.node_hashes(b"x" * 33)


def test_the_tree_built_by_either_has_the_same_roots() -> None:
    leaves = b"".join(hashlib.sha256(bytes([i])).digest() for i in range(77))
    roots = []
    for implementation in (COMPILED, None):
        original, speedups.compiled = speedups.compiled, implementation
        try:
            tree = TreeChecker(verifier=None, origin="test")  # type: ignore[arg-type]
            tree.add_all(leaves)
            roots.append([tree.root_at(size) for size in range(78)])
        finally:
            speedups.compiled = original
    assert roots[0] == roots[1]


@settings(max_examples=100, deadline=None)
def _sides(records: list[bytes], cut: int) -> list[bytes]:
    """``records`` as two sorted parts, cut at ``cut``: how the entry processes hand theirs over."""
    assert COMPILED is not None
    return [COMPILED.sort_records(b"".join(part), 48) for part in (records[:cut], records[cut:])]


@given(st.lists(st.binary(min_size=48, max_size=48), max_size=40), st.randoms())
def test_records_are_the_same_in_any_order_and_not_when_one_differs(records: list[bytes], rng: random.Random) -> None:
    assert COMPILED is not None
    assert COMPILED.sort_records(b"".join(records), 48) == b"".join(sorted(records))
    shuffled = records[:]
    rng.shuffle(shuffled)
    cut = rng.randint(0, len(records))
    assert COMPILED.same_records(_sides(records, cut), _sides(shuffled, len(records) - cut), 48)
    if records:
        changed = shuffled[:]
        changed[0] = bytes([changed[0][0] ^ 1]) + changed[0][1:]
        assert not COMPILED.same_records(_sides(records, cut), _sides(changed, cut), 48)
        doubled = [*shuffled[1:], shuffled[1] if len(shuffled) > 1 else bytes(48)]
        same = sorted(records) == sorted(doubled)
        assert COMPILED.same_records(_sides(records, cut), _sides(doubled, cut), 48) == same


@given(
    st.lists(st.binary(min_size=4, max_size=4), max_size=12), st.lists(st.binary(min_size=4, max_size=4), max_size=12)
)
def test_records_are_only_ever_called_the_same_when_they_are_whatever_the_order_of_the_parts(
    a: list[bytes], b: list[bytes]
) -> None:
    """Unsorted parts may make the same records look different, never different records look the same."""
    assert COMPILED is not None
    for cut in {0, len(a) // 2, len(a)}:
        if COMPILED.same_records([b"".join(a[:cut]), b"".join(a[cut:])], [b"".join(b)], 4):
            assert sorted(a) == sorted(b)
    assert COMPILED.same_records([b"".join(a)], [b"".join(a)], 4)


@given(st.lists(st.binary(min_size=48, max_size=48), max_size=20), st.integers(0, 48), st.integers(0, 48))
def test_a_field_of_every_record_is_its_bytes_at_that_place(records: list[bytes], offset: int, size: int) -> None:
    assert COMPILED is not None
    if offset + size > 48:
        with pytest.raises(ValueError, match="not within a record"):
            COMPILED.record_fields(b"".join(records), 48, offset, size)
    else:
        fields = COMPILED.record_fields(b"".join(records), 48, offset, size)
        assert fields == b"".join(record[offset : offset + size] for record in records)


def test_records_of_other_lengths_are_not_the_same_and_a_width_must_be_positive() -> None:
    assert COMPILED is not None
    assert not COMPILED.same_records([b"x" * 48], [b"x" * 47], 48)
    assert not COMPILED.same_records([b"x" * 47], [b"x" * 47], 48)
    assert not COMPILED.same_records([b"x" * 48, b"x" * 47], [b"x" * 48, b"x" * 47], 48)
    assert COMPILED.same_records([b"x" * 48, b""], [b"", b"x" * 48], 48)
    with pytest.raises(ValueError, match="positive width"):
        COMPILED.same_records([], [], 0)
    with pytest.raises(ValueError, match="positive width"):
        COMPILED.sort_records(b"", 0)
    with pytest.raises(ValueError, match="whole number of records"):
        COMPILED.sort_records(b"x" * 47, 48)
    with pytest.raises(ValueError, match="whole number of records"):
        COMPILED.record_fields(b"x" * 47, 48, 16, 32)
    with pytest.raises(ValueError, match="not within a record"):
        COMPILED.record_fields(b"x" * 48, 48, -1, 32)
    with pytest.raises(TypeError):
        COMPILED.same_records([b"x" * 48, 5], [b"x" * 48], 48)
