"""Console sessions: a server-side row per signed-in browser, named by a random cookie.

The browser holds only an opaque identifier in an HttpOnly, SameSite=Strict cookie; the table holds its
SHA-256 (a copy of the table opens no session), the user, the user's token version at sign-in (a password
change, disabling or "log out everywhere" ends console sessions as it ends tokens, service/auth/users.py) and
the form token every POST must carry (CSRF). A session lasts 8 hours at most and ends after 30 minutes without
a request (service/console/web.py keeps the time of the last request in a signed cookie, so that reading a page
writes nothing). These rows are operational, like revoked tokens: not state, so not in the ledger or its replay.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import String, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from service.agencies.models import Agency
from service.auth.models import User
from service.db import Base

MAX_AGE = timedelta(hours=8)
IDLE = timedelta(minutes=30)


class ConsoleSession(Base):
    __tablename__ = "console_sessions"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[uuid.UUID] = mapped_column(index=True)
    token_version: Mapped[int]
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)


@dataclass(frozen=True)
class Opened:
    cookie: str  # what the browser keeps; never stored
    csrf_token: str
    session_id: uuid.UUID


@dataclass(frozen=True)
class Current:
    """A live session with its user."""

    session: ConsoleSession
    user: User
    agency_code: str


def _digest(cookie: str) -> str:
    return hashlib.sha256(cookie.encode("ascii", "replace")).hexdigest()


def open_session(session: Session, user: User, now: datetime) -> Opened:
    """A new session for ``user``; sessions past their 8 hours are swept on the way (one idle for 30 minutes is
    refused by :func:`current` and swept when its 8 hours are over: its row alone does not know its last request)."""
    session.execute(delete(ConsoleSession).where(ConsoleSession.expires_at < now))
    cookie = secrets.token_urlsafe(32)
    row = ConsoleSession(
        id=uuid.uuid4(),
        secret_hash=_digest(cookie),
        user_id=user.id,
        token_version=user.token_version,
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        last_seen_at=now,
        expires_at=now + MAX_AGE,
    )
    session.add(row)
    return Opened(cookie, row.csrf_token, row.id)


def current(
    session: Session, cookie: str | None, now: datetime, last_request: Callable[[ConsoleSession], datetime | None]
) -> Current | None:
    """The live session the cookie names, or None (unknown, expired, idle too long, user disabled or changed).

    ``last_request`` tells when the session's previous request was, as the browser proved it (a signed cookie).
    """
    if not cookie or len(cookie) > 100:
        return None
    found = session.execute(
        select(ConsoleSession, User, Agency.code)
        .join(User, User.id == ConsoleSession.user_id)
        .join(Agency, Agency.id == User.agency_id)
        .where(ConsoleSession.secret_hash == _digest(cookie))
    ).one_or_none()
    if found is None:
        return None
    row, user, agency_code = found
    seen = last_request(row)
    last = row.last_seen_at if seen is None else max(row.last_seen_at, seen)
    if now >= row.expires_at or now >= last + IDLE:
        return None
    if user.disabled or user.token_version != row.token_version:
        return None
    return Current(row, user, agency_code)


def end_session(session: Session, session_id: uuid.UUID) -> None:
    session.execute(delete(ConsoleSession).where(ConsoleSession.id == session_id))
