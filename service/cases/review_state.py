"""Whether a case holds a passed legal review that is still current (行政处罚法 第五十八条).

A review covers the case as it stood when it was requested: the request freezes the case chain's head. Any
later entry in the case's chain — other than the review's own steps and the collective discussion that the
review precedes — changes what was reviewed and makes the approval stale, until the case is reviewed again.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.cases.guards import Penalty
from service.cases.versioning import CLERICAL_ENTRY_TYPES
from service.ledger.models import LedgerEntry

# Entries that do not change what was reviewed (a disclosure of the party's data is a read, recorded).
REVIEW_PROCESS_TYPES = frozenset(
    {
        "case:legal_review:requested",
        "case:legal_review:taken",
        "case:legal_review:recorded",
        "case:legal_review:signed",
        "case:collective_discussion:held",
        "case:collective_discussion:signed",
        "case:major_flag:set",
    }
    # Deadlines recounted, publication, erasure, a disclosure: no fact of the case changed (cases/versioning.py).
    | CLERICAL_ENTRY_TYPES
)


def later_entry_types(session: Session, case: Any, after_seq: int) -> list[str]:
    return list(
        session.scalars(
            select(LedgerEntry.type).where(
                LedgerEntry.agency_id == case.agency_id,
                LedgerEntry.stream == f"case:{case.id}",
                LedgerEntry.stream_seq > after_seq,
            )
        )
    )


def stale_reasons(session: Session, case: Any, frozen_seq: int) -> list[str]:
    """Entries recorded after the review's frozen head (``frozen_seq``) that make the review stale."""
    return [t for t in later_entry_types(session, case, frozen_seq) if t not in REVIEW_PROCESS_TYPES]


def review_passed_and_current(session: Session, case: Any, proposed: Penalty | None, transition: str) -> bool:
    review = case.case_file.latest_review()
    if review is None or review.opinion != "agree" or not review.signed:
        return False
    if stale_reasons(session, case, review.frozen_seq):
        return False
    reviewed = review.draft.get("penalty")
    if proposed is not None and reviewed is not None:
        # 第五十八条 reviews the decision to be taken: a decision of another kind or amount — lighter included — is
        # not the one reviewed, and needs a fresh review.
        if {str(k) for k in proposed.kinds} != set(reviewed.get("kinds", [])):
            return False
        if proposed.fine_fen != int(reviewed.get("fine_fen", 0)):
            return False
        if proposed.confiscated_value_fen != int(reviewed.get("confiscated_value_fen", 0)):
            return False
    return True
