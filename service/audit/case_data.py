"""Checks beyond the ledger's own: evidence files still match their hashes, parties' data their commitments,
and every case's path is one its procedure allows (service/cases/lawful_path.py)."""

from __future__ import annotations

import itertools
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.cases.lawful_path import PathReport, Procedures, StreamEntry, check_case_stream
from service.cases.models import Case, Party
from service.cases.parties import check_commitments
from service.evidence.models import Evidence
from service.evidence.store import EvidenceStore
from service.ledger.errors import VerificationError
from service.ledger.models import LedgerEntry
from service.policy.recorded import POLICY_STREAM

_BATCH = 5_000


@dataclass
class CaseDataReport:
    evidence_files: int = 0
    parties: int = 0
    erased: list[str] = field(default_factory=list)  # "party <id>: name, phone erased"


def verify_case_data(session: Session, agency_id: uuid.UUID, store: EvidenceStore) -> CaseDataReport:
    """Raise VerificationError at the first evidence file or party record that no longer matches the ledger."""
    report = CaseDataReport()
    for item in session.scalars(select(Evidence).where(Evidence.agency_id == agency_id).order_by(Evidence.id)):
        actual = store.rehash(item.sha256)
        if actual is None:
            raise VerificationError(f"evidence {item.id} (case {item.case_id}): its file {item.sha256} is missing")
        if actual != item.sha256:
            raise VerificationError(
                f"evidence {item.id} (case {item.case_id}): the stored file's bytes no longer match "
                f"SHA-256 {item.sha256}"
            )
        report.evidence_files += 1
    rows = session.execute(
        select(Case.id, Case.file, Party).join(Party, Party.id == Case.party_id).where(Case.agency_id == agency_id)
    )
    for case_id, file, party in rows:
        values = {"name": party.name, "id_number": party.id_number, "phone": party.phone, "address": party.address}
        problems = check_commitments(values, party.salts, file.get("party_commitments", {}), list(party.erased_fields))
        if problems:
            raise VerificationError(f"party {party.id} of case {case_id}: " + "; ".join(problems))
        if party.erased_fields:
            report.erased.append(
                f"party {party.id} of case {case_id}: {', '.join(party.erased_fields)} lawfully erased"
            )
        report.parties += 1
    return report


def recorded_procedures(session: Session, agency_id: uuid.UUID, code: str, policies_dir: Path) -> Procedures:
    """The workflows recorded in the agency's ``policies`` stream, then those of ``policies_dir``/workflows (for
    versions recorded before policy entries carried their content). Raises VerificationError at a policy entry
    whose content is not the file its hash names."""
    workflows = policies_dir / "workflows"
    procedures = Procedures(f"the workflows recorded in the ledger and the files in {workflows}")
    rows = session.execute(
        select(LedgerEntry.id, LedgerEntry.stream_seq, LedgerEntry.canonical)
        .where(LedgerEntry.agency_id == agency_id, LedgerEntry.stream == POLICY_STREAM)
        .order_by(LedgerEntry.stream_seq)
    )
    for entry_id, seq, canonical in rows:
        place = f"agency {code}, stream {POLICY_STREAM}, position {seq}, entry id {entry_id}"
        procedures.add_recorded(json.loads(canonical)["body"], place)
    for path in sorted(workflows.glob("*.yaml")):
        procedures.add(path.read_bytes(), str(path))
    return procedures


def verify_case_paths(session: Session, agency_id: uuid.UUID, code: str, policies_dir: Path) -> PathReport:
    """Re-run every case stream of the agency through its procedure (see ``check_case_stream``)."""
    procedures = recorded_procedures(session, agency_id, code, policies_dir)
    report = PathReport()
    for stream, entries in itertools.groupby(_case_entries(session, agency_id, code), key=lambda e: e[0]):
        check_case_stream(stream, (entry for _, entry in entries), procedures, report)
    return report


def _case_entries(session: Session, agency_id: uuid.UUID, code: str) -> Iterator[tuple[str, StreamEntry]]:
    """Every entry of the agency's case streams, stream by stream in stream order (the columns were checked
    against the entries' bytes before this runs)."""
    rows = session.execute(
        select(LedgerEntry.id, LedgerEntry.stream, LedgerEntry.stream_seq, LedgerEntry.type, LedgerEntry.canonical)
        # "case:" <= stream < "case;" (";" follows ":"): the streams named case:…, read along the unique index
        .where(LedgerEntry.agency_id == agency_id, LedgerEntry.stream >= "case:", LedgerEntry.stream < "case;")
        .order_by(LedgerEntry.stream, LedgerEntry.stream_seq)
        .execution_options(yield_per=_BATCH)
    )
    for entry_id, stream, seq, type_, canonical in rows:
        place = f"agency {code}, stream {stream}, position {seq}, entry id {entry_id}, type {type_}"
        yield stream, StreamEntry(seq, type_, json.loads(canonical)["body"], place)
