"""Orphaned evidence files: stored by an upload whose transaction then rolled back, referenced by no entry.

An upload stores its file before the transaction that records it (the body is received outside any
transaction, so that a slow upload holds no lock), and checks everything it can beforehand; what is refused
only under the case's lock (a concurrent step moved the case on) leaves its file behind, content-addressed and
harmless but taking room. Such a file is removed once it is ``MIN_AGE`` old, a day being far longer than any
upload's transaction: a younger file may belong to one still running, and re-uploading the same bytes makes the
file young again (store.py). A file named by any ``case:evidence:collected`` entry, or by an evidence row, is
never touched — there must never be a recorded hash without its file. Temporary files of uploads cut off by a
crash are removed after the same day.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.evidence.models import Evidence
from service.evidence.store import EvidenceStore
from service.ledger.models import LedgerEntry

MIN_AGE = timedelta(hours=24)
COLLECTED = "case:evidence:collected"


@dataclass(frozen=True)
class Orphan:
    path: Path
    size: int
    modified: datetime


def referenced_hashes(session: Session) -> set[str]:
    """Every SHA-256 that an entry (or, belt and braces, an evidence row) names."""
    named = set(session.scalars(select(Evidence.sha256)))
    for canonical in session.scalars(select(LedgerEntry.canonical).where(LedgerEntry.type == COLLECTED)):
        named.add(json.loads(canonical)["body"]["sha256"])
    return named


def _stored_files(store: EvidenceStore) -> Iterator[tuple[Path, str | None]]:
    """Each file under the store with the hash it is stored as, or None for an upload's temporary file."""
    if not store.root.is_dir():
        return
    for temporary in store.root.glob(".upload-*"):
        yield temporary, None
    for path in store.root.glob("[0-9a-f][0-9a-f]/[0-9a-f][0-9a-f]/*"):
        try:
            if store.path_of(path.name) == path:
                yield path, path.name
        except ValueError:  # not a file the store wrote: not ours to delete
            continue


def find_orphans(session: Session, store: EvidenceStore, now: datetime) -> list[Orphan]:
    """The files an evidence clean-up removes: older than ``MIN_AGE`` and named by no entry."""
    referenced = referenced_hashes(session)
    found = []
    for path, sha256 in _stored_files(store):
        if sha256 in referenced:
            continue
        stat = path.stat()
        modified = datetime.fromtimestamp(stat.st_mtime, now.tzinfo)
        if now - modified >= MIN_AGE:
            found.append(Orphan(path, stat.st_size, modified))
    return sorted(found, key=lambda orphan: orphan.path)


def remove_orphans(orphans: list[Orphan], now: datetime) -> list[Orphan]:
    """Delete the orphans still as old as they were found (an upload of the same bytes since makes one young
    again, and keeps it); return those deleted."""
    removed = []
    for orphan in orphans:
        try:
            if now - datetime.fromtimestamp(orphan.path.stat().st_mtime, now.tzinfo) < MIN_AGE:
                continue
            os.unlink(orphan.path)
        except FileNotFoundError:
            continue
        removed.append(orphan)
    return removed
