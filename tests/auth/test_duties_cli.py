"""Accounts that combined roles before the separation of duties are flagged, and the operator fixes any account
without the API: ``caseledger user enable|disable|roles|unlock|check``, under the same rules and each change a
ledger entry, as through the API (issue 17)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from service.agencies.service import agency_ref, get_agency_by_code
from service.auth.models import LoginThrottle, User
from service.auth.users import user_stream
from service.ledger.models import LedgerEntry
from service.ledger.projection import record
from service.runtime import Runtime
from tests.auth.conftest import Auth
from tests.conftest import PASSWORD

Cli = Callable[..., Any]


@pytest.fixture
def legacy(runtime: Runtime) -> str:
    """A user given admin and officer before the rule existed (recorded as such in the ledger), with a password."""
    from service.auth.users import set_password

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
            body={"user_id": new_id, "username": "legacy", "display_name": "legacy", "roles": ["admin", "officer"]},
        )
        user = session.get(User, new_id)
        assert user is not None
        set_password(session, agency, user, PASSWORD, "system:test", runtime.clock.now())
    return "legacy"


def entries_of(runtime: Runtime, username: str) -> list[str]:
    with runtime.database.transaction(write=False) as session:
        user_id = session.scalar(sa.select(User.id).where(User.username == username))
        return list(
            session.scalars(
                sa.select(LedgerEntry.type)
                .where(LedgerEntry.stream == user_stream(user_id))
                .order_by(LedgerEntry.stream_seq)
            )
        )


def user_row(runtime: Runtime, username: str) -> User:
    with runtime.database.transaction(write=False) as session:
        user = session.scalar(sa.select(User).where(User.username == username))
        assert user is not None
        session.expunge(user)
        return user


def test_the_users_list_flags_an_account_that_combines_admin_with_a_writing_role(
    client: TestClient, auth: Auth, legacy: str
) -> None:
    listed = client.get("/api/v1/users", headers=auth("admin"))
    assert listed.status_code == 200, listed.text
    flags = {u["username"]: u["incompatible_roles"] for u in listed.json()}
    assert flags[legacy] == ["admin+officer"]
    assert {name: pairs for name, pairs in flags.items() if pairs} == {legacy: ["admin+officer"]}


def test_the_command_line_flags_it_and_check_fails_until_it_is_split(cli: Cli, legacy: str, runtime: Runtime) -> None:
    listed = cli("user", "list")
    assert listed.exit_code == 0, listed.output
    assert "incompatible" in listed.output  # the table's column (wrapped to the terminal's width)
    assert f"tiemen/{legacy}: admin+officer" in listed.output
    checked = cli("user", "check")
    assert checked.exit_code == 1
    assert f"tiemen/{legacy}: admin+officer" in checked.output

    version = user_row(runtime, legacy).token_version
    split = cli("user", "roles", legacy, "--role", "officer")
    assert split.exit_code == 0, split.output
    assert user_row(runtime, legacy).roles == ["officer"]
    assert user_row(runtime, legacy).token_version == version + 1  # their sessions end
    assert entries_of(runtime, legacy)[-1] == "agency:user:roles_changed"
    assert cli("user", "check").exit_code == 0
    assert "incompatible" not in cli("user", "list").output


def test_the_command_line_refuses_what_the_api_refuses(cli: Cli, runtime: Runtime) -> None:
    before = entries_of(runtime, "head")
    combined = cli("user", "roles", "head", "--role", "head", "--role", "admin")
    assert combined.exit_code == 1
    assert "admin+head" in combined.output
    last_admin = cli("user", "roles", "admin", "--role", "supervisor")
    assert last_admin.exit_code == 1
    assert "at least 1 must remain" in last_admin.output
    assert user_row(runtime, "admin").roles == ["admin"]
    assert entries_of(runtime, "head") == before
    assert cli("user", "roles", "nobody", "--role", "officer").exit_code == 1


def test_disable_and_enable_from_the_command_line_end_the_sessions(
    cli: Cli, client: TestClient, auth: Auth, runtime: Runtime
) -> None:
    old = auth("officer1")
    assert cli("user", "disable", "officer1").exit_code == 0
    assert client.get("/api/v1/auth/me", headers=old).status_code == 401
    enabled = cli("user", "enable", "officer1")
    assert enabled.exit_code == 0, enabled.output
    assert not user_row(runtime, "officer1").disabled
    assert client.get("/api/v1/auth/me", headers=old).status_code == 401  # a token from before stays refused
    assert client.get("/api/v1/auth/me", headers=auth("officer1")).status_code == 200
    assert entries_of(runtime, "officer1")[-2:] == ["agency:user:disabled", "agency:user:enabled"]


def test_unlock_lets_the_owner_in_again_from_an_address_it_never_used(cli: Cli, app: Any, runtime: Runtime) -> None:
    """Strangers spent the account's attempts; the owner, at a new address, is let in only after an unlock."""
    stranger = TestClient(app, client=("203.0.113.9", 4000))
    owner = TestClient(app, client=("192.0.2.44", 4000))

    def sign_in(client: TestClient, password: str) -> int:
        data = {"username": "head", "password": password}
        return client.post("/api/v1/auth/token", data=data).status_code

    for _ in range(runtime.settings.login_max_failures):
        assert sign_in(stranger, "not the password") == 401
    assert sign_in(owner, PASSWORD) == 429
    version = user_row(runtime, "head").token_version

    unlocked = cli("user", "unlock", "head")
    assert unlocked.exit_code == 0, unlocked.output
    assert "unlocked" in unlocked.output
    assert entries_of(runtime, "head")[-1] == "agency:user:unlocked"
    assert user_row(runtime, "head").token_version == version  # an unlock ends no session
    with runtime.database.transaction(write=False) as session:
        assert session.get(LoginThrottle, "user:head") is None
    assert sign_in(owner, PASSWORD) == 200
    verified = cli("verify")
    assert verified.exit_code == 0, verified.output
