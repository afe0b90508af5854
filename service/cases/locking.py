"""The lock that makes a case's check and its record one act.

Every change to a case appends to the case's stream, and appends to one stream are serialised by its head row.
A service that checks a rule against the case takes that lock first and re-reads the case under it, so the
rule is checked on the state the append will follow — not on a read made before another request's append
(ARCHITECTURE.md: "a check made on a state read earlier is no check under load").
"""

from __future__ import annotations

import uuid
from typing import Protocol

from sqlalchemy.orm import Session

from service.ledger.store import lock_stream


class _CaseRow(Protocol):
    id: uuid.UUID
    agency_id: uuid.UUID


def case_stream(case_id: uuid.UUID) -> str:
    return f"case:{case_id}"


_LOCKED = "caseledger.locked_cases"  # session.info key: cases read under their stream lock in this transaction


def lock_case(session: Session, case: _CaseRow) -> None:
    """Hold the case's stream lock until the transaction ends, and refresh ``case`` as it stands under it
    (nothing to do when it was already read under the lock: ``mark_locked``)."""
    if case.id in _locked(session):
        return
    lock_stream(session, case.agency_id, case_stream(case.id))
    session.refresh(case)
    mark_locked(session, case)


def mark_locked(session: Session, case: _CaseRow) -> None:
    """``case`` was read after its stream lock was taken in this transaction: it stands as the lock holds it."""
    _locked(session).add(case.id)


def _locked(session: Session) -> set[uuid.UUID]:
    """The cases locked and read in the session's current transaction (a lock ends with its transaction)."""
    transaction = session.get_transaction()
    held = session.info.get(_LOCKED)
    if transaction is None or held is None or held[0] is not transaction:
        held = (transaction, set())
        session.info[_LOCKED] = held
    ids: set[uuid.UUID] = held[1]
    return ids
