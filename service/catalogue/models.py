"""Loaded catalogue versions (行政执法事项清单) and their items: current state projected from the ledger."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from service.db import Base
from service.ledger.projection import projected


@projected()
class CatalogueVersion(Base):
    """One loaded version; its id is the SHA-256 of the file's bytes. The agency's current one has ``current``."""

    __tablename__ = "catalogue_versions"

    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), primary_key=True)
    version: Mapped[str] = mapped_column(String(64), primary_key=True)
    source: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text)
    item_count: Mapped[int] = mapped_column(Integer)
    current: Mapped[bool]
    loaded_at: Mapped[datetime]


@projected()
class CatalogueItemRow(Base):
    __tablename__ = "catalogue_items"

    agency_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(String(64), primary_key=True)
    code: Mapped[str] = mapped_column(String(50), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300))
    category: Mapped[str] = mapped_column(String(50))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
