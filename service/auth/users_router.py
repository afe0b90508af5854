"""``/api/v1/users``: an admin manages the users of their own agency. Every change is a ledger entry."""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.agencies.models import Agency
from service.agencies.service import agency_of
from service.auth import duties as duty
from service.auth import users
from service.auth.deps import ReadSession, RuntimeDep, WriteSession, requires
from service.auth.models import User
from service.auth.permissions import Permission, SeparationOfDuties
from service.auth.principal import Principal
from service.errors import NotFound
from service.inputs import Line

router = APIRouter(prefix="/api/v1/users", tags=["users"])


class UserOut(BaseModel):
    id: uuid.UUID
    username: str
    display_name: str
    roles: list[str]
    disabled: bool
    created_at: datetime
    updated_at: datetime
    incompatible_roles: list[str] = Field(
        description="Roles this account holds that one person may not hold together (separation of duties in "
        "policies/roles.yaml), as 'admin+officer': granted before the rule, kept until the roles are next changed; "
        "give one of them to another person. Empty for an account the rule allows."
    )

    @classmethod
    def of(cls, user: User, duties: SeparationOfDuties) -> UserOut:
        return cls(
            id=user.id,
            username=user.username,
            display_name=user.display_name,
            roles=list(user.roles),
            disabled=user.disabled,
            created_at=user.created_at,
            updated_at=user.updated_at,
            incompatible_roles=duty.incompatible_holdings(duties, user.roles),
        )


class NewUser(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: Line = Field(min_length=2, max_length=64)
    display_name: Line = Field(default="", max_length=200)
    roles: list[str] = Field(min_length=1, max_length=5)
    password: str = Field(min_length=1, max_length=1024)


class RolesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    roles: list[str] = Field(min_length=1, max_length=5)


class PasswordIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    password: str = Field(min_length=1, max_length=1024)


def _own_user(session: Session, principal: Principal, user_id: uuid.UUID) -> tuple[Agency, User]:
    """A user of the admin's own agency; another agency's user answers 404."""
    user = session.get(User, user_id)
    if user is None or user.agency_id != principal.agency_id:
        raise NotFound("no such user", "用户不存在")
    agency = agency_of(session, principal.agency_id)
    return agency, user


@router.get("", response_model=list[UserOut])
def list_users(
    session: ReadSession, runtime: RuntimeDep, principal: Principal = requires(Permission.USER_MANAGE)
) -> list[UserOut]:
    """Users of the caller's agency; ``incompatible_roles`` flags an account that holds roles one person may not
    hold together (granted before the separation of duties was enforced)."""
    found = session.scalars(select(User).where(User.agency_id == principal.agency_id).order_by(User.username))
    return [UserOut.of(u, runtime.roles.duties) for u in found]


@router.post("", response_model=UserOut, status_code=201)
def add_user(
    body: NewUser, session: WriteSession, runtime: RuntimeDep, principal: Principal = requires(Permission.USER_MANAGE)
) -> UserOut:
    """Add a user to the caller's agency; roles one person may not hold together are refused (409)."""
    agency = agency_of(session, principal.agency_id)
    user = users.create_user(
        session,
        agency,
        username=body.username,
        display_name=body.display_name,
        roles=body.roles,
        password=body.password,
        duties=runtime.roles.duties,
        actor=principal.actor,
        at=runtime.clock.now(),
    )
    return UserOut.of(user, runtime.roles.duties)


@router.post("/{user_id}/disable", response_model=UserOut)
def disable_user(
    user_id: uuid.UUID,
    session: WriteSession,
    runtime: RuntimeDep,
    principal: Principal = requires(Permission.USER_MANAGE),
) -> UserOut:
    """Disable a user; their tokens stop working at once. The agency's last active admin cannot be disabled (409)."""
    agency, user = _own_user(session, principal, user_id)
    users.set_disabled(
        session, agency, user, True, duties=runtime.roles.duties, actor=principal.actor, at=runtime.clock.now()
    )
    return UserOut.of(user, runtime.roles.duties)


@router.post("/{user_id}/enable", response_model=UserOut)
def enable_user(
    user_id: uuid.UUID,
    session: WriteSession,
    runtime: RuntimeDep,
    principal: Principal = requires(Permission.USER_MANAGE),
) -> UserOut:
    """Enable a disabled user again; tokens issued before they were disabled stay refused."""
    agency, user = _own_user(session, principal, user_id)
    users.set_disabled(
        session, agency, user, False, duties=runtime.roles.duties, actor=principal.actor, at=runtime.clock.now()
    )
    return UserOut.of(user, runtime.roles.duties)


@router.put("/{user_id}/roles", response_model=UserOut)
def change_roles(
    user_id: uuid.UUID,
    body: RolesIn,
    session: WriteSession,
    runtime: RuntimeDep,
    principal: Principal = requires(Permission.USER_MANAGE),
) -> UserOut:
    """Replace another user's roles; their tokens stop working (they sign in again with the new roles).

    Refused with 409 ``separation_of_duties`` for one's own roles, for roles one person may not hold together
    (admin with officer, reviewer or head), and for taking the admin role from the agency's last active admin.
    """
    agency, user = _own_user(session, principal, user_id)
    users.set_roles(
        session,
        agency,
        user,
        body.roles,
        duties=runtime.roles.duties,
        acting_user=principal.user_id,
        actor=principal.actor,
        at=runtime.clock.now(),
    )
    return UserOut.of(user, runtime.roles.duties)


@router.put("/{user_id}/password", status_code=204)
def reset_password(
    user_id: uuid.UUID,
    body: PasswordIn,
    session: WriteSession,
    runtime: RuntimeDep,
    principal: Principal = requires(Permission.USER_MANAGE),
) -> None:
    """Set a user's password (the ledger records that it changed, never the password); their tokens stop working."""
    agency, user = _own_user(session, principal, user_id)
    users.set_password(session, agency, user, body.password, principal.actor, runtime.clock.now())
