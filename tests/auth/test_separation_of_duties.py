"""Separation of duties (policies/roles.yaml: separation_of_duties), issue 17.

Whoever administers users and approves signing keys neither writes case records nor signs; nobody changes
their own roles or approves their own key; an agency always keeps an active admin. Every refusal is a 409
``separation_of_duties`` naming the rule, and writes nothing.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient

from service.agencies.service import agency_ref, get_agency_by_code
from service.auth.models import User
from service.auth.users import find_user, set_roles, user_stream
from service.errors import SeparationOfDutiesRefusal
from service.ledger.projection import record
from service.runtime import Runtime
from service.signing.client import public_key_of
from tests.auth.conftest import Auth

State = Callable[[], tuple[int, list[tuple[Any, ...]]]]


def assert_refused_by(response: Any, rule: str) -> None:
    assert response.status_code == 409, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "separation_of_duties"
    assert problem["rule"] == rule


def test_admin_cannot_grant_itself_head(
    client: TestClient, auth: Auth, user_id_of: Callable[[str], uuid.UUID], recorded_state: State
) -> None:
    before = recorded_state()
    response = client.put(
        f"/api/v1/users/{user_id_of('admin')}/roles", headers=auth("admin"), json={"roles": ["admin", "head"]}
    )
    assert_refused_by(response, "change_own_roles")
    assert recorded_state() == before


def test_nobody_changes_their_own_roles_even_to_give_one_up(
    client: TestClient, auth: Auth, user_id_of: Callable[[str], uuid.UUID], second_admin: str, recorded_state: State
) -> None:
    before = recorded_state()
    response = client.put(
        f"/api/v1/users/{user_id_of('admin')}/roles", headers=auth("admin"), json={"roles": ["supervisor"]}
    )
    assert_refused_by(response, "change_own_roles")
    assert recorded_state() == before


@pytest.mark.parametrize("writer", ["officer", "reviewer", "head"])
def test_admin_cannot_create_an_account_that_is_also_a_role_that_writes_or_signs(
    client: TestClient, auth: Auth, recorded_state: State, writer: str
) -> None:
    before = recorded_state()
    response = client.post(
        "/api/v1/users",
        headers=auth("admin"),
        json={"username": "dual", "roles": ["admin", writer], "password": "p" * 16},
    )
    assert_refused_by(response, "incompatible_roles")
    assert response.json()["pairs"] == [sorted(["admin", writer])]
    assert recorded_state() == before


def test_admin_cannot_give_another_user_admin_and_head(
    client: TestClient, auth: Auth, user_id_of: Callable[[str], uuid.UUID], recorded_state: State
) -> None:
    before = recorded_state()
    response = client.put(
        f"/api/v1/users/{user_id_of('head2')}/roles", headers=auth("admin"), json={"roles": ["head", "admin"]}
    )
    assert_refused_by(response, "incompatible_roles")
    assert recorded_state() == before


def test_roles_that_may_be_combined_still_are(
    client: TestClient, auth: Auth, user_id_of: Callable[[str], uuid.UUID]
) -> None:
    response = client.put(
        f"/api/v1/users/{user_id_of('head2')}/roles", headers=auth("admin"), json={"roles": ["head", "supervisor"]}
    )
    assert response.status_code == 200, response.text
    assert response.json()["roles"] == ["head", "supervisor"]


def test_the_command_line_refuses_admin_with_officer(
    cli: Callable[..., Any], recorded_state: State, runtime: Runtime
) -> None:
    before = recorded_state()
    result = cli(
        "user", "add", "--agency", "tiemen", "--username", "dual", "--role", "admin", "--role", "officer",
        "--password-stdin", input="a long enough password\n",
    )  # fmt: skip
    assert result.exit_code == 1
    assert "admin+officer" in result.output
    assert recorded_state() == before


def test_the_last_active_admin_cannot_be_disabled(
    client: TestClient, auth: Auth, user_id_of: Callable[[str], uuid.UUID], recorded_state: State
) -> None:
    before = recorded_state()
    response = client.post(f"/api/v1/users/{user_id_of('admin')}/disable", headers=auth("admin"))
    assert_refused_by(response, "minimum_active_admins")
    assert response.json()["minimum"] == 1
    assert recorded_state() == before


def test_an_admin_may_be_disabled_while_another_remains_but_not_the_one_left(
    client: TestClient, auth: Auth, user_id_of: Callable[[str], uuid.UUID], second_admin: str, recorded_state: State
) -> None:
    first = client.post(f"/api/v1/users/{user_id_of('admin')}/disable", headers=auth(second_admin))
    assert first.status_code == 200, first.text
    before = recorded_state()
    last = client.post(f"/api/v1/users/{user_id_of(second_admin)}/disable", headers=auth(second_admin))
    assert_refused_by(last, "minimum_active_admins")
    assert recorded_state() == before


def test_the_last_active_admin_cannot_lose_the_admin_role(
    client: TestClient, auth: Auth, user_id_of: Callable[[str], uuid.UUID], second_admin: str, runtime: Runtime
) -> None:
    """Through the API the last admin could only change their own roles; the operator's path is checked too."""
    taken = client.put(
        f"/api/v1/users/{user_id_of(second_admin)}/roles", headers=auth("admin"), json={"roles": ["supervisor"]}
    )
    assert taken.status_code == 200, taken.text
    with runtime.database.transaction() as session:
        admin = find_user(session, "admin")
        agency = get_agency_by_code(session, "tiemen")
        with pytest.raises(SeparationOfDutiesRefusal) as refused:
            set_roles(
                session,
                agency,
                admin,
                ["supervisor"],
                duties=runtime.roles.duties,
                acting_user=None,
                actor="cli:test",
                at=runtime.clock.now(),
            )
    assert refused.value.rule == "minimum_active_admins"
    with runtime.database.transaction(write=False) as session:
        assert find_user(session, "admin").roles == ["admin"]


def test_a_disabled_admin_does_not_count_as_the_one_that_remains(
    client: TestClient, auth: Auth, user_id_of: Callable[[str], uuid.UUID], second_admin: str
) -> None:
    assert client.post(f"/api/v1/users/{user_id_of(second_admin)}/disable", headers=auth("admin")).status_code == 200
    assert_refused_by(
        client.post(f"/api/v1/users/{user_id_of('admin')}/disable", headers=auth("admin")), "minimum_active_admins"
    )


def test_the_command_line_does_not_disable_the_last_admin(cli: Callable[..., Any], recorded_state: State) -> None:
    before = recorded_state()
    result = cli("user", "disable", "admin")
    assert result.exit_code == 1
    assert "at least 1 must remain" in result.output
    assert recorded_state() == before


def test_two_admins_disabling_each_other_at_once_leave_one_active(
    client: TestClient, auth: Auth, user_id_of: Callable[[str], uuid.UUID], second_admin: str, runtime: Runtime
) -> None:
    """The last-admin check reads the agency's admins under the lock that orders the change (real threads)."""
    requests = [("admin", second_admin), (second_admin, "admin")]
    headers = {who: auth(who) for who, _ in requests}
    targets = {who: user_id_of(target) for who, target in requests}
    statuses: dict[str, int] = {}
    start = threading.Barrier(len(requests))

    def disable(who: str) -> None:
        start.wait()
        statuses[who] = client.post(f"/api/v1/users/{targets[who]}/disable", headers=headers[who]).status_code

    threads = [threading.Thread(target=disable, args=(who,)) for who, _ in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses.values())[0] == 200
    assert sorted(statuses.values())[1] in (401, 409)  # refused by the rule, or the caller was disabled first
    with runtime.database.transaction(write=False) as session:
        admins = session.execute(sa.select(User.roles, User.disabled).where(User.username.in_(["admin", "admin2"])))
        assert sum(not disabled for _roles, disabled in admins) == 1


@pytest.fixture
def legacy_admin_head(runtime: Runtime) -> str:
    """A user given admin and head before the rule existed (recorded as such in the ledger)."""
    with runtime.database.transaction() as session:
        agency = get_agency_by_code(session, "tiemen")
        new_id = uuid.uuid4()
        record(
            session,
            agency_ref(agency),
            stream=user_stream(new_id),
            type="agency:user:created",
            actor="system:test",
            at=runtime.clock.now(),
            body={"user_id": new_id, "username": "legacy", "display_name": "legacy", "roles": ["admin", "head"]},
        )
    return "legacy"


def test_nobody_approves_their_own_signing_key(
    client: TestClient, auth: Auth, legacy_admin_head: str, recorded_state: State
) -> None:
    public, _ = public_key_of(Ed25519PrivateKey.generate())
    registered = client.post("/api/v1/signing-keys", headers=auth(legacy_admin_head), json={"public_key": public})
    assert registered.status_code == 201, registered.text
    before = recorded_state()
    own = client.post(f"/api/v1/signing-keys/{registered.json()['id']}/approve", headers=auth(legacy_admin_head))
    assert_refused_by(own, "approve_own_signing_key")
    assert recorded_state() == before
    other = client.post(f"/api/v1/signing-keys/{registered.json()['id']}/approve", headers=auth("admin"))
    assert other.status_code == 200, other.text
    assert other.json()["status"] == "approved"
