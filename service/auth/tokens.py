"""Access tokens. The ONLY module that imports python-jose.

python-jose is poorly maintained, so it is pinned, kept here, and used narrowly: one asymmetric algorithm
(ES256), an explicit allow-list on decode, every registered claim required and checked, the header checked
before jose sees the token, and a hard size cap so that a huge token costs nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from jose import jwt
from jose.exceptions import JOSEError

from service.keyfiles import write_private_file

ALGORITHM = "ES256"
MAX_TOKEN_BYTES = 4096
REQUIRED_CLAIMS = ("exp", "iat", "nbf", "sub", "aud", "iss", "jti")
# The user's token version when the token was issued (service/auth/users.py): a private claim, required too.
VERSION_CLAIM = "ver"
LEEWAY_SECONDS = 5
# Tokens whose signature and claims this process has checked, by their exact text (each worker keeps its own). A
# token is valid or not by its bytes and the key alone, so this is never stale: what changes — its time, the user's
# state, its version, its revocation — is checked on every request all the same (``verify`` below; the principal's
# statement in service/auth/deps.py). A refused token is not kept.
VERIFIED_TOKENS_KEPT = 1024


class InvalidToken(Exception):
    """The token is not one this service issued, or it is no longer valid. The reason is for logs only."""


@dataclass(frozen=True)
class Claims:
    subject: uuid.UUID
    token_id: uuid.UUID
    token_version: int
    issued_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class _Checked:
    """A token whose signature and claims were checked, but its time: its time claims, and the claims it gives."""

    exp: int
    nbf: int
    iat: int
    claims: Claims


@dataclass(frozen=True)
class IssuedToken:
    token: str
    token_id: uuid.UUID
    expires_at: datetime
    expires_in: int


def generate_key_file(path: Path) -> None:
    """Write a new P-256 private key (PKCS#8 PEM) with mode 0600; never overwrite an existing key."""
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    write_private_file(path, pem)


class TokenService:
    def __init__(self, private_key_pem: bytes, *, issuer: str, audience: str, lifetime: timedelta) -> None:
        key = serialization.load_pem_private_key(private_key_pem, password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
            raise ValueError("the token signing key must be an EC P-256 key (ES256)")
        self._private_pem = private_key_pem.decode("ascii")
        self.public_key_pem = (
            key.public_key()
            .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
            .decode("ascii")
        )
        self.issuer = issuer
        self.audience = audience
        self.lifetime = lifetime
        # Per instance: a service with another key (or issuer, audience) checks every token afresh.
        self._checked = lru_cache(maxsize=VERIFIED_TOKENS_KEPT)(self._check_claims)

    @classmethod
    def from_file(cls, path: Path, *, issuer: str, audience: str, lifetime: timedelta) -> TokenService:
        return cls(path.read_bytes(), issuer=issuer, audience=audience, lifetime=lifetime)

    def issue(self, subject: uuid.UUID, token_version: int, now: datetime) -> IssuedToken:
        token_id = uuid.uuid4()
        expires_at = now + self.lifetime
        claims = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": str(subject),
            "jti": str(token_id),
            "iat": int(now.timestamp()),
            "nbf": int(now.timestamp()),
            "exp": int(expires_at.timestamp()),
            VERSION_CLAIM: token_version,
        }
        token = jwt.encode(claims, self._private_pem, algorithm=ALGORITHM)
        return IssuedToken(token, token_id, expires_at, int(self.lifetime.total_seconds()))

    def _check_signature(self, token: str) -> Mapping[str, Any]:
        """The token's claims if this service signed it for this audience and issuer; nothing here depends on
        the time (``verify`` checks it), so the answer for one token never changes."""
        try:
            header = jwt.get_unverified_header(token)
        except JOSEError as exc:
            raise InvalidToken(f"malformed header: {exc}") from exc
        # Refuse alg "none", HS256-with-the-public-key and every other algorithm before jose decides.
        if header.get("alg") != ALGORITHM or "jku" in header or "jwk" in header or "x5u" in header:
            raise InvalidToken(f"algorithm or header not accepted: {header.get('alg')!r}")
        try:
            payload = jwt.decode(
                token,
                self.public_key_pem,
                algorithms=[ALGORITHM],
                audience=self.audience,
                issuer=self.issuer,
                options={
                    "verify_signature": True,
                    "verify_aud": True,
                    "verify_iat": True,
                    # exp and nbf are checked below against the service's clock, not the host's.
                    "verify_exp": False,
                    "verify_nbf": False,
                    "verify_iss": True,
                    "verify_sub": True,
                    "verify_jti": True,
                    "verify_at_hash": False,
                    # jose turns verify_* back on for every require_*, and would then check exp and nbf against
                    # the host's clock; those two are required and checked below instead.
                    **{f"require_{claim}": True for claim in REQUIRED_CLAIMS if claim not in ("exp", "nbf")},
                    "leeway": LEEWAY_SECONDS,
                },
            )
        except JOSEError as exc:
            raise InvalidToken(str(exc)) from exc
        return MappingProxyType(payload)

    def verify(self, token: str, now: datetime) -> Claims:
        if len(token) > MAX_TOKEN_BYTES:
            raise InvalidToken("token too large")
        checked = self._checked(token)
        stamp = now.timestamp()
        if (
            stamp >= checked.exp + LEEWAY_SECONDS
            or stamp < checked.nbf - LEEWAY_SECONDS
            or checked.iat > stamp + LEEWAY_SECONDS
        ):
            raise InvalidToken("token not valid at this time")
        return checked.claims

    def _check_claims(self, token: str) -> _Checked:
        """The token's signature and every claim but what depends on the time, checked: the same answer for the same
        token whatever the time (``verify`` keeps it, and checks the time on every use)."""
        payload = self._check_signature(token)
        if any(claim not in payload for claim in (*REQUIRED_CLAIMS, VERSION_CLAIM)):
            raise InvalidToken("a required claim is missing")
        version = payload[VERSION_CLAIM]
        if type(version) is not int or version < 0:  # bool is an int to isinstance
            raise InvalidToken("the token version must be a non-negative integer")
        exp, nbf, iat = payload["exp"], payload["nbf"], payload["iat"]
        if not all(isinstance(v, int) for v in (exp, nbf, iat)):
            raise InvalidToken("time claims must be integers")
        if exp - iat > self.lifetime.total_seconds():
            raise InvalidToken("token lifetime longer than this service issues")
        try:
            subject = uuid.UUID(payload["sub"])
            token_id = uuid.UUID(payload["jti"])
        except (ValueError, TypeError, AttributeError) as exc:
            raise InvalidToken("sub and jti must be UUIDs") from exc
        claims = Claims(
            subject=subject,
            token_id=token_id,
            token_version=version,
            issued_at=datetime.fromtimestamp(iat, UTC),
            expires_at=datetime.fromtimestamp(exp, UTC),
        )
        return _Checked(exp, nbf, iat, claims)
