"""The staff register (工作人员名册): every person of the agency's staff, officer or not, with or without an account.

The seed report counts trainings and exams of all the township's staff (46 sat the law exam), and many of them —
auxiliary staff (协管员、辅助执法人员), administrative staff — never sign in. The register names them so that a
training or an exam can. Personal data is kept minimal (name, post, kind of employment, the dates) and no route
publishes it. Each change is an entry of the agency's ``staff-register`` stream.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.agencies.models import Agency
from service.agencies.service import agency_ref, entry_agency_id
from service.auth.models import User
from service.errors import AlreadyExists, Conflict, InvalidInput, NotFound
from service.ledger.canonical import EntryContent
from service.ledger.projection import projector, record
from service.officers.models import StaffMember

STREAM = "staff-register"


class Employment(StrEnum):
    """How a person is employed by the agency."""

    CIVIL_SERVANT = "civil_servant"  # 公务员（含参照公务员法管理）
    PUBLIC_INSTITUTION = "public_institution"  # 事业编制人员
    AUXILIARY = "auxiliary"  # 辅助执法人员、协管员 (no enforcement powers of their own)
    CONTRACT = "contract"  # 聘用、劳务派遣人员
    OTHER = "other"  # 其他


EMPLOYMENT_ZH = {
    Employment.CIVIL_SERVANT: "公务员",
    Employment.PUBLIC_INSTITUTION: "事业编制",
    Employment.AUXILIARY: "辅助执法人员/协管员",
    Employment.CONTRACT: "聘用/劳务派遣",
    Employment.OTHER: "其他",
}


def require_user_of_agency(session: Session, agency: Agency, user_id: uuid.UUID) -> None:
    """A user account linked to an officer or a register line exists, in the same agency."""
    user = session.get(User, user_id)
    if user is None or user.agency_id != agency.id:
        raise InvalidInput("the linked user does not exist in this agency", "关联的用户在本机关中不存在")


def register_member(
    session: Session,
    agency: Agency,
    *,
    name: str,
    post: str,
    employment: str,
    joined_on: date,
    user_id: uuid.UUID | None,
    actor: str,
    at: datetime,
) -> StaffMember:
    """Add a person to the register, optionally linked to a user account of the agency (one person, one line)."""
    name, post = name.strip(), post.strip()
    if not name or not post:
        raise InvalidInput("a staff member needs a name and a post", "须填写姓名和岗位")
    try:
        kind = Employment(employment)
    except ValueError:
        raise InvalidInput(
            f"employment must be one of {', '.join(Employment)}", f"用工性质须为：{'、'.join(EMPLOYMENT_ZH.values())}"
        ) from None
    if user_id is not None:
        require_user_of_agency(session, agency, user_id)
        if session.scalar(select(StaffMember.id).where(StaffMember.user_id == user_id)) is not None:
            raise AlreadyExists(
                "that user is already on the register", "该用户已在工作人员名册中", extra={"field": "user_id"}
            )
    member_id = uuid.uuid4()
    record(
        session,
        agency_ref(agency),
        stream=STREAM,
        type="staff:member:registered",
        actor=actor,
        at=at,
        body={
            "member_id": member_id,
            "name": name,
            "post": post,
            "employment": kind.value,
            "joined_on": joined_on,
            "user_id": user_id,
        },
    )
    return register_member_of(session, agency.id, member_id)


@projector("staff:member:registered")
def _member_registered(session: Session, entry: EntryContent) -> None:
    body = entry.body
    session.add(
        StaffMember(
            id=uuid.UUID(body["member_id"]),
            agency_id=entry_agency_id(session, entry),
            name=body["name"],
            post=body["post"],
            employment=body["employment"],
            joined_on=date.fromisoformat(body["joined_on"]),
            left_on=None,
            user_id=uuid.UUID(body["user_id"]) if body["user_id"] else None,
            created_at=entry.recorded_at,
            updated_at=entry.recorded_at,
        )
    )


def record_departure(
    session: Session, agency: Agency, member: StaffMember, *, left_on: date, actor: str, at: datetime
) -> StaffMember:
    """The person left the agency's staff on ``left_on`` (the line stays: past trainings still name them)."""
    if member.left_on is not None:
        raise Conflict(f"left already on {member.left_on.isoformat()}", f"已于{member.left_on.isoformat()}离职")
    if left_on < member.joined_on:
        raise InvalidInput("left before joining", "离职日期早于入职日期")
    record(
        session,
        agency_ref(agency),
        stream=STREAM,
        type="staff:member:left",
        actor=actor,
        at=at,
        body={"member_id": member.id, "left_on": left_on},
    )
    return member


@projector("staff:member:left")
def _member_left(session: Session, entry: EntryContent) -> None:
    member = session.get(StaffMember, uuid.UUID(entry.body["member_id"]))
    assert member is not None
    member.left_on = date.fromisoformat(entry.body["left_on"])
    member.updated_at = entry.recorded_at


def register_member_of(session: Session, agency_id: uuid.UUID, member_id: uuid.UUID) -> StaffMember:
    """A line of the agency's register; another agency's line does not exist for it."""
    member = session.get(StaffMember, member_id)
    if member is None or member.agency_id != agency_id:
        raise NotFound(f"no staff member {member_id} on the register", f"工作人员名册中没有 {member_id}")
    return member


def register_of(session: Session, agency_id: uuid.UUID) -> list[StaffMember]:
    """The agency's register, those still on the staff first, by name."""
    members = session.scalars(
        select(StaffMember).where(StaffMember.agency_id == agency_id).order_by(StaffMember.name, StaffMember.id)
    )
    return sorted(members, key=lambda m: m.left_on is not None)


def member_users(session: Session, agency_id: uuid.UUID) -> dict[str, str]:
    """The register's people who have a user account: member id → user id."""
    rows = session.execute(
        select(StaffMember.id, StaffMember.user_id).where(
            StaffMember.agency_id == agency_id, StaffMember.user_id.is_not(None)
        )
    ).all()
    return {str(member_id): str(user_id) for member_id, user_id in rows}


def on_staff(member: StaffMember, day: date) -> bool:
    return member.joined_on <= day and (member.left_on is None or day <= member.left_on)
