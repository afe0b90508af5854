"""Reading the principal a verified token names: the columns, and the checks on them, in one place.

Every request's principal is read from the database, never kept: a disabled user, a revoked token, a changed
token version (a password change, new roles, "log out everywhere") is refused on the very next request. The
statement is :data:`PRINCIPAL`; a route that reads more (the case view) adds its own columns to it, so the
principal and what it asks for come back in one round trip, and :func:`principal_of` checks the row either way.
"""

from __future__ import annotations

import uuid
from typing import Any, NamedTuple

from sqlalchemy import bindparam, select

from service.agencies.models import Agency
from service.auth.models import RevokedToken, User
from service.auth.permissions import RolePolicy
from service.auth.principal import Principal
from service.auth.tokens import Claims
from service.errors import NotAuthenticated

# The user a token names: the columns a principal needs (not the user entity: no identity map for a read of
# seven values on every request), their agency's code, and whether the token was revoked. Built once: its
# parameters are :func:`principal_params`.
PRINCIPAL = (
    select(
        User.id.label("user_id"),
        User.username,
        User.display_name,
        User.agency_id,
        User.roles,
        User.disabled,
        User.token_version,
        Agency.code.label("agency_code"),
        select(RevokedToken.token_id)
        .where(RevokedToken.token_id == bindparam("principal_token"))
        .exists()
        .label("token_revoked"),
    )
    .join(Agency, Agency.id == User.agency_id)
    .where(User.id == bindparam("principal_user"))
)


class PrincipalRow(NamedTuple):
    """A row of :data:`PRINCIPAL`'s columns, in their order, for a statement that reads them as plain values (the
    case view's and a step's, service/cases/service.py)."""

    user_id: uuid.UUID
    username: str
    display_name: str
    agency_id: uuid.UUID
    roles: list[str]
    disabled: bool
    token_version: int
    agency_code: str
    token_revoked: bool


assert list(PrincipalRow._fields) == [c.key for c in PRINCIPAL.selected_columns], "PrincipalRow follows PRINCIPAL"


def principal_params(claims: Claims) -> dict[str, Any]:
    return {"principal_user": claims.subject, "principal_token": claims.token_id}


def principal_of(row: Any, claims: Claims, roles: RolePolicy) -> Principal:
    """The principal of a row of :data:`PRINCIPAL` (``None``: no such user), or ``NotAuthenticated``."""
    if row is None:
        raise NotAuthenticated("unknown user", "用户不存在")
    if row.token_revoked:
        raise NotAuthenticated("token has been revoked", "令牌已注销")
    if row.disabled:
        # A disabled user's tokens stop working at once.
        raise NotAuthenticated("user is disabled", "用户已停用")
    if claims.token_version != row.token_version:
        # Issued before a password change, a reset, disabling, enabling, a change of roles or "log out
        # everywhere" (service/auth/users.py): the change ended this session.
        raise NotAuthenticated("token has been superseded: sign in again", "令牌已失效，请重新登录")
    return Principal(
        user_id=row.user_id,
        username=row.username,
        display_name=row.display_name,
        agency_id=row.agency_id,
        agency_code=row.agency_code,
        roles=tuple(row.roles),
        permissions=roles.permissions(row.roles),
        token_id=claims.token_id,
        token_expires_at=claims.expires_at,
    )
