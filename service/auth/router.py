"""``/api/v1/auth``: OAuth2 password flow, who am I, logout (of this session or of every one)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request

from service.agencies.service import agency_of
from service.auth import signin, throttle
from service.auth.deps import PUBLIC, RuntimeDep, WriteSession, requires
from service.auth.permissions import Permission
from service.auth.principal import Principal
from service.auth.schemas import (
    AgencySummary,
    Me,
    PasswordChange,
    TokenResponse,
)
from service.auth.users import end_sessions
from service.officers.service import officer_of_user

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


@router.post("/token", response_model=TokenResponse, dependencies=[PUBLIC])
def issue_token(
    request: Request,
    runtime: RuntimeDep,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
) -> TokenResponse:
    """Exchange a username and password for a short-lived bearer token (OAuth2 password flow).

    At most ``CASELEDGER_LOGIN_MAX_FAILURES`` attempts per window for an account and for an address; beyond,
    429 with ``Retry-After``. An address the account has signed in from before is not held back by the
    account's count, only by its own.
    """
    address = throttle.client_address(
        request.client.host if request.client else None,
        request.headers.getlist("x-forwarded-for"),
        runtime.settings.trusted_proxies,
    )
    now = runtime.clock.now()
    throttling = signin.Throttling.of(runtime.settings)
    issued = signin.sign_in(
        runtime.database, throttling, username, password, address, now, signin.token_for(runtime.tokens, now)
    )
    return TokenResponse(access_token=issued.token, expires_in=issued.expires_in)


@router.get("/me", response_model=Me)
def me(runtime: RuntimeDep, principal: Principal = requires(Permission.SELF_READ)) -> Me:
    """The signed-in user, their agency, roles and permissions, and the officer the account is, if it is one."""
    with runtime.database.transaction(write=False) as session:
        agency = agency_of(session, principal.agency_id)
        officer = officer_of_user(session, principal.user_id)
    return Me(
        user_id=str(principal.user_id),
        username=principal.username,
        display_name=principal.display_name,
        agency=AgencySummary(code=agency.code, name=agency.name),
        roles=list(principal.roles),
        permissions=sorted(principal.permissions),
        token_expires_at=principal.token_expires_at.isoformat(),
        officer_id=str(officer.id) if officer is not None and officer.agency_id == principal.agency_id else None,
    )


@router.post("/logout", status_code=204)
def logout(session: WriteSession, runtime: RuntimeDep, principal: Principal = requires(Permission.SELF_READ)) -> None:
    """Revoke the token used for this request."""
    signin.revoke_token(session, principal, runtime.clock.now())


@router.put("/password", status_code=204)
def change_password(
    body: PasswordChange, runtime: RuntimeDep, principal: Principal = requires(Permission.SELF_READ)
) -> None:
    """Change your own password, giving the current one: every session of yours ends, this one included.

    Wrong current passwords count against the account like failed sign-ins (429 with ``Retry-After`` beyond).
    """
    signin.change_own_password(
        runtime.database,
        signin.Throttling.of(runtime.settings),
        principal,
        body.current_password,
        body.new_password,
        runtime.clock.now(),
    )


@router.post("/logout-everywhere", status_code=204)
def logout_everywhere(
    session: WriteSession, runtime: RuntimeDep, principal: Principal = requires(Permission.SELF_READ)
) -> None:
    """End every session of the signed-in user: all their tokens, this one included, are refused from now on."""
    agency = agency_of(session, principal.agency_id)
    end_sessions(session, agency, signin.user_of(session, principal), principal.actor, runtime.clock.now())
