"""Officers (执法人员), their enforcement certificates (行政执法证) with full history, and training records.

All current state projected from the ledger; certificate history is a list of events that is never edited.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from service.db import Base
from service.ledger.projection import projected


@projected()
class Officer(Base):
    __tablename__ = "officers"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    unit: Mapped[str] = mapped_column(String(50))
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), unique=True)
    # 法律职业资格: required of first-time legal reviewers (行政处罚法 第五十八条).
    legal_qualification_number: Mapped[str | None] = mapped_column(String(100))
    legal_qualification_on: Mapped[date | None]
    active: Mapped[bool]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


@projected()
class Certificate(Base):
    __tablename__ = "certificates"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    officer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("officers.id"), index=True)
    number: Mapped[str] = mapped_column(String(100), unique=True)
    issuer: Mapped[str] = mapped_column(String(200))
    issued_on: Mapped[date]
    expires_on: Mapped[date]
    scope_items: Mapped[list[str]] = mapped_column(JSON)
    scope_categories: Mapped[list[str]] = mapped_column(JSON)
    territory: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20))  # the last recorded status (expiry is also derived from dates)
    last_reviewed_on: Mapped[date | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


@projected()
class CertificateEvent(Base):
    """One step of a certificate's history: issued, renewed, suspended, reinstated, revoked, cancelled, reviewed."""

    __tablename__ = "certificate_events"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    certificate_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("certificates.id"), index=True)
    seq: Mapped[int]  # position of the entry in the officer's stream: the order of the history
    kind: Mapped[str] = mapped_column(String(20))
    effective_at: Mapped[datetime]
    recorded_at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(Text)
    status_after: Mapped[str | None] = mapped_column(String(20))
    expires_on_after: Mapped[date | None]
    reviewed_on: Mapped[date | None]
    review_passed: Mapped[bool | None]


@projected()
class TrainingRecord(Base):
    """A training (培训) or an examination (考试), with who took part and, for exams, who passed."""

    __tablename__ = "training_records"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    held_on: Mapped[date]
    participants: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    recorded_at: Mapped[datetime]


# -- the staff register (工作人员名册) ------------------------------------------------------------------------


@projected()
class StaffMember(Base):
    """A person on the agency's staff register: enforcement officers, administrative staff and auxiliary staff
    (协管员、辅助执法人员) alike, with or without a user account, so that trainings and exams name every one of them.
    Minimal personal data (name, post, kind of employment, dates); never published."""

    __tablename__ = "staff_members"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    post: Mapped[str] = mapped_column(String(100))
    employment: Mapped[str] = mapped_column(String(30))
    joined_on: Mapped[date]
    left_on: Mapped[date | None]
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), unique=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
