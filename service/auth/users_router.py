"""``/api/v1/users``: an admin manages the users of their own agency. Every change is a ledger entry."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from service.agencies.service import agency_of
from service.auth import users
from service.auth.deps import ReadSession, RuntimeDep, WriteSession, requires
from service.auth.permissions import Permission
from service.auth.principal import Principal
from service.auth.schemas import (
    NewUser,
    PasswordIn,
    RolesIn,
    UserOut,
)

router = APIRouter(prefix="/api/v1/users", tags=["users"])


@router.get("", response_model=list[UserOut])
def list_users(
    session: ReadSession, runtime: RuntimeDep, principal: Principal = requires(Permission.USER_MANAGE)
) -> list[UserOut]:
    """Users of the caller's agency; ``incompatible_roles`` flags an account that holds roles one person may not
    hold together (granted before the separation of duties was enforced)."""
    found = users.users_of_agency(session, principal.agency_id)
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
    agency, user = users.user_of_agency(session, principal, user_id)
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
    agency, user = users.user_of_agency(session, principal, user_id)
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
    agency, user = users.user_of_agency(session, principal, user_id)
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
    agency, user = users.user_of_agency(session, principal, user_id)
    users.set_password(session, agency, user, body.password, principal.actor, runtime.clock.now())
