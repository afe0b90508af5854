"""Helpers for the auth tests: what the ledger and the users table hold, to show a refusal wrote nothing."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from service.auth.models import User
from service.ledger.models import LedgerEntry
from service.runtime import Runtime

Auth = Callable[[str], dict[str, str]]


@pytest.fixture
def recorded_state(runtime: Runtime) -> Callable[[], tuple[int, list[tuple[Any, ...]]]]:
    """The number of ledger entries and every user's row: equal before and after a refusal."""

    def snapshot() -> tuple[int, list[tuple[Any, ...]]]:
        with runtime.database.transaction(write=False) as session:
            entries = session.scalar(sa.select(sa.func.count()).select_from(LedgerEntry))
            users = session.execute(
                sa.select(User.username, User.roles, User.disabled, User.token_version).order_by(User.username)
            ).all()
        return int(entries or 0), [tuple(u) for u in users]

    return snapshot


@pytest.fixture
def user_id_of(runtime: Runtime) -> Callable[[str], uuid.UUID]:
    def find(username: str) -> uuid.UUID:
        with runtime.database.transaction(write=False) as session:
            found = session.scalar(sa.select(User.id).where(User.username == username))
        assert found is not None, username
        return found

    return find


@pytest.fixture
def second_admin(client: TestClient, auth: Auth) -> str:
    """A second admin of tiemen, added by the first."""
    response = client.post(
        "/api/v1/users", headers=auth("admin"), json={"username": "admin2", "roles": ["admin"], "password": "a" * 16}
    )
    assert response.status_code == 201, response.text
    return "admin2"
