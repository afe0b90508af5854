"""Current state as a fold of the ledger.

Every table of current state is written only by a *projector*: a function registered for an entry type
that applies one entry to the tables. Services record an entry and the same projector applies it at once,
in the same transaction; replay runs the same projectors over the whole ledger into an empty database and
verification compares the result with the live tables. Projectors read only the entry (never the clock,
never random numbers), so the fold is deterministic.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from service.db import Base
from service.ledger.canonical import EntryContent, parse_entry
from service.ledger.store import append_entry
from service.straight import write_changed_row

ENTRY_TYPE = re.compile(r"^[a-z][a-z_]*:[a-z][a-z_]*:[a-z][a-z_]*$")  # subject:object:action

Projector = Callable[[Session, EntryContent], None]

_PROJECTORS: dict[str, Projector] = {}
_CHANGES: dict[str, Callable[[EntryContent], str]] = {}
_OBSERVERS: list[Projector] = []
_PROJECTED_MODELS: dict[type[Base], str] = {}


def projector(
    *entry_types: str, changes: Callable[[EntryContent], str] | None = None
) -> Callable[[Projector], Projector]:
    """Register ``fn`` as the projector of ``entry_types``.

    A projector changes the rows its entry's own stream made, and reads those and the rows of the streams every
    replay takes (the agency's own, its calendar's). One that changes rows another stream made — a case's number,
    given from the agency's numbering stream — names that stream with ``changes`` (from the entry): a replay of
    some streams only (``verify --since``) applies such an entry only where that stream is replayed too."""

    def register(fn: Projector) -> Projector:
        for entry_type in entry_types:
            if not ENTRY_TYPE.match(entry_type):
                raise ValueError(f"entry type {entry_type!r} is not subject:object:action")
            if entry_type in _PROJECTORS:
                raise ValueError(f"entry type {entry_type!r} already has a projector")
            _PROJECTORS[entry_type] = fn
            if changes is not None:
                _CHANGES[entry_type] = changes
        return fn

    return register


def stream_changed(content: EntryContent) -> str:
    """The stream whose rows the projector of ``content`` changes: its own, or the one its projector names."""
    changes = _CHANGES.get(content.type)
    return content.stream if changes is None else changes(content)


def observer(fn: Projector) -> Projector:
    """Register ``fn`` to see every entry after its projector: for state that counts entries of many types
    (a case's version), so that a new entry type cannot be forgotten. Pure like a projector."""
    _OBSERVERS.append(fn)
    return fn


ModelT = TypeVar("ModelT", bound=type[Base])


def projected(agency_column: str = "agency_id") -> Callable[[ModelT], ModelT]:
    """Mark a model as current state derived from the ledger (replay rebuilds and compares it).

    ``agency_column`` names the column that says which agency a row belongs to.
    """

    def mark(model: ModelT) -> ModelT:
        _PROJECTED_MODELS[model] = agency_column
        return model

    return mark


def projected_models() -> dict[type[Base], str]:
    """Projected models and the column naming each row's agency."""
    return dict(_PROJECTED_MODELS)


def known_entry_types() -> frozenset[str]:
    return frozenset(_PROJECTORS)


class UnknownEntryType(LookupError):
    pass


def apply(session: Session, content: EntryContent) -> None:
    try:
        fn = _PROJECTORS[content.type]
    except KeyError:
        raise UnknownEntryType(f"no projector for entry type {content.type!r}") from None
    fn(session, content)
    for observe in _OBSERVERS:
        observe(session, content)
    # A step changes its case's row only: written as that one UPDATE on PostgreSQL, flushed otherwise.
    if not write_changed_row(session):
        session.flush()


@dataclass(frozen=True)
class AgencyRef:
    """The agency whose ledger an entry goes to."""

    id: uuid.UUID
    code: str


@dataclass(frozen=True)
class Recorded:
    entry_id: uuid.UUID
    entry_hash: bytes
    content: EntryContent


def record(
    session: Session,
    agency: AgencyRef,
    *,
    stream: str,
    type: str,
    actor: str,
    body: Mapping[str, Any],
    at: datetime,
    claimed_at: datetime | None = None,
) -> Recorded:
    """Append an entry and apply it to current state, in the caller's transaction.

    This is the only way a service changes state. The projector sees the entry exactly as replay will: read
    back from its canonical bytes.
    """
    if type not in _PROJECTORS:
        raise UnknownEntryType(f"no projector for entry type {type!r}")
    appended = append_entry(
        session,
        agency_id=agency.id,
        agency_code=agency.code,
        stream=stream,
        type=type,
        actor=actor,
        body=body,
        recorded_at=at,
        claimed_at=claimed_at,
    )
    content = parse_entry(appended.canonical)
    apply(session, content)
    return Recorded(appended.id, appended.entry_hash, content)


def body_uuid(body: Mapping[str, Any], key: str) -> uuid.UUID:
    return uuid.UUID(str(body[key]))
