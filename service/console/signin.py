"""Signing in to the console: the same accounts, the same Argon2 check and the same throttling as the API's
``POST /api/v1/auth/token`` (service/auth/throttle.py), ending in a session row instead of a token."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from service.auth import throttle
from service.auth.models import User, UserCredential
from service.auth.passwords import verify_password
from service.auth.users import USERNAME
from service.console import sessions
from service.errors import NotAuthenticated
from service.runtime import Runtime


def sign_in(runtime: Runtime, username: str, password: str, address: str | None) -> sessions.Opened:
    """A new console session for the user whose password this is; 401 otherwise, 429 beyond the attempts."""
    settings = runtime.settings
    now = runtime.clock.now()
    keys = throttle.throttle_keys(username, address)
    with runtime.database.transaction() as session:
        found = (
            session.execute(
                select(User, UserCredential.password_hash)
                .outerjoin(UserCredential, UserCredential.user_id == User.id)
                .where(User.username == username)
            ).one_or_none()
            if USERNAME.match(username)
            else None
        )
        user, stored_hash = found if found is not None else (None, None)
        known = user is not None and throttle.is_known_address(
            session, user.id, address, now, remembered=timedelta(days=settings.login_known_address_days)
        )
        counted = [k for k in (None if known else keys.account, keys.address) if k is not None]
        throttle.reserve_attempt(
            session,
            counted,
            now,
            window=timedelta(seconds=settings.login_window_seconds),
            max_failures=settings.login_max_failures,
        )
    # Argon2 outside any transaction; the route is a plain def, so this runs on a worker thread.
    valid = verify_password(password, stored_hash)
    if not valid or user is None or user.disabled:
        raise NotAuthenticated("wrong username or password", "用户名或密码错误")
    with runtime.database.transaction() as session:
        throttle.forgive_attempt(session, keys, user.id, address, now)
        fresh = session.get(User, user.id)
        assert fresh is not None
        return sessions.open_session(session, fresh, now)
