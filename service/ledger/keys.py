"""Checkpoint-signing keys: one Ed25519 key per agency, kept in a file outside the database.

Whoever controls the database must not be able to sign a checkpoint; so the key lives under the data
directory's ``keys/`` with mode 0600, and only its public verifier key is recorded in the ledger.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from service.keyfiles import write_private_file

AGENCY_CODE = re.compile(r"^[a-z][a-z0-9-]{1,49}$")


def agency_key_path(keys_dir: Path, agency_code: str) -> Path:
    if not AGENCY_CODE.match(agency_code):
        raise ValueError(f"invalid agency code {agency_code!r}")
    return keys_dir / "agencies" / f"{agency_code}.ed25519.pem"


def load_agency_key(keys_dir: Path, agency_code: str) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(agency_key_path(keys_dir, agency_code).read_bytes(), None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"checkpoint key of {agency_code} is not an Ed25519 key")
    return key


def ensure_agency_key(keys_dir: Path, agency_code: str) -> Ed25519PrivateKey:
    """The agency's key, created on first use.

    A key left behind by a transaction that rolled back is reused rather than replaced, so the file and
    the verifier key recorded in the ledger always agree.
    """
    path = agency_key_path(keys_dir, agency_code)
    if not path.exists():
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        with contextlib.suppress(FileExistsError):  # created concurrently: load the winner's key
            write_private_file(path, pem)
    return load_agency_key(keys_dir, agency_code)
