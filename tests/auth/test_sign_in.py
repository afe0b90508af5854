"""Signing in (OAuth2 password flow), who am I, logout, disabled users. Throttling: test_throttle.py."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from service.agencies.service import get_agency_by_code
from service.auth.users import find_user, set_disabled
from service.runtime import Runtime
from tests.conftest import PASSWORD


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> dict[str, object]:
    response = client.post("/api/v1/auth/token", data={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return response.json()


def test_a_user_gets_a_short_lived_bearer_token_and_reads_me(client: TestClient) -> None:
    body = sign_in(client, "officer1")
    assert body["token_type"] == "bearer"
    assert 0 < body["expires_in"] <= 900
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert me.json()["username"] == "officer1"
    assert me.json()["agency"] == {"code": "tiemen", "name": "铁门乡人民政府"}
    assert "case:create" in me.json()["permissions"]
    # The officer the account is: the id steps and cases name officers by, which is not the user's.
    officers = client.get("/api/v1/officers", headers={"Authorization": f"Bearer {body['access_token']}"}).json()
    mine = next(o for o in officers if o["user_id"] == me.json()["user_id"])
    assert me.json()["officer_id"] == mine["id"] != me.json()["user_id"]


def test_an_account_that_is_no_officer_has_no_officer_id(client: TestClient) -> None:
    token = sign_in(client, "admin")["access_token"]
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.json()["officer_id"] is None


def test_wrong_password_and_unknown_user_get_the_same_401(client: TestClient) -> None:
    wrong = client.post("/api/v1/auth/token", data={"username": "officer1", "password": "not the password"})
    unknown = client.post("/api/v1/auth/token", data={"username": "nobody", "password": "not the password"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["detail"] == unknown.json()["detail"]
    assert wrong.headers["content-type"] == "application/problem+json"


def test_logout_revokes_the_token(client: TestClient) -> None:
    token = sign_in(client, "officer2")["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401


def test_a_disabled_users_tokens_stop_working_at_once(
    client: TestClient, runtime: Runtime, auth: Callable[[str], dict[str, str]]
) -> None:
    headers = auth("officer3")
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200
    with runtime.database.transaction() as session:
        user = find_user(session, "officer3")
        set_disabled(
            session,
            get_agency_by_code(session, "tiemen"),
            user,
            True,
            duties=runtime.roles.duties,
            actor="system:test",
            at=runtime.clock.now(),
        )
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401
    assert client.post("/api/v1/auth/token", data={"username": "officer3", "password": PASSWORD}).status_code == 401


def test_no_token_is_401_with_www_authenticate(client: TestClient) -> None:
    response = client.get("/api/v1/auth/me")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
