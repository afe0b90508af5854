"""Agencies (执法主体): the tenant. Everything else belongs to exactly one agency."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String, Text, text
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
    # The head who is the agency's principal head (主要负责人): the one who approves a departure from the
    # discretion standard (重庆市规范行政处罚裁量权办法 第十九条). Set by an entry (service/agencies/settings.py).
    principal_head_user_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    # The State Council notices its ledger recorded, year → version (service/policy/notices.py): read with the
    # agency, so that a request learns which calendar its deadlines are counted on without a statement of its own.
    calendar_versions: Mapped[dict[str, Any]] = mapped_column(JSON, default=lambda: {}, server_default=text("'{}'"))
    # How many entries its officers' streams hold (officer:<id>): every change of an officer, a certificate or its
    # history is one. Read with the agency, it tells a step whether the officers a worker keeps are still the
    # database's (service/officers/service.py, ``officers_with_certificates``) without a statement of its own.
    # Counted over all those streams: the whole replay (``verify``) compares it, a replay of the streams new
    # entries touched (``verify --since``) cannot give it (service/ledger/replay.py, ``_stream_local``).
    officers_version: Mapped[int] = mapped_column(default=0, server_default=text("0"), info={"spans_streams": True})
