"""``/api/v1/auth``: OAuth2 password flow, who am I, logout."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from pydantic import BaseModel
from sqlalchemy import delete, select

from service.agencies.service import agency_of
from service.auth import throttle
from service.auth.deps import PUBLIC, Principal, RuntimeDep, WriteSession, requires
from service.auth.models import RevokedToken, User, UserCredential
from service.auth.passwords import verify_password
from service.auth.permissions import Permission
from service.errors import NotAuthenticated

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int


class AgencySummary(BaseModel):
    code: str
    name: str


class Me(BaseModel):
    user_id: str
    username: str
    display_name: str
    agency: AgencySummary
    roles: list[str]
    permissions: list[str]
    token_expires_at: str


@router.post("/token", response_model=TokenResponse, dependencies=[PUBLIC])
def issue_token(
    request: Request,
    runtime: RuntimeDep,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
) -> TokenResponse:
    """Exchange a username and password for a short-lived bearer token (OAuth2 password flow)."""
    settings = runtime.settings
    now = runtime.clock.now()
    window = timedelta(seconds=settings.login_window_seconds)
    keys = throttle.throttle_keys(username, request.client.host if request.client else None)
    with runtime.database.transaction() as session:
        throttle.refuse_if_throttled(session, keys, now, window=window, max_failures=settings.login_max_failures)
    with runtime.database.transaction(write=False) as session:
        found = session.execute(
            select(User, UserCredential.password_hash)
            .outerjoin(UserCredential, UserCredential.user_id == User.id)
            .where(User.username == username)
        ).one_or_none()
    user, stored_hash = found if found is not None else (None, None)
    # Argon2 runs whether or not the user exists, outside any transaction.
    valid = verify_password(password, stored_hash)
    if not valid or user is None or user.disabled:
        with runtime.database.transaction() as session:
            throttle.record_failure(session, keys, now, window=window)
        raise NotAuthenticated("wrong username or password", "用户名或密码错误")
    with runtime.database.transaction() as session:
        throttle.clear(session, keys[0])
    issued = runtime.tokens.issue(user.id, now)
    return TokenResponse(access_token=issued.token, expires_in=issued.expires_in)


@router.get("/me", response_model=Me)
def me(runtime: RuntimeDep, principal: Principal = requires(Permission.SELF_READ)) -> Me:
    """The signed-in user, their agency, roles and permissions."""
    with runtime.database.transaction(write=False) as session:
        agency = agency_of(session, principal.agency_id)
    return Me(
        user_id=str(principal.user_id),
        username=principal.username,
        display_name=principal.display_name,
        agency=AgencySummary(code=agency.code, name=agency.name),
        roles=list(principal.roles),
        permissions=sorted(principal.permissions),
        token_expires_at=principal.token_expires_at.isoformat(),
    )


@router.post("/logout", status_code=204)
def logout(session: WriteSession, runtime: RuntimeDep, principal: Principal = requires(Permission.SELF_READ)) -> None:
    """Revoke the token used for this request."""
    now = runtime.clock.now()
    session.execute(delete(RevokedToken).where(RevokedToken.expires_at < now))
    session.add(RevokedToken(token_id=principal.token_id, expires_at=principal.token_expires_at))
