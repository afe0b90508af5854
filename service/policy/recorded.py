"""What a policy version entry (``agency:policies:loaded``) says, written and read back without a database.

The entry names each policy file's SHA-256 under ``files`` and carries the file itself, so that the rules in
force at any point (the workflows a case was checked under, the roles, the calendar file) can be recovered from
the ledger alone, and a verifier re-runs each case through the procedure as it stood. A file is recorded as its
text under ``contents`` when the text reproduces its bytes exactly; the ledger normalises text to NFC, so a file
whose text is not NFC (or not UTF-8) is recorded byte for byte, base64-encoded, under ``contents_base64``.
Entries written before contents were recorded have ``files`` alone.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import unicodedata
from collections.abc import Mapping
from typing import Any

POLICY_STREAM = "policies"
POLICY_ENTRY = "agency:policies:loaded"


def file_hash(content: bytes) -> str:
    """A policy file's version as ``files`` records it: the hex SHA-256 of its bytes."""
    return hashlib.sha256(content).hexdigest()


def policy_entry_body(files: Mapping[str, bytes]) -> dict[str, Any]:
    """The body of an ``agency:policies:loaded`` entry for the policy files ``files`` (name to bytes)."""
    texts: dict[str, str] = {}
    raw: dict[str, str] = {}
    for name, content in sorted(files.items()):
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        if text is not None and unicodedata.normalize("NFC", text) == text:
            texts[name] = text
        else:
            raw[name] = base64.b64encode(content).decode("ascii")
    body: dict[str, Any] = {"files": {name: file_hash(content) for name, content in files.items()}, "contents": texts}
    if raw:
        body["contents_base64"] = raw
    return body


def recorded_contents(body: Mapping[str, Any]) -> dict[str, bytes]:
    """The files whose content the entry carries, as bytes (none for an entry written before contents were
    recorded). Raises ValueError when the entry is not shaped as ``policy_entry_body`` writes it."""
    texts = body.get("contents", {})
    raw = body.get("contents_base64", {})
    if not isinstance(texts, Mapping) or not isinstance(raw, Mapping):
        raise ValueError("contents and contents_base64 must be objects")
    out: dict[str, bytes] = {}
    for name, text in texts.items():
        if not isinstance(text, str):
            raise ValueError(f"the content of {name} is not text")
        out[name] = text.encode("utf-8")
    for name, encoded in raw.items():
        if not isinstance(encoded, str) or name in out:
            raise ValueError(f"the base64 content of {name} is not text, or {name} is recorded twice")
        try:
            out[name] = base64.b64decode(encoded, validate=True)
        except binascii.Error as exc:
            raise ValueError(f"the base64 content of {name} is not base64: {exc}") from None
    return out
