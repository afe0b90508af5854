"""Registered signing keys of reviewers and heads (public keys only; projected from the ledger)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from service.db import Base
from service.ledger.projection import projected


@projected()
class SigningKey(Base):
    __tablename__ = "signing_keys"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    key_id: Mapped[str] = mapped_column(String(16), unique=True)
    public_key: Mapped[str] = mapped_column(String(64))  # base64 of the raw 32-byte Ed25519 key
    status: Mapped[str] = mapped_column(String(20))  # pending, approved, revoked
    registered_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(100))
