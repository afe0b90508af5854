"""Users and what authentication needs to remember.

``users`` is current state projected from the ledger. Password hashes are secrets and never enter the
ledger: they live in ``user_credentials``, and the ledger records only that a password was set. Revoked
token ids, login throttling and known sign-in addresses are operational security state, not part of the
enforcement record.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from service.db import Base
from service.ledger.projection import projected


@projected()
class User(Base):
    __tablename__ = "users"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    roles: Mapped[list[str]] = mapped_column(JSON)
    disabled: Mapped[bool] = mapped_column(default=False)
    # Tokens carry the version they were issued under and are refused once it has moved on (users.py).
    token_version: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class UserCredential(Base):
    __tablename__ = "user_credentials"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), primary_key=True)
    password_hash: Mapped[str] = mapped_column(Text)
    changed_at: Mapped[datetime]


class RevokedToken(Base):
    __tablename__ = "revoked_tokens"

    token_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(index=True)


class LoginThrottle(Base):
    """Failed sign-ins per key ("user:<name>" or "addr:<ip>") in the current window."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int]
    window_started_at: Mapped[datetime]


class LoginKnownAddress(Base):
    """An address from which a user signed in with the right password: their account's lock, which strangers
    can cause, does not hold them back there (service/auth/throttle.py)."""

    __tablename__ = "login_known_addresses"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), primary_key=True)
    address: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_signed_in_at: Mapped[datetime]
