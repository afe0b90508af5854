"""Sign-in throttling: at most ``max_failures`` attempts per window for an account and for an address.

Kept in the database so that every worker process sees the same counts. An attempt takes its place in the
counts *before* the password is checked, by one atomic upsert per key in a short transaction (the row's lock
on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite), so concurrent guesses cannot all pass a check that has not yet
seen the others: of N at once, at most ``max_failures`` reach Argon2, the rest get 429 with ``Retry-After``
and are not counted. A right password gives its attempt back: the account's count is cleared and the
address's lowered by one.

Strangers can spend an account's attempts and so lock it; they cannot lock its owner out where the owner has
signed in before: from an address the account has signed in from with the right password within
``known_address_days``, only that address's own count applies; and an operator clears an account's count
with ``caseledger user unlock`` (recorded in the user's stream).
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address
from typing import Any, cast

from sqlalchemy import Table, case, delete, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from service.agencies.models import Agency
from service.agencies.service import agency_ref
from service.auth.models import LoginKnownAddress, LoginThrottle, User
from service.auth.users import USERNAME, user_stream
from service.errors import TooManyRequests
from service.ledger.projection import record

IPNetwork = IPv4Network | IPv6Network
_THROTTLE = cast(Table, LoginThrottle.__table__)
_KNOWN = cast(Table, LoginKnownAddress.__table__)
MAX_ADDRESS_LENGTH = 64  # login_known_addresses.address; an IPv6 address with a zone fits


def _parse(text: str) -> IPv4Address | IPv6Address | None:
    try:
        return ip_address(text.strip())
    except ValueError:
        return None


def client_address(peer: str | None, forwarded_for: Sequence[str], trusted_proxies: Sequence[IPNetwork]) -> str | None:
    """The address a sign-in comes from: the connection's peer, unless the peer is a trusted proxy.

    Behind trusted proxies, ``X-Forwarded-For`` is read from the right (each proxy appends the address it
    received from) and the first hop that is not itself a trusted proxy is the client. Hops further left were
    written by the client and are never believed; without a trusted peer the header is ignored altogether.
    """
    if peer is None:
        return None
    current = _parse(peer)
    if current is None or not any(current in net for net in trusted_proxies):
        return peer[:MAX_ADDRESS_LENGTH]
    hops = [hop for header in forwarded_for for hop in header.split(",")]
    for hop in reversed(hops):
        parsed = _parse(hop)
        if parsed is None:
            break  # a trusted proxy passed on garbage: the proxy is the last address known
        current = parsed
        if not any(current in net for net in trusted_proxies):
            break
    return str(current)


@dataclass(frozen=True)
class ThrottleKeys:
    account: str
    address: str | None


def throttle_keys(username: str, address: str | None) -> ThrottleKeys:
    # Names that cannot be usernames share one count ('?' is in no username): none of them can sign in, and
    # what they hold (a NUL byte, which PostgreSQL refuses to store) is never written.
    account = username if USERNAME.match(username) else "?"
    return ThrottleKeys(f"user:{account}", f"addr:{address}" if address else None)


def is_known_address(
    session: Session, user_id: uuid.UUID, address: str | None, now: datetime, *, remembered: timedelta
) -> bool:
    if address is None:
        return False
    known = session.get(LoginKnownAddress, (user_id, address))
    return known is not None and now - known.last_signed_in_at < remembered


def _dialect_insert(session: Session) -> Callable[[Table], Any]:
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def _count_attempt(session: Session, key: str, now: datetime, window: timedelta) -> tuple[int, datetime]:
    """Add one attempt to ``key``'s window (a new window once the old one is over); return the count and start."""
    expired = _THROTTLE.c.window_started_at <= now - window
    statement = (
        _dialect_insert(session)(_THROTTLE)
        .values(key=key, failures=1, window_started_at=now)
        .on_conflict_do_update(
            index_elements=[_THROTTLE.c.key],
            set_={
                "failures": case((expired, 1), else_=_THROTTLE.c.failures + 1),
                "window_started_at": case((expired, now), else_=_THROTTLE.c.window_started_at),
            },
        )
        .returning(_THROTTLE.c.failures, _THROTTLE.c.window_started_at)
    )
    failures, started = session.execute(statement).one()
    return int(failures), started


def reserve_attempt(
    session: Session, keys: Sequence[str], now: datetime, *, window: timedelta, max_failures: int
) -> None:
    """Count one attempt against every key, or raise 429 if any key has no attempt left in its window.

    The caller's transaction rolls back on the 429, so a refused attempt is not counted. Keys are taken in
    sorted order so that two attempts sharing keys cannot each hold one the other waits for.
    """
    retry_after = 0
    for key in sorted(keys):
        failures, started = _count_attempt(session, key, now, window)
        if failures > max_failures:
            retry_after = max(retry_after, math.ceil((started + window - now).total_seconds()), 1)
    if retry_after > 0:
        raise TooManyRequests(
            f"too many failed sign-ins; try again in {retry_after} s",
            f"登录失败次数过多，请 {retry_after} 秒后再试",
            headers={"Retry-After": str(retry_after)},
        )


def forgive_attempt(
    session: Session, keys: ThrottleKeys, user_id: uuid.UUID, address: str | None, now: datetime
) -> None:
    """A right password: clear the account's count, give the address its attempt back, remember the address."""
    session.execute(delete(LoginThrottle).where(LoginThrottle.key == keys.account))
    if keys.address is not None:
        session.execute(
            update(LoginThrottle)
            .where(LoginThrottle.key == keys.address, LoginThrottle.failures > 0)
            .values(failures=LoginThrottle.failures - 1)
        )
    if address is not None:
        # An upsert: two sign-ins from one new address at once both remember it.
        statement = _dialect_insert(session)(_KNOWN).values(user_id=user_id, address=address, last_signed_in_at=now)
        session.execute(
            statement.on_conflict_do_update(
                index_elements=[_KNOWN.c.user_id, _KNOWN.c.address], set_={"last_signed_in_at": now}
            )
        )


def unlock_account(session: Session, agency: Agency, user: User, *, actor: str, at: datetime) -> bool:
    """Clear the failed sign-ins counted against ``user``'s account (an operator's reset when strangers keep it
    locked), recording who did it. Addresses keep their own counts. Returns whether the account had any."""
    key = throttle_keys(user.username, None).account
    counted = session.get(LoginThrottle, key)
    session.execute(delete(LoginThrottle).where(LoginThrottle.key == key))
    record(
        session,
        agency_ref(agency),
        stream=user_stream(user.id),
        type="agency:user:unlocked",
        actor=actor,
        at=at,
        body={"user_id": user.id},
    )
    return counted is not None and counted.failures > 0
