"""Sign-in throttling: too many failures for a username or an address → 429 with Retry-After.

Kept in the database so that every worker process sees the same counts.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from service.auth.models import LoginThrottle
from service.errors import TooManyRequests


def throttle_keys(username: str, address: str | None) -> list[str]:
    keys = [f"user:{username.lower()}"]
    if address:
        keys.append(f"addr:{address}")
    return keys


def refuse_if_throttled(
    session: Session, keys: Iterable[str], now: datetime, *, window: timedelta, max_failures: int
) -> None:
    retry_after = 0
    for key in keys:
        row = session.get(LoginThrottle, key)
        if row is None or row.failures < max_failures:
            continue
        remaining = (row.window_started_at + window - now).total_seconds()
        retry_after = max(retry_after, math.ceil(remaining))
    if retry_after > 0:
        raise TooManyRequests(
            f"too many failed sign-ins; try again in {retry_after} s",
            f"登录失败次数过多，请 {retry_after} 秒后再试",
            headers={"Retry-After": str(retry_after)},
        )


def record_failure(session: Session, keys: Iterable[str], now: datetime, *, window: timedelta) -> None:
    for key in keys:
        row = session.get(LoginThrottle, key, with_for_update=True)
        if row is None:
            session.add(LoginThrottle(key=key, failures=1, window_started_at=now))
        elif now - row.window_started_at >= window:
            row.failures = 1
            row.window_started_at = now
        else:
            row.failures += 1


def clear(session: Session, key: str) -> None:
    session.execute(delete(LoginThrottle).where(LoginThrottle.key == key))
