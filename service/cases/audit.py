"""Checks beyond the ledger's own: evidence files still match their hashes, parties' data their commitments."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.cases.models import Case, Evidence, Party
from service.cases.parties import check_commitments
from service.evidence.store import EvidenceStore
from service.ledger.errors import VerificationError


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
