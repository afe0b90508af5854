"""A case's hash chain as people read it: who did what when, and whether each entry verifies."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.auth.models import User
from service.cases.guards import EVIDENCE_ENTRY_TYPES
from service.cases.locking import case_stream
from service.ledger.canonical import parse_entry
from service.ledger.merkle import leaf_hash
from service.ledger.models import LedgerEntry, LedgerLeaf


class HistoryEntry(BaseModel):
    seq: int
    index: int | None  # position in the agency's log, once integrated
    type: str
    actor: str
    actor_name: str | None
    claimed_at: datetime
    recorded_at: datetime
    body: dict[str, Any]
    entry_hash: str
    prev_hash: str | None
    verifies: bool
    problem: str | None


def _b64(data: bytes | None) -> str | None:
    return None if data is None else base64.b64encode(data).decode("ascii")


def stream_entries(session: Session, agency_id: uuid.UUID, stream: str) -> list[tuple[LedgerEntry, int | None]]:
    rows = session.execute(
        select(LedgerEntry, LedgerLeaf.index)
        .outerjoin(LedgerLeaf, LedgerLeaf.entry_id == LedgerEntry.id)
        .where(LedgerEntry.agency_id == agency_id, LedgerEntry.stream == stream)
        .order_by(LedgerEntry.stream_seq)
    ).all()
    return [(entry, None if index is None else int(index)) for entry, index in rows]


def case_history(session: Session, case: Any) -> list[HistoryEntry]:
    names = {
        f"user:{u.id}": u.display_name for u in session.scalars(select(User).where(User.agency_id == case.agency_id))
    }
    out = []
    previous: bytes | None = None
    for expected_seq, (entry, index) in enumerate(stream_entries(session, case.agency_id, f"case:{case.id}")):
        canonical = bytes(entry.canonical)
        problem = None
        if leaf_hash(canonical) != bytes(entry.entry_hash):
            problem = "the stored hash does not match the entry's bytes"
        elif entry.stream_seq != expected_seq:
            problem = f"position {entry.stream_seq} where {expected_seq} was expected"
        elif (bytes(entry.prev_hash) if entry.prev_hash else None) != previous:
            problem = "the previous-entry hash does not match the entry before it"
        previous = bytes(entry.entry_hash)
        try:
            body = json.loads(canonical)["body"]
        except (ValueError, KeyError):
            body, problem = {}, problem or "the entry's bytes are not readable"
        out.append(
            HistoryEntry(
                seq=entry.stream_seq,
                index=index,
                type=entry.type,
                actor=entry.actor,
                actor_name=names.get(entry.actor),
                claimed_at=entry.claimed_at,
                recorded_at=entry.recorded_at,
                body=body,
                entry_hash=_b64(bytes(entry.entry_hash)) or "",
                prev_hash=_b64(bytes(entry.prev_hash) if entry.prev_hash else None),
                verifies=problem is None,
                problem=problem,
            )
        )
    return out


class CitableEntry(BaseModel):
    """An entry of a case a decision may cite as its evidence (第四十条): its number, kind, when, and what it says."""

    seq: int
    type: str
    step: str | None  # the step that recorded it (record_inquiry…); an upload's entry has none
    claimed_at: datetime
    gist: str  # the place and the record's opening words, or the file and its description


GIST_LENGTH = 60


def citable_evidence(session: Session, case: Any) -> list[CitableEntry]:
    """The entries of ``case`` a decision may cite (the guard decision_evidence_recorded: inquiries, inspections,
    evidence collected, evidence preserved, the party's statement), in order — what the decision's form offers."""
    rows = session.scalars(
        select(LedgerEntry)
        .where(
            LedgerEntry.agency_id == case.agency_id,
            LedgerEntry.stream == case_stream(case.id),
            LedgerEntry.type.in_(EVIDENCE_ENTRY_TYPES),
        )
        .order_by(LedgerEntry.stream_seq)
    )
    out = []
    for e in rows:
        body = parse_entry(e.canonical).body
        step = body.get("transition")
        out.append(
            CitableEntry(
                seq=e.stream_seq,
                type=e.type,
                step=step if isinstance(step, str) else None,
                claimed_at=e.claimed_at,
                gist=_gist(body),
            )
        )
    return out


def _gist(body: Any) -> str:
    data = body.get("data") or {}
    parts = [body.get("filename"), body.get("description"), data.get("place"), data.get("summary") or data.get("items")]
    text = " · ".join(str(p) for p in parts if p)
    return text if len(text) <= GIST_LENGTH else text[: GIST_LENGTH - 1] + "…"
