"""Canonical bytes of a ledger entry: RFC 8785 JSON, NFC text, integers only.

The bytes produced here are stored as they are and hashed as they are; verification reads them back and
never re-serialises. Pure: no I/O, no database.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import unicodedata
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from json.scanner import make_scanner
from typing import Any, cast

# Names the format of the canonical object, so that bytes of another kind can never be taken for an entry.
ENTRY_KIND = "caseledger.entry/v1"

JSONValue = None | bool | int | str | list["JSONValue"] | dict[str, "JSONValue"]


class CanonicalError(ValueError):
    """A value that has no canonical form here (a float, a naive datetime, an unknown type)."""


def format_instant(at: datetime) -> str:
    """RFC 3339 in UTC with microseconds, e.g. ``2026-11-28T01:12:18.123456Z``."""
    if at.tzinfo is None:
        raise CanonicalError("naive datetime: instants in the ledger must be aware")
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z").fullmatch


def parse_instant(text: str) -> datetime:
    """The inverse of ``format_instant``; only that exact shape is accepted."""
    if not _INSTANT(text):
        raise ValueError(f"not an instant of the ledger: {text!r}")
    return datetime.fromisoformat(text)  # the trailing Z reads as UTC (datetime.UTC itself) since Python 3.11


def to_json_value(value: Any) -> JSONValue:
    """Normalise a Python value into the ledger's JSON subset.

    Text is NFC-normalised so that the same words typed on two keyboards hash the same. Money is integer fen:
    floats are refused outright, because their decimal form is not unique.
    """
    # The kinds an entry is made of, by their exact type first: an entry holds a few hundred values, and every
    # step writes one. Anything else (subclasses, other mappings and sequences) goes the general way below.
    kind = type(value)
    if kind is str:
        return value if value.isascii() else unicodedata.normalize("NFC", value)  # ASCII text is NFC already
    if kind is dict:
        return _object(value)
    if kind is list:
        return [to_json_value(v) for v in value]
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        if abs(value) > 2**53 - 1:  # RFC 8785 / I-JSON: integers beyond this are not exact in JSON
            raise CanonicalError(f"integer {value} is outside the interoperable range")
        return int(value)
    if isinstance(value, float):
        raise CanonicalError("floats are not allowed in ledger entries: use integer fen or a decimal string")
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, datetime):
        return format_instant(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, Mapping):
        return _object(value)
    if isinstance(value, list | tuple | frozenset | set):
        items = [to_json_value(v) for v in value]
        if isinstance(value, frozenset | set):
            items.sort(key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
        return items
    raise CanonicalError(f"no canonical form for {type(value).__name__}")


def _object(value: Mapping[Any, Any]) -> dict[str, JSONValue]:
    members: list[tuple[str, JSONValue]] = []
    for key, item in value.items():
        if not isinstance(key, str):
            raise CanonicalError(f"object keys must be text, not {type(key).__name__}")
        members.append((key if key.isascii() else unicodedata.normalize("NFC", key), to_json_value(item)))
    # In RFC 8785's order (§3.2.3: by the names' UTF-16 code units), so that writing the members as they come is
    # the canonical form. Code point order is the same for names without characters beyond U+FFFF.
    if all(name.isascii() for name, _ in members):
        members.sort(key=_name)
    else:
        members.sort(key=_utf16_name)
    return dict(members)  # two names equal once NFC-normalised: the last one given stays, as before


def _name(member: tuple[str, JSONValue]) -> str:
    return member[0]


def _utf16_name(member: tuple[str, JSONValue]) -> bytes:
    return member[0].encode("utf-16-be", "surrogatepass")


# RFC 8785 for the ledger's values, which ``to_json_value`` has made None, booleans, integers within ±(2⁵³−1), text,
# lists and objects with their members in the RFC's order. For these the standard library's encoder writes the
# RFC's bytes: no whitespace, integers in decimal, text as is but for '"', '\\' and the control characters, which
# it escapes exactly as §3.2.2.2 does (\b \f \n \r \t, the others as lowercase \u00xx). It does it in C, ~10× faster
# than ``rfc8785.dumps`` (every step writes one entry); tests/ledger/test_canonical.py checks the two agree.
_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False, check_circular=False).encode


def canonical_json(value: Any) -> bytes:
    """The RFC 8785 (JCS) bytes of ``value`` in the ledger's JSON subset (``to_json_value``)."""
    try:
        return _ENCODE(to_json_value(value)).encode("utf-8")
    except UnicodeEncodeError as exc:  # a lone surrogate: not text UTF-8 can carry (nor can RFC 8785)
        raise CanonicalError("text with a lone surrogate has no canonical form") from exc


@dataclass(frozen=True)
class EntryContent:
    """What an entry says. ``prev`` is the hash of the previous entry of the same stream (None for the first)."""

    agency: str
    stream: str
    seq: int
    type: str
    actor: str
    claimed_at: datetime
    recorded_at: datetime
    prev: bytes | None
    body: Mapping[str, Any]

    def canonical(self) -> bytes:
        return canonical_json(
            {
                "kind": ENTRY_KIND,
                "agency": self.agency,
                "stream": self.stream,
                "seq": self.seq,
                "type": self.type,
                "actor": self.actor,
                "claimed_at": self.claimed_at,
                "recorded_at": self.recorded_at,
                "prev": self.prev,
                "body": self.body,
            }
        )


# The standard library's scanner, in C, on the text as it is: RFC 8785 bytes have no whitespace around the value,
# so the value must end where the text does (json.loads would allow trailing whitespace, and costs ~2× as much
# around the same scanner: replay and `verify --since` parse every entry they apply).
_SCAN = make_scanner(cast(Any, json.JSONDecoder()))  # typeshed types its argument as a scanner: a decoder it is


def _content(fields: dict[str, Any]) -> EntryContent:
    """An EntryContent of ``fields`` (every field, by name), set where the dataclass keeps them — its instance
    dictionary — rather than by its frozen ``__init__``'s nine ``object.__setattr__`` calls: a fifth of a parse,
    which replay and `verify --since` pay for every entry they apply (tests/ledger/test_parse_entry.py holds the
    two equal)."""
    content = _NEW_CONTENT(EntryContent)
    content.__dict__.update(fields)
    return content


_NEW_CONTENT = object.__new__


def parse_entry(data: bytes) -> EntryContent:
    """Read an entry back from its canonical bytes (for checks and replay; never re-hashed from this)."""
    try:
        text = str(data, "utf-8")  # RFC 8785 bytes are UTF-8: no guessing of the encoding
        obj, end = _SCAN(text, 0)
    except StopIteration as stop:  # the scanner's way of saying no value starts at that position
        raise CanonicalError(f"entry bytes are not JSON: no value at character {stop.value}") from None
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise CanonicalError(f"entry bytes are not JSON: {exc}") from exc
    if end != len(text):
        raise CanonicalError(f"entry bytes are not JSON: extra data from character {end}")
    if type(obj) is not dict or obj.get("kind") != ENTRY_KIND:
        raise CanonicalError("entry bytes are not a caseledger entry")
    try:
        prev, claimed, recorded = obj["prev"], obj["claimed_at"], obj["recorded_at"]
        claimed_at = parse_instant(claimed)
        return _content(
            {
                "agency": obj["agency"],
                "stream": obj["stream"],
                "seq": int(obj["seq"]),
                "type": obj["type"],
                "actor": obj["actor"],
                "claimed_at": claimed_at,
                "recorded_at": claimed_at if recorded == claimed else parse_instant(recorded),  # mostly the same
                # strict: only the base64 alphabet, padding only at the end (what b64decode's validate=True refused)
                "prev": None if prev is None else binascii.a2b_base64(prev, strict_mode=True),
                "body": obj["body"],
            }
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise CanonicalError(f"entry field missing or malformed: {exc}") from exc
