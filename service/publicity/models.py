"""Published decisions (公示): what the public sees, and when it was withdrawn. Projected from the ledger."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column

from service.db import Base
from service.ledger.projection import projected


@projected()
class Publication(Base):
    __tablename__ = "publications"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    published_at: Mapped[datetime]
    withdrawn_at: Mapped[datetime | None]
    withdrawal_reason: Mapped[str | None] = mapped_column(Text)
    # 第四十八条第二款: the decision as changed on reconsideration or by a court, published beside the original.
    changed_content: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    changed_at: Mapped[datetime | None]
    change_reason: Mapped[str | None] = mapped_column(Text)
