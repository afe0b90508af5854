"""Issued documents (已制发文书): projected from ``case:document:issued`` entries; their bytes are stored by SHA-256."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from service.db import Base
from service.ledger.projection import projected


@projected()
class IssuedDocument(Base):
    __tablename__ = "issued_documents"
    __table_args__ = (Index("ix_issued_documents_agency_sha256", "agency_id", "sha256"),)

    id: Mapped[str] = mapped_column(String(16), primary_key=True)  # printed on every page, e.g. K7Q2M4XD9PRT
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(100))
    number: Mapped[str] = mapped_column(String(100), unique=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    pages: Mapped[int]
    issued_at: Mapped[datetime]
    issued_by: Mapped[str] = mapped_column(String(100))
    # The position on the case's chain of the record the document prints (kinds.ONE_PER_ENTRY), else None
    record_seq: Mapped[int | None] = mapped_column(default=None)
