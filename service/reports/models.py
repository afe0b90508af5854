"""Reviewers' scores of case files (案卷评查, 广东省行政执法案卷评查办法 第十条). Projected from the ledger."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from service.db import Base
from service.ledger.projection import projected


@projected()
class FileReviewScore(Base):
    __tablename__ = "file_review_scores"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    round: Mapped[int] = mapped_column(primary_key=True)
    reviewer: Mapped[str] = mapped_column(String(100), primary_key=True)
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    score: Mapped[int]
    deductions: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    scored_at: Mapped[datetime]
