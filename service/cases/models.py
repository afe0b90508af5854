"""Cases (案件) and the officers assigned to them; parties' personal data apart.

``cases`` and ``case_officers`` are projected from the ledger. ``parties``
holds personal data (name, ID number, phone, address) that must never enter the immutable log: the ledger
carries a salted SHA-256 commitment to each field, and lawful erasure empties the field here while the
commitment — and the chain — stay intact.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, LargeBinary, String, text
from sqlalchemy.orm import Mapped, mapped_column

from service.cases.casefile import CaseFile
from service.db import Base
from service.ledger.projection import projected

# The deferred group of the deadlines kept on a case's row.
DEADLINES = "deadlines"


@projected()
class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_agency_state", "agency_id", "state"),
        Index("ix_cases_agency_next_due_on", "agency_id", "next_due_on"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    number: Mapped[str | None] = mapped_column(String(100), unique=True)  # e.g. 铁门罚〔2026〕7号
    procedure: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(40))
    item_code: Mapped[str] = mapped_column(String(50), index=True)
    catalogue_version: Mapped[str] = mapped_column(String(64))
    party_id: Mapped[uuid.UUID]
    party_type: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))
    unit: Mapped[str] = mapped_column(String(50))
    occurred_on: Mapped[date | None]
    registered_at: Mapped[datetime]
    filed_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(40))
    fine_fen: Mapped[int | None] = mapped_column(BigInteger)
    file: Mapped[dict[str, Any]] = mapped_column(JSON)  # the case file: service/cases/casefile.py
    updated_at: Mapped[datetime]
    # Substantive changes so far (service/cases/versioning.py): the case's ETag; a step sent with If-Match on
    # an older version is refused with 412.
    version: Mapped[int] = mapped_column(server_default=text("1"))
    # The ids of the officers assigned to the case (``case_officers``, sorted), kept on the row so that reading a
    # case is one statement; projected with the rows of ``case_officers`` (service/cases/service.py).
    officer_ids: Mapped[list[str]] = mapped_column(JSON, server_default=text("'[]'"))
    # What the registration said of the act's time (第三十六条), for the time bar checked until filing: kept on the
    # row so that neither a case view nor a step reads the registration entry back from the ledger.
    continued_until: Mapped[date | None]
    harms_life_health_or_finance: Mapped[bool] = mapped_column(server_default=text("false"))
    # The deadlines the case runs against in its state, as its entries recorded them (a step's ``deadlines``, a
    # revision's ``in_force``; service/cases/deadline_revision.py): their names, the earliest and the latest last
    # day of them, and whether one of them could not be counted. Kept on the row so that the deadline list and the
    # case list's overdue and due-soon filters are one indexed query rather than every open case's schedule counted
    # per request. Read only by the statements that ask for them (``undefer_group(DEADLINES)``): a case view or a
    # step does not fetch them.
    deadlines_in_force: Mapped[list[str]] = mapped_column(
        JSON, server_default=text("'[]'"), deferred=True, deferred_group=DEADLINES
    )
    next_due_on: Mapped[date | None] = mapped_column(deferred=True, deferred_group=DEADLINES)
    last_due_on: Mapped[date | None] = mapped_column(deferred=True, deferred_group=DEADLINES)
    deadline_unknown: Mapped[bool] = mapped_column(
        server_default=text("false"), deferred=True, deferred_group=DEADLINES
    )

    @property
    def case_file(self) -> CaseFile:
        """The case file, typed (service/cases/casefile.py): parsed once for each file the row holds (a step reads
        it ~8 times); a new file — a projector's, or the row read again — is a new object, and is parsed anew."""
        stored = self.file
        parsed = self.__dict__.get("_parsed_file")
        if parsed is not None and parsed[0] is stored:
            return cast(CaseFile, parsed[1])
        file = CaseFile.of(stored)
        self.__dict__["_parsed_file"] = (stored, file)  # not a column: SQLAlchemy does not see it
        return file

    def keep_file(self, file: CaseFile) -> None:
        """Store ``file`` as the case's file: only projectors call this (the ledger is the source of truth). The
        typed file is kept beside what is stored, so the next ``case_file`` does not parse what was just made."""
        stored = file.stored()
        self.file = stored
        self.__dict__["_parsed_file"] = (stored, file)


@projected()
class CaseOfficer(Base):
    """An officer assigned to a case (承办人员)."""

    __tablename__ = "case_officers"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    officer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("officers.id"), primary_key=True, index=True)
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    assigned_at: Mapped[datetime]


class Party(Base):
    """A party's personal data (当事人信息). Not in the ledger: entries carry a salted commitment per field."""

    __tablename__ = "parties"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    party_type: Mapped[str] = mapped_column(String(20))
    name: Mapped[str | None] = mapped_column(String(200))
    id_number: Mapped[str | None] = mapped_column(String(50))
    phone: Mapped[str | None] = mapped_column(String(50))
    address: Mapped[str | None] = mapped_column(String(300))
    salts: Mapped[dict[str, str]] = mapped_column(JSON)  # field -> hex salt of its commitment
    # Keyed blind indexes (HMAC-SHA-256 with a server key) for finding a party's cases.
    name_index: Mapped[bytes | None] = mapped_column(LargeBinary(32), index=True)
    id_number_index: Mapped[bytes | None] = mapped_column(LargeBinary(32), index=True)
    erased_fields: Mapped[list[str]] = mapped_column(JSON)
    erased_at: Mapped[datetime | None]
