"""Agencies (执法主体): the tenant. Everything else belongs to exactly one agency."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from service.db import Base
from service.ledger.projection import projected


@projected(agency_column="id")
class Agency(Base):
    __tablename__ = "agencies"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(50), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # The log's origin line and the verifier key of its checkpoint-signing key (C2SP vkey; public).
    log_origin: Mapped[str] = mapped_column(String(200))
    checkpoint_vkey: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
