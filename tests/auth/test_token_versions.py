"""A token stops working when a change ends the user's sessions: a password changed or reset, the user disabled
or enabled, their roles changed, or "log out everywhere". The version is a fold of the user's ledger stream."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from service.auth.models import User
from service.ledger.audit import agency_logs, verify_replay
from service.runtime import Runtime
from tests.auth.conftest import Auth
from tests.conftest import PASSWORD


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> dict[str, str]:
    response = client.post("/api/v1/auth/token", data={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def works(client: TestClient, headers: dict[str, str]) -> bool:
    status = client.get("/api/v1/auth/me", headers=headers).status_code
    assert status in (200, 401)
    return status == 200


def test_a_token_is_refused_after_an_admin_resets_the_password(
    client: TestClient, auth: Auth, user_id_of: Callable[[str], uuid.UUID]
) -> None:
    old = sign_in(client, "officer1")
    reset = client.put(
        f"/api/v1/users/{user_id_of('officer1')}/password", headers=auth("admin"), json={"password": "n" * 16}
    )
    assert reset.status_code == 204
    assert not works(client, old)
    assert works(client, sign_in(client, "officer1", "n" * 16))


def test_a_token_is_refused_after_its_user_changes_the_password(client: TestClient) -> None:
    old, other_session = sign_in(client, "officer2"), sign_in(client, "officer2")
    changed = client.put(
        "/api/v1/auth/password", headers=old, json={"current_password": PASSWORD, "new_password": "m" * 16}
    )
    assert changed.status_code == 204, changed.text
    assert not works(client, old)
    assert not works(client, other_session)
    assert client.post("/api/v1/auth/token", data={"username": "officer2", "password": PASSWORD}).status_code == 401
    assert works(client, sign_in(client, "officer2", "m" * 16))


def test_changing_the_password_needs_the_current_one_and_changes_nothing_without_it(client: TestClient) -> None:
    headers = sign_in(client, "officer2")
    refused = client.put(
        "/api/v1/auth/password", headers=headers, json={"current_password": "not it at all", "new_password": "m" * 16}
    )
    assert refused.status_code == 403
    assert works(client, headers)
    assert works(client, sign_in(client, "officer2"))


def test_a_token_is_refused_after_the_user_is_disabled_and_still_after_re_enabling(
    client: TestClient, auth: Auth, user_id_of: Callable[[str], uuid.UUID]
) -> None:
    old = sign_in(client, "officer3")
    officer3 = user_id_of("officer3")
    assert client.post(f"/api/v1/users/{officer3}/disable", headers=auth("admin")).status_code == 200
    assert not works(client, old)
    assert client.post(f"/api/v1/users/{officer3}/enable", headers=auth("admin")).status_code == 200
    assert not works(client, old)
    assert works(client, sign_in(client, "officer3"))


def test_a_token_issued_while_disabled_cannot_exist_and_one_from_before_is_refused_after_enabling(
    client: TestClient, auth: Auth, token: Callable[[str], str], user_id_of: Callable[[str], uuid.UUID]
) -> None:
    """Even a token minted between disable and enable (by a stolen key, say) dies at the enable."""
    officer3 = user_id_of("officer3")
    assert client.post(f"/api/v1/users/{officer3}/disable", headers=auth("admin")).status_code == 200
    minted_while_disabled = {"Authorization": f"Bearer {token('officer3')}"}
    assert client.post(f"/api/v1/users/{officer3}/enable", headers=auth("admin")).status_code == 200
    assert not works(client, minted_while_disabled)


def test_a_token_is_refused_after_a_change_of_roles(
    client: TestClient, auth: Auth, user_id_of: Callable[[str], uuid.UUID]
) -> None:
    old = sign_in(client, "head2")
    changed = client.put(
        f"/api/v1/users/{user_id_of('head2')}/roles", headers=auth("admin"), json={"roles": ["supervisor"]}
    )
    assert changed.status_code == 200
    assert not works(client, old)
    new = sign_in(client, "head2")
    assert client.get("/api/v1/auth/me", headers=new).json()["roles"] == ["supervisor"]


def test_logout_ends_only_the_session_it_was_sent_with(client: TestClient) -> None:
    first, second = sign_in(client, "reviewer"), sign_in(client, "reviewer")
    assert client.post("/api/v1/auth/logout", headers=first).status_code == 204
    assert not works(client, first)
    assert works(client, second)


def test_logout_everywhere_ends_every_session_of_the_user_and_no_one_elses(client: TestClient) -> None:
    sessions = [sign_in(client, "reviewer") for _ in range(3)]
    bystander = sign_in(client, "head")
    assert client.post("/api/v1/auth/logout-everywhere", headers=sessions[0]).status_code == 204
    assert not any(works(client, s) for s in sessions)
    assert works(client, bystander)
    assert works(client, sign_in(client, "reviewer"))


@pytest.mark.parametrize(
    ("who", "method", "path", "body"),
    [
        ("admin", "PUT", "/api/v1/users/{head3}/password", {"password": "r" * 16}),
        ("admin", "POST", "/api/v1/users/{head3}/disable", None),
        ("admin", "PUT", "/api/v1/users/{head3}/roles", {"roles": ["head", "supervisor"]}),
        ("head3", "PUT", "/api/v1/auth/password", {"current_password": PASSWORD, "new_password": "r" * 16}),
        ("head3", "POST", "/api/v1/auth/logout-everywhere", None),
    ],
)
def test_each_ending_moves_the_version_by_one_entry_and_replay_agrees(
    client: TestClient,
    auth: Auth,
    user_id_of: Callable[[str], uuid.UUID],
    runtime: Runtime,
    integrate: Callable[..., object],
    who: str,
    method: str,
    path: str,
    body: dict[str, object] | None,
) -> None:
    head3 = user_id_of("head3")

    def version() -> int | None:
        with runtime.database.transaction(write=False) as session:
            return session.scalar(sa.select(User.token_version).where(User.id == head3))

    before = version()
    assert before is not None
    response = client.request(method, path.format(head3=head3), headers=auth(who), json=body)
    assert response.status_code in (200, 204), response.text
    assert version() == before + 1
    integrate(force_checkpoint=True)
    with runtime.database.transaction(write=False) as session:
        (log,) = agency_logs(session, "tiemen")
    assert verify_replay(runtime.database, [log], only_agency=log.agency_id) > 0
