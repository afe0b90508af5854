"""Request dependencies: the transaction of a request, and who is asking.

Every route declares exactly one of :func:`requires` (a permission) or :data:`PUBLIC`; a test walks the
routes and fails on any that does neither.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.agencies.models import Agency
from service.auth.models import RevokedToken, User
from service.auth.permissions import Permission
from service.auth.principal import Principal
from service.auth.tokens import Claims, InvalidToken
from service.errors import Forbidden, NotAuthenticated
from service.runtime import Runtime, get_runtime

RuntimeDep = Annotated[Runtime, Depends(get_runtime)]

bearer = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


# request.state's key for the request's own session: ``requires`` reads the principal in it, so a request is
# one transaction, its authentication included.
_SESSION = "caseledger_session"


def _write_session(request: Request, runtime: RuntimeDep) -> Iterator[Session]:
    with runtime.database.transaction(write=True) as session:
        setattr(request.state, _SESSION, session)
        try:
            yield session
        finally:
            delattr(request.state, _SESSION)
    # Committed: let the integrator place the new entries in the log.
    runner = getattr(request.app.state, "integrator", None)
    if runner is not None:
        runner.wake()


def _read_session(request: Request, runtime: RuntimeDep) -> Iterator[Session]:
    with runtime.database.transaction(write=False) as session:
        setattr(request.state, _SESSION, session)
        try:
            yield session
        finally:
            delattr(request.state, _SESSION)


def _statement_session(request: Request, runtime: RuntimeDep) -> Iterator[Session]:
    with runtime.database.statements() as session:
        setattr(request.state, _SESSION, session)
        try:
            yield session
        finally:
            delattr(request.state, _SESSION)


# scope="function": the transaction ends when the endpoint returns, before the response is sent, so a
# client never sees success for a write that did not commit.
WriteSession = Annotated[Session, Depends(_write_session, scope="function")]
ReadSession = Annotated[Session, Depends(_read_session, scope="function")]
# For the busiest reads (a case, the case list), which read in a few statements and hold no cursor open: on
# PostgreSQL each statement in autocommit, sparing a transaction's BEGIN and ROLLBACK round trips. Under READ
# COMMITTED, which the service runs at, each statement of a transaction takes its own snapshot anyway, so what
# such a read sees is the same (service/db.py, ``Database.statements``).
StatementSession = Annotated[Session, Depends(_statement_session, scope="function")]


def authenticate(runtime: Runtime, token: str | None, session: Session | None = None) -> Principal:
    """The principal ``token`` names, read in ``session`` (the request's own) or, without one, in a transaction of
    its own."""
    if not token:
        raise NotAuthenticated()
    now = runtime.clock.now()
    try:
        claims = runtime.tokens.verify(token, now)
    except InvalidToken:
        raise NotAuthenticated("invalid or expired token", "令牌无效或已过期") from None
    if session is None:
        with runtime.database.transaction(write=False) as own:
            return _principal(runtime, own, claims)
    return _principal(runtime, session, claims)


# The columns a principal needs, not the user entity: no identity map, no instance state for a read of seven
# values on every request.
_PRINCIPAL_OF = select(
    User.id,
    User.username,
    User.display_name,
    User.agency_id,
    User.roles,
    User.disabled,
    User.token_version,
    Agency.code.label("agency_code"),
).join(Agency, Agency.id == User.agency_id)


def _principal(runtime: Runtime, session: Session, claims: Claims) -> Principal:
    # One statement: the user, their agency's code and whether the token was revoked.
    revoked = select(RevokedToken.token_id).where(RevokedToken.token_id == claims.token_id).exists()
    row = session.execute(_PRINCIPAL_OF.add_columns(revoked).where(User.id == claims.subject)).one_or_none()
    if row is None:
        raise NotAuthenticated("unknown user", "用户不存在")
    user, agency_code, is_revoked = row, row.agency_code, row[-1]
    if is_revoked:
        raise NotAuthenticated("token has been revoked", "令牌已注销")
    if user.disabled:
        # A disabled user's tokens stop working at once.
        raise NotAuthenticated("user is disabled", "用户已停用")
    if claims.token_version != user.token_version:
        # Issued before a password change, a reset, disabling, enabling, a change of roles or "log out
        # everywhere" (service/auth/users.py): the change ended this session.
        raise NotAuthenticated("token has been superseded: sign in again", "令牌已失效，请重新登录")
    return Principal(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        agency_id=user.agency_id,
        agency_code=agency_code,
        roles=tuple(user.roles),
        permissions=runtime.roles.permissions(user.roles),
        token_id=claims.token_id,
        token_expires_at=claims.expires_at,
    )


class Requires:
    """Dependency: an authenticated principal holding ``permission``."""

    def __init__(self, permission: Permission) -> None:
        self.permission = permission

    def __call__(
        self, request: Request, runtime: RuntimeDep, token: Annotated[str | None, Depends(bearer)]
    ) -> Principal:
        # The route's session, when it declares one (FastAPI solves it first: it comes before the principal,
        # which has a default): the request is one transaction. Without one, a transaction of its own.
        principal = authenticate(runtime, token, getattr(request.state, _SESSION, None))
        if not principal.has(self.permission):
            raise Forbidden(
                f"your roles do not grant {self.permission}",
                f"您的角色不具有权限 {self.permission}",
                extra={"permission": str(self.permission)},
            )
        return principal


class Public:
    """Dependency marker: the route is deliberately public (no authentication)."""

    async def __call__(self) -> None:  # async: no work, so no hop through the thread pool
        return None


PUBLIC = Depends(Public())


def requires(permission: Permission) -> Any:
    """``principal: Principal = requires(Permission.CASE_READ)`` in a route's parameters."""
    return Depends(Requires(permission))
