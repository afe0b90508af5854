"""Request dependencies: the transaction of a request, and who is asking.

Every route declares exactly one of :func:`requires` (a permission) or :data:`PUBLIC`; a test walks the
routes and fails on any that does neither.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.orm import Session

from service.auth.permissions import Permission, RolePolicy
from service.auth.principal import Principal
from service.auth.principal_read import PRINCIPAL, principal_of, principal_params
from service.auth.tokens import Claims, InvalidToken
from service.errors import Forbidden, NotAuthenticated
from service.runtime import Runtime, get_runtime, runtime_of

RuntimeDep = Annotated[Runtime, Depends(get_runtime)]

_TOKEN_URL = "/api/v1/auth/token"
bearer = OAuth2PasswordBearer(tokenUrl=_TOKEN_URL, auto_error=False)


# request.state's key for the request's own session: ``requires`` reads the principal in it, so a request is
# one transaction, its authentication included.
_SESSION = "caseledger_session"


# The request's transaction: async, because opening it does no I/O (the session connects at its first statement,
# in the endpoint's thread), so it costs no hop through the thread pool; ending it — the commit, or the rollback
# of a request that failed — is I/O, and runs in the pool. The same unit of work as ``Database.transaction``.


@asynccontextmanager
async def _transaction(request: Request, runtime: Runtime, *, write: bool) -> AsyncIterator[Session]:
    session = runtime.database.open_transaction(write=write)
    setattr(request.state, _SESSION, session)
    try:
        yield session
    except BaseException:
        delattr(request.state, _SESSION)
        await run_in_threadpool(runtime.database.end_transaction, session, write=write, failed=True)
        raise
    delattr(request.state, _SESSION)
    await run_in_threadpool(runtime.database.end_transaction, session, write=write, failed=False)


def wake_integrator(request: Request) -> None:
    """After a commit: let the integrator place the new entries in the log."""
    runner = getattr(request.app.state, "integrator", None)
    if runner is not None:
        runner.wake()


async def _write_session(request: Request, runtime: RuntimeDep) -> AsyncIterator[Session]:
    async with _transaction(request, runtime, write=True) as session:
        yield session
    wake_integrator(request)


async def _read_session(request: Request, runtime: RuntimeDep) -> AsyncIterator[Session]:
    async with _transaction(request, runtime, write=False) as session:
        yield session


async def _statement_session(request: Request, runtime: RuntimeDep) -> AsyncIterator[Session]:
    # async: making the session does no I/O (it connects at its first statement, in the endpoint's thread), and
    # on PostgreSQL closing an autocommit session sends nothing, so neither costs a hop through the thread pool;
    # on SQLite the close ends a reading transaction on the file, in the pool.
    session = runtime.database.statement_session()
    setattr(request.state, _SESSION, session)
    try:
        yield session
    finally:
        delattr(request.state, _SESSION)
        if runtime.database.is_sqlite:
            await run_in_threadpool(session.close)
        else:
            session.close()


# scope="function": the transaction ends when the endpoint returns, before the response is sent, so a
# client never sees success for a write that did not commit.
WriteSession = Annotated[Session, Depends(_write_session, scope="function")]
ReadSession = Annotated[Session, Depends(_read_session, scope="function")]
# For busy reads (the case list and search; the case view opens its own), which read in a few statements and hold
# no cursor open: on PostgreSQL each statement in autocommit, sparing a transaction's BEGIN and ROLLBACK round
# trips. Under READ COMMITTED, which the service runs at, each statement of a transaction takes its own snapshot
# anyway, so what such a read sees is the same (service/db.py, ``Database.statements``).
StatementSession = Annotated[Session, Depends(_statement_session, scope="function")]


def verified_claims(runtime: Runtime, token: str | None) -> Claims:
    """The claims of a token this service signed, valid now; what the database knows is checked after."""
    if not token:
        raise NotAuthenticated()
    try:
        return runtime.tokens.verify(token, runtime.clock.now())
    except InvalidToken:
        raise NotAuthenticated("invalid or expired token", "令牌无效或已过期") from None


def authenticate(runtime: Runtime, token: str | None, session: Session | None = None) -> Principal:
    """The principal ``token`` names, read in ``session`` (the request's own) or, without one, in a transaction of
    its own."""
    claims = verified_claims(runtime, token)
    if session is None:
        with runtime.database.transaction(write=False) as own:
            return _principal(runtime, own, claims)
    return _principal(runtime, session, claims)


def _principal(runtime: Runtime, session: Session, claims: Claims) -> Principal:
    # One statement: the user, their agency's code and whether the token was revoked.
    row = session.execute(PRINCIPAL, principal_params(claims)).one_or_none()
    principal = principal_of(row, claims, runtime.roles)
    _remember_permissions(claims, principal.permissions)
    return principal


# The permissions last read for a user at a token version, by this process: a hint only, never an authority.
# Every change of a user bumps their token version (service/auth/users.py), so a user's roles at one version do
# not change; but the hint is never trusted to let a request through — the route's statement reads and checks the
# principal — and a refusal it suggests is confirmed by reading the principal before it is answered. It lets a
# route that reads its principal in its own statement refuse a missing permission (403) before its body is
# validated (422), as every other route does.
_KNOWN_PERMISSIONS: dict[tuple[uuid.UUID, int], frozenset[Permission]] = {}
_KNOWN_AT_MOST = 4096


def _remember_permissions(claims: Claims, permissions: frozenset[Permission]) -> None:
    if len(_KNOWN_PERMISSIONS) >= _KNOWN_AT_MOST:
        _KNOWN_PERMISSIONS.clear()
    _KNOWN_PERMISSIONS[(claims.subject, claims.token_version)] = permissions


def require_permission(principal: Principal, permission: Permission) -> Principal:
    if not principal.has(permission):
        raise Forbidden(
            f"your roles do not grant {permission}",
            f"您的角色不具有权限 {permission}",
            extra={"permission": str(permission)},
        )
    return principal


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
        return require_permission(principal, self.permission)


@dataclass(frozen=True)
class Bearer:
    """A verified token whose principal the route reads in its own statement (``PRINCIPAL`` with the
    route's columns added), then checks with :meth:`principal`: the same checks as :class:`Requires`, the same
    answers (401, then 403 for a missing permission), one round trip fewer."""

    claims: Claims
    permission: Permission
    roles: RolePolicy

    def principal(self, row: Any) -> Principal:
        return require_permission(principal_of(row, self.claims, self.roles), self.permission)


class RequiresInStatement(Requires, OAuth2PasswordBearer):
    """Dependency: like :class:`Requires` (the route declares ``permission``), but the principal is read by the
    route, in the statement that reads what it asks for.

    It is the bearer scheme itself (the OpenAPI document declares the same ``OAuth2PasswordBearer``) and takes
    only the request: no dependencies of its own. It is on the busiest routes — the case view and every step —
    whose routes open their own session (``Database.statements``, ``Database.transaction``): each dependency
    FastAPI solves costs every request (``bench instructions``: the case view with its bearer, the scheme and its
    session as three dependencies 4.93 M instructions, with none 4.36 M; ``bench/README.md``, stop 31)."""

    def __init__(self, permission: Permission) -> None:
        Requires.__init__(self, permission)
        OAuth2PasswordBearer.__init__(self, tokenUrl=_TOKEN_URL, scheme_name=bearer.scheme_name, auto_error=False)

    # async: checking a token's time (and, once per token and process, its signature) does no I/O; a plain def
    # would cost the request a hop through the thread pool.
    async def __call__(self, request: Request) -> Bearer:  # type: ignore[override]
        runtime = runtime_of(request)
        token = await bearer(request)  # the header read as the scheme reads it everywhere else
        claims = verified_claims(runtime, token)
        known = _KNOWN_PERMISSIONS.get((claims.subject, claims.token_version))
        if known is None or self.permission not in known:
            # Not seen yet, or seen without the permission: read the principal now (in the pool: it is I/O), so
            # that a refusal is 401 or 403 as the database has it, before the body is looked at.
            principal = await run_in_threadpool(authenticate, runtime, token)
            require_permission(principal, self.permission)
        return Bearer(claims, self.permission, runtime.roles)


class Public:
    """Dependency marker: the route is deliberately public (no authentication)."""

    async def __call__(self) -> None:  # async: no work, so no hop through the thread pool
        return None


PUBLIC = Depends(Public())


def requires(permission: Permission) -> Any:
    """``principal: Principal = requires(Permission.CASE_READ)`` in a route's parameters."""
    return Depends(Requires(permission))


def requires_in_statement(permission: Permission) -> Any:
    """``bearer: Bearer = requires_in_statement(Permission.CASE_READ)``: the route reads the principal itself."""
    return Depends(RequiresInStatement(permission))
