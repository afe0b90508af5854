"""``/api/v1/auth``: OAuth2 password flow, who am I, logout (of this session or of every one)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from sqlalchemy import delete, select

from service.agencies.service import agency_of
from service.auth import throttle
from service.auth.deps import PUBLIC, RuntimeDep, WriteSession, requires
from service.auth.models import RevokedToken, User, UserCredential
from service.auth.passwords import verify_password
from service.auth.permissions import Permission
from service.auth.principal import Principal
from service.auth.schemas import (
    AgencySummary,
    Me,
    PasswordChange,
    TokenResponse,
)
from service.auth.users import USERNAME, end_sessions, set_password
from service.errors import Forbidden, NotAuthenticated

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
    settings = runtime.settings
    now = runtime.clock.now()
    address = throttle.client_address(
        request.client.host if request.client else None,
        request.headers.getlist("x-forwarded-for"),
        settings.trusted_proxies,
    )
    keys = throttle.throttle_keys(username, address)
    with runtime.database.transaction() as session:
        # A name that cannot be a username is looked up nowhere (a NUL byte would not even reach PostgreSQL).
        found = (
            session.execute(
                select(User, UserCredential.password_hash)
                .outerjoin(UserCredential, UserCredential.user_id == User.id)
                .where(User.username == username)
            ).one_or_none()
            if USERNAME.match(username)
            else None
        )
        user, stored_hash = found if found is not None else (None, None)
        known = user is not None and throttle.is_known_address(
            session, user.id, address, now, remembered=timedelta(days=settings.login_known_address_days)
        )
        counted = [k for k in (None if known else keys.account, keys.address) if k is not None]
        throttle.reserve_attempt(
            session,
            counted,
            now,
            window=timedelta(seconds=settings.login_window_seconds),
            max_failures=settings.login_max_failures,
        )
    # Argon2 runs whether or not the user exists, outside any transaction, on a worker thread (a plain def).
    valid = verify_password(password, stored_hash)
    if not valid or user is None or user.disabled:
        raise NotAuthenticated("wrong username or password", "用户名或密码错误")
    with runtime.database.transaction() as session:
        throttle.forgive_attempt(session, keys, user.id, address, now)
    issued = runtime.tokens.issue(user.id, user.token_version, now)
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


@router.put("/password", status_code=204)
def change_password(
    body: PasswordChange, runtime: RuntimeDep, principal: Principal = requires(Permission.SELF_READ)
) -> None:
    """Change your own password, giving the current one: every session of yours ends, this one included.

    Wrong current passwords count against the account like failed sign-ins (429 with ``Retry-After`` beyond).
    """
    settings = runtime.settings
    now = runtime.clock.now()
    keys = throttle.throttle_keys(principal.username, None)
    with runtime.database.transaction() as session:
        credential = session.get(UserCredential, principal.user_id)
        stored_hash = credential.password_hash if credential is not None else None
        throttle.reserve_attempt(
            session,
            [keys.account],
            now,
            window=timedelta(seconds=settings.login_window_seconds),
            max_failures=settings.login_max_failures,
        )
    if not verify_password(body.current_password, stored_hash):
        raise Forbidden("the current password is wrong", "当前密码不正确")
    with runtime.database.transaction() as session:
        throttle.forgive_attempt(session, keys, principal.user_id, None, now)
        user = session.get(User, principal.user_id)
        assert user is not None  # authenticated in this request
        set_password(session, agency_of(session, principal.agency_id), user, body.new_password, principal.actor, now)


@router.post("/logout-everywhere", status_code=204)
def logout_everywhere(
    session: WriteSession, runtime: RuntimeDep, principal: Principal = requires(Permission.SELF_READ)
) -> None:
    """End every session of the signed-in user: all their tokens, this one included, are refused from now on."""
    user = session.get(User, principal.user_id)
    assert user is not None  # authenticated in this request
    end_sessions(session, agency_of(session, principal.agency_id), user, principal.actor, runtime.clock.now())
