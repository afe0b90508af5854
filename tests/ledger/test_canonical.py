"""An entry's bytes are RFC 8785's (JCS): the ledger writes them with the standard library's encoder, and they must be
byte for byte what the RFC's own implementation (``rfc8785``) writes for the same value — an outside verifier that
re-canonicalises an entry finds the bytes that were hashed."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from service.ledger.canonical import CanonicalError, canonical_json, to_json_value

# Any text UTF-8 can carry (lone surrogates cannot: see below), control characters and characters beyond U+FFFF
# included; the names of members too.
TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)
LEAVES = st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | TEXT
VALUES = st.recursive(
    LEAVES, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=5), max_leaves=30
)


def jcs(value: Any) -> bytes:
    """The RFC's bytes for the ledger's value of ``value`` (NFC text, instants and ids as text)."""
    return bytes(rfc8785.dumps(to_json_value(value)))


@settings(max_examples=400)
@given(VALUES)
def test_the_bytes_of_any_value_of_the_ledger_are_rfc_8785s(value: Any) -> None:
    assert canonical_json(value) == jcs(value)


@pytest.mark.parametrize(
    "text",
    [
        'a "quoted" \\ back\\slash',
        "\b\f\n\r\t",  # the five short escapes
        "\x00\x01\x1f",  # the other control characters: lowercase \u00xx
        "\x7f \u2028 \u2029 \ufeff",  # not escaped by either
        "铁门镇综合行政执法队 😀",
    ],
)
def test_text_is_escaped_as_the_rfc_says(text: str) -> None:
    assert canonical_json({"t": text}) == jcs({"t": text})


def test_members_are_ordered_by_utf_16_code_units_not_code_points() -> None:
    # U+1F600 is D83D DE00 in UTF-16, before U+E000; by code point it would come after (RFC 8785 §3.2.3).
    value = {"\ue000": 1, "😀": 2, "z": 3, "\r": 4, "1": 5, "\u0080": 6, "ö": 7, "€": 8}
    assert canonical_json(value) == jcs(value)
    assert canonical_json(value).decode() == '{"\\r":4,"1":5,"z":3,"\u0080":6,"ö":7,"€":8,"😀":2,"\ue000":1}'


def test_the_ledgers_own_types_are_written_as_text() -> None:
    value = {
        "at": datetime(2026, 12, 4, 5, 6, 7, 123456, tzinfo=UTC),
        "on": date(2026, 12, 4),
        "id": uuid.UUID(int=7),
        "hash": b"\x00\xff",
        "tags": frozenset({"b", "a"}),
    }
    assert canonical_json(value) == jcs(value)
    assert canonical_json(value) == (
        b'{"at":"2026-12-04T05:06:07.123456Z","hash":"AP8=","id":"00000000-0000-0000-0000-000000000007",'
        b'"on":"2026-12-04","tags":["a","b"]}'
    )


def test_names_equal_once_normalised_keep_the_last_value() -> None:
    # "é" composed and decomposed are one name under NFC.
    assert canonical_json({"e\u0301": 1, "\u00e9": 2}) == '{"\u00e9":2}'.encode()


@pytest.mark.parametrize(
    "value",
    [
        {"fine": 1.5},  # floats: their decimal form is not unique
        {"n": 2**53},  # beyond I-JSON's exact integers
        {"t": "\ud800"},  # a lone surrogate
        {1: "a"},  # a name that is not text
        {"at": datetime(2026, 12, 4)},  # noqa: DTZ001 — an instant without its time zone
    ],
)
def test_values_without_a_canonical_form_are_refused(value: Any) -> None:
    with pytest.raises(CanonicalError):
        canonical_json(value)
