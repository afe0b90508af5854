"""Signing in and changing one's own password: the two acts that check a password.

Both own their transactions, unlike other services: Argon2 takes a noticeable fraction of a second, so it runs
between two short transactions, never inside one — the first reserves an attempt under the throttle (an atomic
count, so parallel guesses cannot all pass the check), the second forgives it once the password proved right.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from service.agencies.service import agency_of
from service.auth import throttle
from service.auth.models import RevokedToken, User, UserCredential
from service.auth.passwords import verify_password
from service.auth.principal import Principal
from service.auth.tokens import IssuedToken, TokenService
from service.auth.users import USERNAME, set_password
from service.config import Settings
from service.db import Database
from service.errors import Forbidden, NotAuthenticated


@dataclass(frozen=True)
class Throttling:
    """How many wrong passwords an account and an address may send in a window (CASELEDGER_LOGIN_*)."""

    window: timedelta
    max_failures: int
    known_address_for: timedelta

    @classmethod
    def of(cls, settings: Settings) -> Throttling:
        return cls(
            window=timedelta(seconds=settings.login_window_seconds),
            max_failures=settings.login_max_failures,
            known_address_for=timedelta(days=settings.login_known_address_days),
        )


def sign_in(
    database: Database,
    tokens: TokenService,
    throttling: Throttling,
    username: str,
    password: str,
    address: str | None,
    now: datetime,
) -> IssuedToken:
    """A short-lived token for a right username and password; 401 otherwise, 429 beyond the throttle.

    An address the account has signed in from before is held back only by its own count, so strangers who lock
    the account out do not lock out its owner."""
    keys = throttle.throttle_keys(username, address)
    with database.transaction() as session:
        # A name that cannot be a username is looked up nowhere (a NUL byte would not even reach PostgreSQL).
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
            session, user.id, address, now, remembered=throttling.known_address_for
        )
        counted = [k for k in (None if known else keys.account, keys.address) if k is not None]
        throttle.reserve_attempt(session, counted, now, window=throttling.window, max_failures=throttling.max_failures)
    # Argon2 runs whether or not the user exists, outside any transaction (the caller keeps it off the event loop).
    valid = verify_password(password, stored_hash)
    if not valid or user is None or user.disabled:
        raise NotAuthenticated("wrong username or password", "用户名或密码错误")
    with database.transaction() as session:
        throttle.forgive_attempt(session, keys, user.id, address, now)
    return tokens.issue(user.id, user.token_version, now)


def change_own_password(
    database: Database, throttling: Throttling, principal: Principal, current: str, new: str, now: datetime
) -> None:
    """Change one's own password, giving the current one; wrong ones count like failed sign-ins. Every session
    of the user ends (set_password bumps the token version)."""
    keys = throttle.throttle_keys(principal.username, None)
    with database.transaction() as session:
        credential = session.get(UserCredential, principal.user_id)
        stored_hash = credential.password_hash if credential is not None else None
        throttle.reserve_attempt(
            session, [keys.account], now, window=throttling.window, max_failures=throttling.max_failures
        )
    if not verify_password(current, stored_hash):
        raise Forbidden("the current password is wrong", "当前密码不正确")
    with database.transaction() as session:
        throttle.forgive_attempt(session, keys, principal.user_id, None, now)
        set_password(
            session, agency_of(session, principal.agency_id), user_of(session, principal), new, principal.actor, now
        )


def revoke_token(session: Session, principal: Principal, now: datetime) -> None:
    """Log out of this session: the token used is refused from now on (expired revocations are forgotten)."""
    session.execute(delete(RevokedToken).where(RevokedToken.expires_at < now))
    session.add(RevokedToken(token_id=principal.token_id, expires_at=principal.token_expires_at))


def user_of(session: Session, principal: Principal) -> User:
    user = session.get(User, principal.user_id)
    assert user is not None, "authenticated in this request"
    return user
