"""The signer's side of ``caseledger sign``: fetch the statement, show it, sign it locally, submit the signature.

The private key is read from the signer's own file and used here only; what goes to the server is the
signature and the key id.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from service.keyfiles import write_private_file
from service.signing.statements import key_id, sign


def generate_key(path: Path) -> tuple[str, str]:
    """Write a new Ed25519 private key (mode 0600); return (public key base64, key id)."""
    key = Ed25519PrivateKey.generate()
    write_private_file(
        path,
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()),
    )
    return public_key_of(key)


def public_key_of(key: Ed25519PrivateKey) -> tuple[str, str]:
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii"), key_id(raw)


def load_key(path: Path) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} is not an Ed25519 private key")
    return key


def statement_paths(case_id: str, review_id: str | None, purpose: str | None) -> tuple[str, str]:
    base = f"/api/v1/cases/{case_id}"
    if review_id:
        return f"{base}/reviews/{review_id}/statement", f"{base}/reviews/{review_id}/signature"
    assert purpose in ("decision", "collective_discussion")
    return f"{base}/signoffs/{purpose}/statement", f"{base}/signoffs/{purpose}/signature"


def fetch_statement(http: httpx.Client, path: str) -> tuple[bytes, dict[str, Any]]:
    response = http.get(path)
    response.raise_for_status()
    body = response.json()
    raw = base64.b64decode(body["statement"])
    if json.loads(raw) != body["content"]:
        raise ValueError("the server's statement and its readable form differ: not signing")
    return raw, body["content"]


def submit(http: httpx.Client, path: str, key: Ed25519PrivateKey, statement: bytes) -> httpx.Response:
    _, kid = public_key_of(key)
    signature = base64.b64encode(sign(key, statement)).decode("ascii")
    return http.post(path, json={"key_id": kid, "signature": signature})
