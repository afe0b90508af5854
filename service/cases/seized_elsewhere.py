"""Which of the things a seizure would take the agency already holds in another case (行政强制法 第二十三条第二款).

A thing is sealed once: what another state organ sealed is declared on each line of the list (and refused), and
what this agency holds in another case is found here, by the identifier each line carries (registration or serial
number, address, or seal label; compared as ``guards.seized_thing_key``). Only cases that can still hold things
are read: a case is not closed, withdrawn or archived while it holds any (guard ``nothing_held``), and the
summary procedure seals nothing.

Two cases sealing the same thing at the same moment would each find it free; the agency's own stream is locked
before the look-up instead (``lock_seizure_register``), so the second waits for the first to commit or refuse and
then sees it. The lock is taken after the case's own, and nothing takes them in the other order.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.agencies.service import AGENCY_STREAM
from service.cases.guards import seized_thing_key
from service.cases.models import Case
from service.ledger.store import lock_stream

# States in which a case of the general procedure cannot hold things (nothing_held guards the way into each).
_HOLDS_NOTHING = ("registered", "not_filed", "closed", "withdrawn", "archived")


def lock_seizure_register(session: Session, agency_id: uuid.UUID) -> None:
    """Serialise the agency's seizures for the rest of the transaction (the agency stream always has its first
    entry, ``agency:agency:created``, so locking it never opens an empty stream)."""
    lock_stream(session, agency_id, AGENCY_STREAM)


def things_held_elsewhere(
    session: Session, agency_id: uuid.UUID, case_id: uuid.UUID, things: Iterable[Mapping[str, Any]]
) -> dict[str, tuple[str, int]]:
    """For each of ``things`` (as a seizure's data lists them) held by a seizure not yet ended in another case of
    the agency: its key, and that case's number (or id) and the seizure's number."""
    wanted = {seized_thing_key(str(t.get("identifier", ""))) for t in things} - {""}
    if not wanted:
        return {}
    rows = session.execute(
        select(Case.id, Case.number, Case.file).where(
            Case.agency_id == agency_id,
            Case.id != case_id,
            Case.procedure == "general",
            Case.state.not_in(_HOLDS_NOTHING),
        )
    )
    found: dict[str, tuple[str, int]] = {}
    for other_id, number, file in rows:
        for seizure in (file or {}).get("seizures") or ():
            if seizure.get("decided_at") is None or seizure.get("ended_at") is not None:
                continue
            for thing in seizure.get("things") or ():
                key = seized_thing_key(str(thing.get("identifier") or ""))
                if key in wanted:
                    found.setdefault(key, (number or str(other_id), int(seizure["number"])))
    return found
