"""An entry read back from its bytes (``parse_entry``, what replay and ``verify --since`` apply) is the entry that
was written, and bytes that are not an entry's are refused with a CanonicalError — never another exception, never
a value. The parser is the standard library's scanner called directly (faster than ``json.loads``); these tests
hold it to what ``json.loads`` with base64's ``validate=True`` accepted, but for whitespace around the value,
which canonical bytes never have."""

from __future__ import annotations

import base64
import dataclasses
import json
import unicodedata
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.ledger.canonical import CanonicalError, EntryContent, canonical_json, parse_entry, parse_instant

# NFC text, as the ledger writes it (canonical.to_json_value normalises what it is given)
TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=12).map(lambda t: unicodedata.normalize("NFC", t))
BODIES = st.dictionaries(
    TEXT,
    st.recursive(
        st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | TEXT,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
        max_leaves=12,
    ),
    max_size=5,
)
# naive bounds, as hypothesis wants them; every instant drawn is in UTC
INSTANTS = st.datetimes(datetime(2000, 1, 1), datetime(2100, 1, 1), timezones=st.just(UTC))  # noqa: DTZ001
CONTENTS = st.builds(
    EntryContent,
    agency=TEXT,
    stream=TEXT,
    seq=st.integers(0, 2**31),
    type=TEXT,
    actor=TEXT,
    claimed_at=INSTANTS,
    recorded_at=INSTANTS,
    prev=st.none() | st.binary(min_size=32, max_size=32),
    body=BODIES,
)


@settings(max_examples=300)
@given(CONTENTS)
def test_an_entry_reads_back_as_it_was_written(content: EntryContent) -> None:
    assert parse_entry(content.canonical()) == content


def test_an_entry_read_back_is_made_as_the_dataclass_makes_it() -> None:
    """parse_entry sets the fields where the dataclass keeps them instead of calling its ``__init__``: the entry
    it gives has every field and nothing else, and is as frozen as one the dataclass made."""
    at = datetime(2026, 12, 6, 4, 0, tzinfo=UTC)
    made = EntryContent("tiemen", "case:1", 3, "case:inquiry:recorded", "user:1", at, at, bytes(32), {"n": [1]})
    read = parse_entry(made.canonical())
    assert type(read) is EntryContent
    assert vars(read) == vars(made)
    assert list(vars(read)) == [field.name for field in dataclasses.fields(EntryContent)]
    with pytest.raises(dataclasses.FrozenInstanceError):
        read.seq = 4  # type: ignore[misc]


def _as_before(data: bytes) -> EntryContent | None:
    """The entry as ``json.loads`` and base64's ``validate=True`` read it, or None where that refused it."""
    if data != data.strip(b" \t\n\r"):
        return None  # whitespace around the value: json.loads skipped it, canonical bytes never have it
    try:
        obj = json.loads(str(data, "utf-8"))
        if not isinstance(obj, dict) or obj.get("kind") != "caseledger.entry/v1":
            return None
        prev = obj["prev"]
        return EntryContent(
            agency=obj["agency"],
            stream=obj["stream"],
            seq=int(obj["seq"]),
            type=obj["type"],
            actor=obj["actor"],
            claimed_at=parse_instant(obj["claimed_at"]),
            recorded_at=parse_instant(obj["recorded_at"]),
            prev=None if prev is None else base64.b64decode(prev, validate=True),
            body=obj["body"],
        )
    except (KeyError, TypeError, ValueError, RecursionError):
        return None


def _read(data: bytes) -> EntryContent | None:
    try:
        return parse_entry(data)
    except CanonicalError:
        return None


_WRITTEN = EntryContent(
    "town", "case-1", 3, "case:step", "officer:1", datetime(2026, 12, 6, tzinfo=UTC),
    datetime(2026, 12, 6, 1, 2, 3, 456789, tzinfo=UTC), bytes(range(32)), {"note": "现场检查", "n": [1, None]},
).canonical()  # fmt: skip


@settings(max_examples=500)
@given(st.integers(0, len(_WRITTEN)), st.integers(0, 8), st.binary(max_size=6))
def test_damaged_bytes_are_refused_or_read_as_json_loads_reads_them(at: int, cut: int, put: bytes) -> None:
    damaged = _WRITTEN[:at] + put + _WRITTEN[at + cut :]
    assert _read(damaged) == _as_before(damaged)


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b"", "not JSON"),
        (b"\xff\xfe", "not JSON"),  # not UTF-8
        (b" " + _WRITTEN, "not JSON"),  # whitespace around the value: never in canonical bytes
        (_WRITTEN + b" ", "not JSON"),
        (_WRITTEN + b"{}", "not JSON"),
        (b"[" * 100_000, "not JSON"),  # nested beyond the recursion limit
        (b"[]", "not a caseledger entry"),
        (_WRITTEN.replace(b"caseledger.entry/v1", b"caseledger.entry/v2"), "not a caseledger entry"),
        (_WRITTEN.replace(b'"seq":3', b'"seq":"x"'), "malformed"),
        (_WRITTEN.replace(b"2026-12-06T01:02:03.456789Z", b"2026-12-06T01:02:03Z"), "malformed"),
        (_WRITTEN.replace(base64.b64encode(bytes(range(32))), b"AAEC\\nAwQF"), "malformed"),  # not base64 text
        (_WRITTEN.replace(b'"prev":"', b'"prev":"=').replace(b'="', b'"', 1), "malformed"),
        (canonical_json({"kind": "caseledger.entry/v1"}), "missing or malformed"),
    ],
)
def test_what_is_not_an_entry_is_refused_with_the_reason(data: bytes, why: str) -> None:
    with pytest.raises(CanonicalError, match=why):
        parse_entry(data)
