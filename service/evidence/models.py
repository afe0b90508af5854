"""Evidence (证据) and its chain of custody, projected from the case's ledger entries; files stored by SHA-256."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from service.db import Base
from service.ledger.projection import projected


@projected()
class Evidence(Base):
    """A piece of evidence (证据), typed by 行政处罚法 第四十六条; its file is stored by SHA-256."""

    __tablename__ = "evidence"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text)
    collected_at: Mapped[datetime]
    recorded_at: Mapped[datetime]
    collected_by: Mapped[list[str]] = mapped_column(JSON)
    custody: Mapped[str] = mapped_column(String(20))  # the last custody event


@projected()
class EvidenceCustody(Base):
    """One link of the chain of custody: collected, preserved, transferred, returned, destroyed."""

    __tablename__ = "evidence_custody"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    evidence_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("evidence.id"), index=True)
    event: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime]
    recorded_at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(100))
    holder: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text)
    # The officers who handled it (ids as text); links recorded before custody named them have none.
    officers: Mapped[list[str]] = mapped_column(JSON, server_default=text("'[]'"))
