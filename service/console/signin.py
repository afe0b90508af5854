"""Signing in to the console: the same accounts, the same Argon2 check and the same throttling as the API's
``POST /api/v1/auth/token`` (service/auth/throttle.py), ending in a session row instead of a token."""

from __future__ import annotations

from service.auth.signin import Throttling
from service.auth.signin import sign_in as auth_sign_in
from service.console import sessions
from service.runtime import Runtime


def sign_in(runtime: Runtime, username: str, password: str, address: str | None) -> sessions.Opened:
    """A new console session for the user whose password this is; 401 otherwise, 429 beyond the attempts."""
    now = runtime.clock.now()
    throttling = Throttling.of(runtime.settings)
    return auth_sign_in(
        runtime.database,
        throttling,
        username,
        password,
        address,
        now,
        lambda session, user: sessions.open_session(session, user, now),
    )
