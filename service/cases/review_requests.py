"""The data of the two workflow acts around review: requesting a legal review, and the collective discussion."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from service.auth.models import User
from service.errors import Conflict, InvalidInput
from service.ledger.store import lock_stream
from service.legal import penalty_law


def review_request_data(session: Session, case: Any, raw: Mapping[str, Any]) -> dict[str, Any]:
    """A request freezes the case chain's head: the review covers the case exactly as it stands now. (A request
    while another of the case as it stands is unanswered is refused by the guard ``no_review_open``.)"""
    file = case.case_file
    materials = raw.get("materials", "")
    if not isinstance(materials, str):
        raise InvalidInput("data.materials is text", "data.materials 须为文本")
    length, head = lock_stream(session, case.agency_id, f"case:{case.id}")
    notified = file.notice.penalty if file.notice is not None else None
    return {
        "review_id": str(uuid.uuid4()),
        "frozen_seq": length - 1,
        "frozen_head": base64.b64encode(head).decode("ascii"),
        "draft": {
            "penalty": file.proposed.model_dump(mode="json") if file.proposed is not None else None,
            "notice": notified.model_dump(mode="json") if notified is not None else None,
        },
        "materials": materials,
    }


def collective_discussion_data(session: Session, agency_id: Any, raw: Mapping[str, Any], quorum: int) -> dict[str, Any]:
    """Date, attendees (heads), each one's opinion, the conclusion and the chair (第五十七条第二款)."""
    attendees = raw.get("attendees")
    opinions = raw.get("opinions")
    chair = raw.get("chair")
    conclusion = raw.get("conclusion")
    held_on = raw.get("held_on")
    if not isinstance(attendees, list) or not attendees or not isinstance(opinions, Mapping):
        raise InvalidInput(
            "data.attendees (user ids) and data.opinions ({user id: opinion}) are required", "须列明参加人员及各自意见"
        )
    if not isinstance(conclusion, str) or not conclusion.strip() or not isinstance(held_on, str):
        raise InvalidInput("data.conclusion and data.held_on are required", "须填写讨论结论和日期")
    heads = []
    for attendee in attendees:
        user = session.get(User, uuid.UUID(str(attendee)))
        if user is None or user.agency_id != agency_id:
            raise InvalidInput(f"attendee {attendee} is not a user of this agency", "参加人员不是本机关人员")
        if "head" in user.roles:
            heads.append(str(user.id))
        if str(user.id) not in opinions or not str(opinions[str(user.id)]).strip():
            raise InvalidInput(
                f"the opinion of attendee {user.display_name} is missing", f"缺少{user.display_name}的意见"
            )
    if len(heads) < quorum:
        raise Conflict(
            f"collective discussion needs at least {quorum} heads; {len(heads)} attended",
            f"集体讨论须有{quorum}名以上负责人参加，实到{len(heads)}名",
            basis=penalty_law(57, 2),
        )
    if str(chair) not in heads:
        raise Conflict("the chair must be a head who attended", "主持人须为出席的负责人", basis=penalty_law(57, 2))
    return {
        "held_on": held_on,
        "attendees": sorted(str(a) for a in attendees),
        "heads": sorted(heads),
        "opinions": {str(k): str(v) for k, v in opinions.items()},
        "conclusion": conclusion.strip(),
        "chair": str(chair),
    }
