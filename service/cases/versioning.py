"""A case's version: how many substantive changes it has had, returned as its ``ETag``.

A field officer who saw version 7 and sends a step with ``If-Match: "7"`` must not have it applied to a case
that meanwhile changed under them: the step is refused with 412 and the officer looks again. Entries that change
no fact a step or a legal review relies on are *clerical* — they neither bump the version nor make a review
stale (service/cases/review_state.py) — so recounted deadlines or a publication never send an officer back.
"""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from service.cases.models import Case
from service.errors import DomainError
from service.ledger.canonical import EntryContent
from service.ledger.projection import observer

CASE_REGISTERED = "case:case:registered"

# Entries on a case's stream that change no fact a step or a review relies on.
CLERICAL_ENTRY_TYPES = frozenset(
    {
        "case:deadlines:revised",  # deadlines recounted on a newly loaded calendar
        "case:decision:published",  # 公示 of a decision already taken
        "case:publication:withdrawn",
        "case:publication:changed",  # the changed decision republished (第四十八条第二款)
        "case:personal_data:erased",  # the party's data outside the ledger; the commitments stay
        "case:personal_data:disclosed",  # who read the party's data, and why
        "case:document:issued",  # a document printed from facts already recorded (service/documents/)
    }
)


def is_substantive(entry_type: str) -> bool:
    return entry_type not in CLERICAL_ENTRY_TYPES


class CaseChanged(DomainError):
    status = 412
    code = "case_changed"
    title_zh = "案件已被他人更新"
    title_en = "The case changed since you read it"


def etag(case: Case) -> str:
    return f'"{case.version}"'


def require_version(case: Case, if_match: str | None) -> None:
    """Refuse with 412 unless ``if_match`` (an ``If-Match`` header) names the case's version or is absent."""
    if if_match is None or if_match.strip() == "*":
        return
    seen = [tag.strip().removeprefix("W/") for tag in if_match.split(",")]
    if etag(case) in seen:
        return
    raise CaseChanged(
        f"the case is at version {case.version}, not {if_match.strip()}: read it again before this step",
        f"案件已更新至第{case.version}版（您看到的是{if_match.strip()}），请刷新后再办理",
        extra={"version": case.version},
    )


@observer
def _count_substantive_change(session: Session, entry: EntryContent) -> None:
    if not entry.stream.startswith("case:") or entry.type == CASE_REGISTERED or not is_substantive(entry.type):
        return
    case = session.get(Case, uuid.UUID(entry.stream.removeprefix("case:")))
    if case is not None:
        case.version += 1
