"""A policy version entry carries each policy file as it stood, recoverable byte for byte from the ledger alone."""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any

import pytest

from service.ledger.canonical import canonical_json, parse_entry
from service.policy.recorded import file_hash, policy_entry_body, recorded_contents
from service.policy.versions import policy_files

POLICIES = Path(__file__).resolve().parents[2] / "policies"


def through_the_ledger(body: dict[str, Any]) -> dict[str, Any]:
    """The body as a verifier reads it back: canonical JSON (NFC text), then parsed."""
    entry = {
        "kind": "caseledger.entry/v1",
        "agency": "tiemen",
        "stream": "policies",
        "seq": 0,
        "type": "agency:policies:loaded",
        "actor": "system:test",
        "claimed_at": "2026-06-01T01:00:00.000000Z",
        "recorded_at": "2026-06-01T01:00:00.000000Z",
        "prev": None,
        "body": body,
    }
    return dict(parse_entry(canonical_json(entry)).body)


def test_every_policy_file_is_recorded_as_text_that_hashes_to_its_version() -> None:
    files = policy_files(POLICIES)
    body = through_the_ledger(policy_entry_body(files))
    assert body["files"] == {name: file_hash(content) for name, content in files.items()}
    assert "contents_base64" not in body
    assert recorded_contents(body) == files


def test_a_file_whose_text_the_ledger_would_normalise_is_recorded_byte_for_byte() -> None:
    # U+F900 (a CJK compatibility ideograph) becomes U+8C48 under NFC; a file with it must not lose it.
    decomposable = "name: {zh: \uf900}\n".encode()
    assert unicodedata.normalize("NFC", decomposable.decode()).encode() != decomposable
    files = {"roles.yaml": b"roles: {}\n", "workflows/general.yaml": decomposable, "odd.yaml": b"\xff\xfe"}
    body = through_the_ledger(policy_entry_body(files))
    assert sorted(body["contents_base64"]) == ["odd.yaml", "workflows/general.yaml"]
    assert recorded_contents(body) == files


def test_an_entry_written_before_contents_were_recorded_carries_none() -> None:
    assert recorded_contents({"files": {"roles.yaml": file_hash(b"x")}}) == {}


@pytest.mark.parametrize(
    "body",
    [
        {"files": {}, "contents": ["roles.yaml"]},
        {"files": {}, "contents": {"roles.yaml": 1}},
        {"files": {}, "contents": {}, "contents_base64": {"roles.yaml": "not base64!"}},
        {"files": {}, "contents": {"roles.yaml": "x"}, "contents_base64": {"roles.yaml": "eA=="}},
    ],
    ids=["contents-not-an-object", "content-not-text", "not-base64", "recorded-twice"],
)
def test_a_malformed_entry_is_refused(body: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        recorded_contents(body)
