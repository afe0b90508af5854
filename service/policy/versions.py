"""Which policy files were in force: their SHA-256 and content, recorded in each agency's ledger whenever they
change.

Rules as data are part of the record: a case's entries name the workflow version they were checked under, and
the agency's ``policies`` stream says from when each version of every policy file applied and what it said
(the entry's shape: service/policy/recorded.py), so that verification re-runs each case through its procedure.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, ForeignKey, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from service.agencies.models import Agency
from service.agencies.service import agency_ref, entry_agency_id
from service.db import Base
from service.ledger.canonical import EntryContent, parse_entry
from service.ledger.models import LedgerEntry
from service.ledger.projection import projected, projector, record
from service.ledger.store import lock_stream
from service.policy.recorded import POLICY_ENTRY, POLICY_STREAM, file_hash, policy_entry_body, recorded_contents

POLICY_FILES = (
    "roles.yaml",
    "officers.yaml",
    "cases.yaml",
    "review-catalogue.yaml",
    "publicity.yaml",
    "designated-areas.yaml",
    "file-review.yaml",
    "workflows/general.yaml",
    "workflows/summary.yaml",
    "calendar/cn-workdays.yaml",
)


@projected()
class PolicyVersions(Base):
    __tablename__ = "policy_versions"

    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), primary_key=True)
    files: Mapped[dict[str, Any]] = mapped_column(JSON)
    loaded_at: Mapped[datetime]


def policy_files(policies_dir: Path) -> dict[str, bytes]:
    return {name: (policies_dir / name).read_bytes() for name in POLICY_FILES}


def policy_hashes(policies_dir: Path) -> dict[str, str]:
    return {name: file_hash(content) for name, content in policy_files(policies_dir).items()}


def record_policy_versions(session: Session, agency: Agency, policies_dir: Path, actor: str, at: datetime) -> bool:
    """Record the policy files' versions for ``agency`` if they differ from the last recorded; True if recorded."""
    files = policy_files(policies_dir)
    hashes = {name: file_hash(content) for name, content in files.items()}
    length, _ = lock_stream(session, agency.id, POLICY_STREAM)  # several workers starting at once record it once
    current = session.get(PolicyVersions, agency.id)
    if current is not None and current.files == hashes and _carries_contents(session, agency, length - 1):
        return False
    record(
        session,
        agency_ref(agency),
        stream=POLICY_STREAM,
        type=POLICY_ENTRY,
        actor=actor,
        at=at,
        body=policy_entry_body(files),
    )
    return True


def _carries_contents(session: Session, agency: Agency, seq: int) -> bool:
    """Whether the policy entry at ``seq`` carries the files' contents: the first start after an upgrade from a
    caseledger that recorded hashes alone records them once, so that the ledger alone holds the rules in force."""
    canonical = session.scalar(
        select(LedgerEntry.canonical).where(
            LedgerEntry.agency_id == agency.id, LedgerEntry.stream == POLICY_STREAM, LedgerEntry.stream_seq == seq
        )
    )
    if canonical is None:
        return False
    try:
        return bool(recorded_contents(parse_entry(canonical).body))
    except ValueError:  # malformed (verification names it): record the files as they are
        return False


def record_for_all_agencies(session: Session, policies_dir: Path, actor: str, at: datetime) -> int:
    return sum(record_policy_versions(session, a, policies_dir, actor, at) for a in session.scalars(select(Agency)))


@projector(POLICY_ENTRY)
def _loaded(session: Session, entry: EntryContent) -> None:
    agency_id = entry_agency_id(session, entry)
    current = session.get(PolicyVersions, agency_id)
    if current is None:
        session.add(PolicyVersions(agency_id=agency_id, files=dict(entry.body["files"]), loaded_at=entry.recorded_at))
    else:
        current.files = dict(entry.body["files"])
        current.loaded_at = entry.recorded_at
