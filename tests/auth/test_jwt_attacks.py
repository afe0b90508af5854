"""The known attacks on JWT validation, each refused with 401 and nothing else."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, hmac, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi.testclient import TestClient
from jose import jwt

from service.agencies.service import get_agency_by_code
from service.auth.models import User
from service.auth.tokens import LEEWAY_SECONDS
from service.auth.users import find_user, set_disabled
from service.clock import FixedClock
from service.runtime import Runtime


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def claims_for(runtime: Runtime, user_id: uuid.UUID, **override: Any) -> dict[str, Any]:
    now = int(runtime.clock.now().timestamp())
    with runtime.database.transaction(write=False) as session:
        user = session.get(User, user_id)
        assert user is not None
    claims: dict[str, Any] = {
        "iss": runtime.settings.token_issuer,
        "aud": runtime.settings.token_audience,
        "sub": str(user_id),
        "jti": str(uuid.uuid4()),
        "iat": now,
        "nbf": now,
        "exp": now + 600,
        "ver": user.token_version,
    }
    claims.update(override)
    return {k: v for k, v in claims.items() if v is not None}


def hs256(payload: dict[str, Any], key: bytes) -> str:
    header = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = b64url(json.dumps(payload).encode())
    mac = hmac.HMAC(key, hashes.SHA256())
    mac.update(f"{header}.{body}".encode())
    return f"{header}.{body}.{b64url(mac.finalize())}"


@pytest.fixture
def user_id(runtime: Runtime) -> uuid.UUID:
    with runtime.database.transaction(write=False) as session:
        return find_user(session, "officer1").id


@pytest.fixture
def server_private_pem(runtime: Runtime) -> str:
    return (runtime.settings.keys_dir / "token-es256.pem").read_text()


def assert_refused(client: TestClient, token: str) -> None:
    response = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "not_authenticated"


def test_a_valid_token_is_accepted(
    client: TestClient, runtime: Runtime, user_id: uuid.UUID, server_private_pem: str
) -> None:
    token = jwt.encode(claims_for(runtime, user_id), server_private_pem, algorithm="ES256")
    assert client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_alg_none_is_refused(client: TestClient, runtime: Runtime, user_id: uuid.UUID) -> None:
    header = b64url(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    body = b64url(json.dumps(claims_for(runtime, user_id)).encode())
    assert_refused(client, f"{header}.{body}.")


@pytest.mark.parametrize("encoding", ["pem", "der"])
def test_hs256_signed_with_the_servers_public_key_is_refused(
    client: TestClient, runtime: Runtime, user_id: uuid.UUID, encoding: str
) -> None:
    public_pem = runtime.tokens.public_key_pem.encode()
    key = public_pem
    if encoding == "der":
        key = serialization.load_pem_public_key(public_pem).public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    assert_refused(client, hs256(claims_for(runtime, user_id), key))


def test_expired_token_is_refused(
    client: TestClient, runtime: Runtime, user_id: uuid.UUID, server_private_pem: str
) -> None:
    now = int(runtime.clock.now().timestamp())
    claims = claims_for(runtime, user_id, iat=now - 1000, nbf=now - 1000, exp=now - 100)
    assert_refused(client, jwt.encode(claims, server_private_pem, algorithm="ES256"))


def test_a_token_accepted_before_is_refused_once_it_expires(
    client: TestClient, runtime: Runtime, user_id: uuid.UUID, server_private_pem: str, clock: FixedClock
) -> None:
    """Its signature and claims are checked once per process and kept; its time is checked on every request."""
    now = int(runtime.clock.now().timestamp())
    token = jwt.encode(claims_for(runtime, user_id, exp=now + 60), server_private_pem, algorithm="ES256")
    assert client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    clock.advance(seconds=60 + LEEWAY_SECONDS)
    assert_refused(client, token)


def test_not_yet_valid_token_is_refused(
    client: TestClient, runtime: Runtime, user_id: uuid.UUID, server_private_pem: str
) -> None:
    now = int(runtime.clock.now().timestamp())
    claims = claims_for(runtime, user_id, nbf=now + 300, exp=now + 600)
    assert_refused(client, jwt.encode(claims, server_private_pem, algorithm="ES256"))


@pytest.mark.parametrize("claim", ["aud", "iss"])
def test_wrong_audience_or_issuer_is_refused(
    client: TestClient, runtime: Runtime, user_id: uuid.UUID, server_private_pem: str, claim: str
) -> None:
    claims = claims_for(runtime, user_id, **{claim: "someone-else"})
    assert_refused(client, jwt.encode(claims, server_private_pem, algorithm="ES256"))


@pytest.mark.parametrize("claim", ["exp", "iat", "nbf", "sub", "aud", "iss", "jti", "ver"])
def test_a_missing_required_claim_is_refused(
    client: TestClient, runtime: Runtime, user_id: uuid.UUID, server_private_pem: str, claim: str
) -> None:
    claims = claims_for(runtime, user_id)
    del claims[claim]
    assert_refused(client, jwt.encode(claims, server_private_pem, algorithm="ES256"))


def test_tampered_payload_is_refused(
    client: TestClient, runtime: Runtime, user_id: uuid.UUID, token: Callable[[str], str]
) -> None:
    header, _body, signature = token("officer1").split(".")
    forged = b64url(json.dumps(claims_for(runtime, user_id, sub=str(uuid.uuid4()))).encode())
    assert_refused(client, f"{header}.{forged}.{signature}")


def test_token_signed_by_another_es256_key_is_refused(client: TestClient, runtime: Runtime, user_id: uuid.UUID) -> None:
    other = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    assert_refused(client, jwt.encode(claims_for(runtime, user_id), other.decode(), algorithm="ES256"))


def test_token_longer_than_the_service_issues_is_refused(
    client: TestClient, runtime: Runtime, user_id: uuid.UUID, server_private_pem: str
) -> None:
    now = int(runtime.clock.now().timestamp())
    claims = claims_for(runtime, user_id, exp=now + int(timedelta(days=30).total_seconds()))
    assert_refused(client, jwt.encode(claims, server_private_pem, algorithm="ES256"))


def test_token_of_a_disabled_user_is_refused(client: TestClient, runtime: Runtime, token: Callable[[str], str]) -> None:
    issued = token("officer2")
    with runtime.database.transaction() as session:
        user = find_user(session, "officer2")
        set_disabled(
            session,
            get_agency_by_code(session, "tiemen"),
            user,
            True,
            duties=runtime.roles.duties,
            actor="system:test",
            at=runtime.clock.now(),
        )
    assert_refused(client, issued)


def test_a_token_of_several_hundred_kb_is_refused(
    client: TestClient, runtime: Runtime, user_id: uuid.UUID, server_private_pem: str
) -> None:
    claims = claims_for(runtime, user_id, padding="x" * 400_000)
    assert_refused(client, jwt.encode(claims, server_private_pem, algorithm="ES256"))


@pytest.mark.parametrize(
    "garbage", [b"", b"a.b", b"a.b.c", b"....", b"eyJhbGciOiJFUzI1NiJ9.e30.", "\u00e9.\u00e9.\u00e9".encode()]
)
def test_malformed_tokens_are_refused(client: TestClient, garbage: bytes) -> None:
    response = client.get("/api/v1/auth/me", headers={"Authorization": b"Bearer " + garbage})
    assert response.status_code == 401


@pytest.mark.parametrize("version", [-1, "1", 1.0, True, None])
def test_a_token_version_that_is_not_a_non_negative_integer_is_refused(
    client: TestClient, runtime: Runtime, user_id: uuid.UUID, server_private_pem: str, version: object
) -> None:
    claims = claims_for(runtime, user_id)
    claims["ver"] = version
    assert_refused(client, jwt.encode(claims, server_private_pem, algorithm="ES256"))


def test_a_token_of_another_version_is_refused(
    client: TestClient, runtime: Runtime, user_id: uuid.UUID, server_private_pem: str
) -> None:
    claims = claims_for(runtime, user_id)
    claims["ver"] += 1
    assert_refused(client, jwt.encode(claims, server_private_pem, algorithm="ES256"))
