"""Password hashing with Argon2id (pwdlib)."""

from __future__ import annotations

from functools import lru_cache

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024


@lru_cache(maxsize=1)
def _hasher() -> PasswordHash:
    return PasswordHash((Argon2Hasher(),))


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    # Verified against when the username is unknown, so that an unknown user costs the same time as a
    # wrong password and does not reveal which usernames exist.
    return _hasher().hash("caseledger-timing-equaliser")


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password: str, stored_hash: str | None) -> bool:
    if len(password) > MAX_PASSWORD_LENGTH:
        _hasher().verify("x", _dummy_hash())
        return False
    if stored_hash is None:
        _hasher().verify(password, _dummy_hash())
        return False
    return _hasher().verify(password, stored_hash)


def password_problems(password: str) -> list[str]:
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(f"at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        problems.append(f"at most {MAX_PASSWORD_LENGTH} characters")
    return problems
