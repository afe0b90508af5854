"""Parties' personal data: salted commitments for the ledger, keyed blind indexes for search, erasure.

The ledger must never hold a party's name, ID number, phone or address in clear (it cannot be erased). Each
field gets its own random salt; the entry carries SHA-256(salt || value) per field, so verification can check
any field still held and report the erased ones. The blind index is HMAC-SHA-256 of the normalised name or
ID number under a server-held key: equal inputs match, and nothing in the log reveals them.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

PERSONAL_FIELDS = ("name", "id_number", "phone", "address")


def normalise(value: str) -> str:
    """NFKC, no whitespace, upper-case (so a trailing x in an ID number matches X)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", value)).upper()


def commitment(salt: bytes, value: str) -> str:
    return hashlib.sha256(salt + unicodedata.normalize("NFC", value).encode("utf-8")).hexdigest()


def blind_index(key: bytes, value: str) -> bytes:
    return hmac.new(key, normalise(value).encode("utf-8"), hashlib.sha256).digest()


@dataclass(frozen=True)
class Committed:
    salts: dict[str, str]  # field -> hex salt (kept with the personal data)
    commitments: dict[str, str]  # field -> hex commitment (goes into the ledger)


def commit(fields: Mapping[str, str | None]) -> Committed:
    salts: dict[str, str] = {}
    commitments: dict[str, str] = {}
    for name in PERSONAL_FIELDS:
        value = fields.get(name)
        if value:
            salt = os.urandom(16)
            salts[name] = salt.hex()
            commitments[name] = commitment(salt, value)
    return Committed(salts, commitments)


def check_commitments(
    values: Mapping[str, str | None], salts: Mapping[str, str], commitments: Mapping[str, str], erased: list[str]
) -> list[str]:
    """Problems with a party's fields against the ledger's commitments (erased fields are not problems)."""
    problems = []
    for name, expected in commitments.items():
        if name in erased:
            continue
        value = values.get(name)
        salt = salts.get(name)
        if value is None or salt is None:
            problems.append(f"{name} is missing but was not lawfully erased")
        elif commitment(bytes.fromhex(salt), value) != expected:
            problems.append(f"{name} differs from what the ledger committed to")
    for name in PERSONAL_FIELDS:
        if values.get(name) and name not in commitments:
            problems.append(f"{name} was added without a ledger entry")
    return problems


# -- what a case's readers see of the party without a recorded disclosure -------------------------------------


def mask_middle(value: str, keep_start: int, keep_end: int) -> str:
    """``value`` with every character but the first ``keep_start`` and the last ``keep_end`` starred; a value too
    short for that keeps only its end, and at least four characters starred (``12345`` → ``****5``)."""
    value = value.strip()
    if len(value) <= keep_start + keep_end + 1:
        keep_start, keep_end = 0, min(2, max(len(value) - 4, 0))
    return value[:keep_start] + "*" * (len(value) - keep_start - keep_end) + value[len(value) - keep_end :]


def mask_id_number(value: str) -> str:
    """500228199001011234 → 500228********1234: the region and the last four tell two namesakes apart."""
    return mask_middle(value, 6, 4)


def mask_phone(value: str) -> str:
    """13800001234 → 138****1234."""
    return mask_middle(value, 3, 4)
