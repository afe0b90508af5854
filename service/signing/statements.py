"""Statements that people sign with their own Ed25519 keys, and checking those signatures. Pure.

The server publishes the exact canonical bytes to sign (RFC 8785 JSON naming the purpose, agency, case, the
frozen chain head, the content and the time); the signer's tool signs them locally and only the signature
comes back. The server never holds a private key, so it cannot forge a reviewer's or a head's signature.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from service.ledger.canonical import canonical_json
from service.ledger.signatures import signing_key_id, verify_ed25519

STATEMENT_KIND = "caseledger.statement/v1"
PURPOSES = frozenset({"legal_review", "decision", "collective_discussion"})


def statement_bytes(purpose: str, fields: Mapping[str, Any]) -> bytes:
    if purpose not in PURPOSES:
        raise ValueError(f"unknown purpose {purpose!r}")
    return canonical_json({"kind": STATEMENT_KIND, "purpose": purpose, **fields})


def key_id(public_key: bytes) -> str:
    """How a signature names its key (shared with the offline verifier)."""
    return signing_key_id(public_key)


def public_key_from_text(text: str) -> bytes:
    """A raw 32-byte Ed25519 public key from base64 (or a PEM SubjectPublicKeyInfo)."""
    text = text.strip()
    if text.startswith("-----BEGIN"):
        key = serialization.load_pem_public_key(text.encode())
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("not an Ed25519 public key")
        return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    raw = base64.b64decode(text, validate=True)
    if len(raw) != 32:
        raise ValueError(f"an Ed25519 public key is 32 bytes, got {len(raw)}")
    Ed25519PublicKey.from_public_bytes(raw)
    return raw


def sign(private_key: Ed25519PrivateKey, statement: bytes) -> bytes:
    return private_key.sign(statement)


def verify_signature(public_key: bytes, statement: bytes, signature: bytes) -> None:
    verify_ed25519(public_key, statement, signature)
