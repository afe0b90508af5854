"""Ed25519 signatures of people (reviewers, heads) over statements: the pure check, shared with bundles."""

from __future__ import annotations

import hashlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from service.ledger.errors import VerificationError


def signing_key_id(public_key: bytes) -> str:
    """The first 8 bytes of SHA-256 of a domain tag and the raw public key, in hex."""
    return hashlib.sha256(b"caseledger-signing-key\n" + public_key).hexdigest()[:16]


def verify_ed25519(public_key: bytes, message: bytes, signature: bytes) -> None:
    if len(public_key) != 32:
        raise VerificationError(f"an Ed25519 public key is 32 bytes, got {len(public_key)}")
    if len(signature) != 64:
        raise VerificationError(f"an Ed25519 signature is 64 bytes, got {len(signature)}")
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        raise VerificationError("the signature does not verify with the signer's registered key") from None
