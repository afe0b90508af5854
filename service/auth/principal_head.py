"""The agency's principal head (主要负责人): the head whose approval the law gives weight to.

重庆市规范行政处罚裁量权办法 第十九条 lets a departure from the discretion standard be approved by the agency's
*principal* head, or passed by collective discussion — not by any head. The agency designates which head is
principal; the designation is an entry of the agency's stream, projected onto ``Agency.principal_head_user_id``.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from service.agencies.models import Agency
from service.agencies.service import AGENCY_STREAM, agency_ref, entry_agency_id
from service.auth.models import User
from service.errors import RuleOfLawRefusal
from service.ledger.canonical import EntryContent
from service.ledger.projection import projector, record
from service.legal import LegalBasis

DISCRETION_RULES = "重庆市规范行政处罚裁量权办法"
PRINCIPAL_HEAD_ENTRY = "agency:principal_head:designated"


def designate_principal_head(session: Session, agency: Agency, user_id: uuid.UUID, actor: str, at: datetime) -> Agency:
    """Mark an active head of the agency as its principal head; the previous designation ends."""
    user = session.get(User, user_id)
    if user is None or user.agency_id != agency.id or user.disabled or "head" not in user.roles:
        raise RuleOfLawRefusal(
            "the principal head is one of the agency's active heads",
            "主要负责人须为本机关在职的负责人",
            basis=LegalBasis(DISCRETION_RULES, 19),
            extra={"guard": "principal_head_is_a_head"},
        )
    record(
        session,
        agency_ref(agency),
        stream=AGENCY_STREAM,
        type=PRINCIPAL_HEAD_ENTRY,
        actor=actor,
        at=at,
        body={"agency_id": agency.id, "user_id": user.id},
    )
    return agency


def principal_head_actor(agency: Agency) -> str | None:
    """How the principal head is named in ledger entries (``user:<id>``), or None when none is designated."""
    return None if agency.principal_head_user_id is None else f"user:{agency.principal_head_user_id}"


@projector(PRINCIPAL_HEAD_ENTRY)
def _principal_head_designated(session: Session, entry: EntryContent) -> None:
    agency = session.get(Agency, entry_agency_id(session, entry))
    assert agency is not None
    agency.principal_head_user_id = uuid.UUID(entry.body["user_id"])
