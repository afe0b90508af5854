"""Safe retries: a POST that creates, sent again with the same ``Idempotency-Key``, returns the first answer.

Field officers on a bad mobile network retry, and an act may be claimed up to 72 hours back, so a key is
remembered for 7 days. The key is taken — its row inserted — in the request's own transaction before the work,
and the answer stored in it after: the first answer, the work and the key commit together or not at all. A
retry after a crash before the commit finds no key and does the work once; a retry after the commit gets the
stored answer byte for byte and writes nothing; a retry racing the first waits on the key's row and then gets
the first answer. The same key with another body is a 422.

These rows are operational, like credentials: not state, so not in the ledger or its replay.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import rfc8785
from pydantic import BaseModel
from sqlalchemy import LargeBinary, String, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column
from starlette.responses import Response

from service.db import Base
from service.errors import Conflict, InvalidInput

REMEMBERED_FOR = timedelta(days=7)
HEADER = "Idempotency-Key"
_KEY = re.compile(r"^[\x21-\x7e]{1,200}$")  # printable ASCII, no spaces (RFC draft: a string the client makes)


class IdempotencyKey(Base):
    __tablename__ = "idempotency_keys"

    user_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    request: Mapped[str] = mapped_column(String(71))  # sha256:<hex> of method, path and canonical body
    status: Mapped[int | None]
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
    etag: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime]


@dataclass(frozen=True)
class StoredAnswer:
    status: int
    body: bytes
    etag: str | None


class KeyInUse(Conflict):
    code = "idempotency_key_in_use"
    title_zh = "幂等键正在使用"
    title_en = "Idempotency key in use"


def fingerprint(method: str, path: str, body: Mapping[str, Any] | bytes) -> str:
    """What a retry must repeat: the method, the path and the body (as canonical JSON, or its bytes)."""
    content = body if isinstance(body, bytes) else rfc8785.dumps(dict(body))
    digest = hashlib.sha256(method.encode() + b"\0" + path.encode() + b"\0" + content).hexdigest()
    return "sha256:" + digest


def answered(session: Session, user_id: uuid.UUID, key: str) -> bool:
    """Whether ``key`` already holds an answer of this user's (a route that checks before it claims lets such a
    retry through to the answer it is owed)."""
    return (
        session.scalar(
            select(IdempotencyKey.key).where(
                IdempotencyKey.user_id == user_id, IdempotencyKey.key == key, IdempotencyKey.status.is_not(None)
            )
        )
        is not None
    )


def claim(session: Session, user_id: uuid.UUID, key: str, request: str, now: datetime) -> StoredAnswer | None:
    """Take ``key`` for this request, or return the answer stored under it; 422 if it was used for another."""
    if not _KEY.match(key):
        raise InvalidInput(
            f"{HEADER} must be 1 to 200 printable ASCII characters without spaces",
            f"{HEADER} 须为1至200个可打印ASCII字符（不含空格）",
        )
    session.execute(
        delete(IdempotencyKey).where(
            IdempotencyKey.user_id == user_id, IdempotencyKey.created_at < now - REMEMBERED_FOR
        )
    )
    dialect_insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    # A concurrent request with the same key waits here on the key's row until the first one ends.
    taken = session.execute(
        dialect_insert(IdempotencyKey)
        .values(user_id=user_id, key=key, request=request, status=None, body=None, etag=None, created_at=now)
        .on_conflict_do_nothing()
        .returning(IdempotencyKey.key)
    ).first()
    if taken is not None:
        return None
    found = session.scalars(
        select(IdempotencyKey)
        .where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)
        .execution_options(populate_existing=True)
    ).one()
    if found.request != request:
        raise InvalidInput(
            f"this {HEADER} was used for another request within {REMEMBERED_FOR.days} days; use a new key",
            f"该{HEADER}已用于另一请求（{REMEMBERED_FOR.days}天内），请使用新的键",
        )
    if found.status is None or found.body is None:
        raise KeyInUse("a request with this key has not finished", "使用该键的请求尚未完成")
    return StoredAnswer(found.status, found.body, found.etag)


def remember(session: Session, user_id: uuid.UUID, key: str, status: int, body: bytes, etag: str | None = None) -> None:
    """Store the answer under the key taken by ``claim``, in the same transaction as the work."""
    row = session.get(IdempotencyKey, (user_id, key))
    assert row is not None, "remember() follows claim() in the same transaction"
    row.status, row.body, row.etag = status, body, etag


def answer_once(
    session: Session,
    user_id: uuid.UUID,
    key: str | None,
    request: Callable[[], str],
    now: datetime,
    status: int,
    produce: Callable[[], tuple[BaseModel, str | None]],
) -> Response:
    """Answer a creating POST: ``produce`` does the work and returns the answer and its ETag — unless ``key`` was
    already answered, in which case that answer is returned and nothing is done. ``request`` works out the request's
    ``fingerprint``, which a retry with ``key`` must repeat; it is called only when a key was sent (most requests
    come without one, and a fingerprint is canonical JSON of the whole body, hashed)."""
    if key is not None:
        stored = claim(session, user_id, key, request(), now)
        if stored is not None:
            return _response(stored.status, stored.body, stored.etag)
    model, etag = produce()
    body = model.model_dump_json().encode("utf-8")
    if key is not None:
        remember(session, user_id, key, status, body, etag)
    return _response(status, body, etag)


def _response(status: int, body: bytes, etag: str | None) -> Response:
    return Response(body, status_code=status, media_type="application/json", headers={"ETag": etag} if etag else None)
