"""Users of an agency: creation, roles, disabling, passwords. Each change is a ledger entry.

Changes to who may act are held to the separation of duties of ``policies/roles.yaml`` (service/auth/duties.py),
checked on the agency's users as read under a lock that serialises such changes, before anything is recorded.

A user's *token version* is a fold of their stream: every entry that should end the sessions it finds (a
password set, disabled, enabled, roles changed, signed out everywhere) adds one, so replay recomputes it and
tokens carrying an older version are refused (service/auth/deps.py).
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.agencies.models import Agency
from service.agencies.service import agency_of, agency_ref, entry_agency_id
from service.auth import duties as duty
from service.auth.models import User, UserCredential
from service.auth.passwords import hash_password, password_problems
from service.auth.permissions import Role, SeparationOfDuties
from service.auth.principal import Principal
from service.errors import AlreadyExists, InvalidInput, NotFound
from service.ledger.canonical import EntryContent
from service.ledger.projection import AgencyRef, projector, record

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


def user_stream(user_id: uuid.UUID) -> str:
    return f"user:{user_id}"


def _check_roles(roles: list[str]) -> list[str]:
    if not roles:
        raise InvalidInput("a user needs at least one role", "用户至少需要一个角色")
    unknown = [r for r in roles if r not in Role.__members__.values()]
    if unknown:
        raise InvalidInput(
            f"unknown role(s): {', '.join(unknown)}; known: {', '.join(Role)}",
            f"未知角色：{', '.join(unknown)}；可用角色：{', '.join(Role)}",
        )
    return sorted(set(roles))


def _check_password(password: str) -> None:
    problems = password_problems(password)
    if problems:
        raise InvalidInput("password needs " + " and ".join(problems), "密码不符合要求：" + "，".join(problems))


def create_user(
    session: Session,
    agency: Agency,
    *,
    username: str,
    display_name: str,
    roles: list[str],
    password: str,
    duties: SeparationOfDuties,
    actor: str,
    at: datetime,
) -> User:
    if not USERNAME.match(username):
        raise InvalidInput(
            "username must be 2–64 characters: lowercase letters, digits, '.', '_' or '-'",
            "用户名须为2至64位小写字母、数字、点、下划线或连字符",
        )
    clean_roles = _check_roles(roles)
    duty.check_role_combination(duties, clean_roles)
    _check_password(password)
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise AlreadyExists(
            f"username {username!r} is taken", f"用户名 {username!r} 已被占用", extra={"field": "username"}
        )
    user_id = uuid.uuid4()
    ref = agency_ref(agency)
    record(
        session,
        ref,
        stream=user_stream(user_id),
        type="agency:user:created",
        actor=actor,
        at=at,
        body={
            "user_id": user_id,
            "username": username,
            "display_name": display_name.strip() or username,
            "roles": clean_roles,
        },
    )
    _store_password(session, ref, user_id, password, actor, at)
    user = session.get(User, user_id)
    assert user is not None
    return user


def _store_password(
    session: Session, ref: AgencyRef, user_id: uuid.UUID, password: str, actor: str, at: datetime
) -> None:
    credential = session.get(UserCredential, user_id)
    if credential is None:
        session.add(UserCredential(user_id=user_id, password_hash=hash_password(password), changed_at=at))
    else:
        credential.password_hash = hash_password(password)
        credential.changed_at = at
    # The ledger records that the password was set, never the password or its hash.
    record(
        session,
        ref,
        stream=user_stream(user_id),
        type="agency:user:password_set",
        actor=actor,
        at=at,
        body={"user_id": user_id},
    )


def find_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"no user {username!r}", f"用户 {username!r} 不存在")
    return user


def set_password(session: Session, agency: Agency, user: User, password: str, actor: str, at: datetime) -> None:
    _check_password(password)
    _store_password(session, agency_ref(agency), user.id, password, actor, at)


def _lock_users_of(session: Session, agency: Agency, user: User) -> None:
    """Serialise changes to who may act in ``agency`` and re-read ``user`` under that lock.

    PostgreSQL: the agency's row, ``FOR NO KEY UPDATE`` (rows that merely reference the agency are not held up);
    SQLite: the writing transaction's ``BEGIN IMMEDIATE`` already holds the database's write lock.
    """
    session.execute(select(Agency.id).where(Agency.id == agency.id).with_for_update(key_share=True))
    session.refresh(user)


def _active_admins_besides(session: Session, agency: Agency, user: User) -> int:
    others = session.execute(
        select(User.roles, User.disabled).where(User.agency_id == agency.id, User.id != user.id)
    ).all()
    return sum(duty.is_active_admin(roles, disabled) for roles, disabled in others)


def set_disabled(
    session: Session,
    agency: Agency,
    user: User,
    disabled: bool,
    *,
    duties: SeparationOfDuties,
    actor: str,
    at: datetime,
) -> None:
    """Disable or enable ``user``; either ends the sessions they had (their token version moves on)."""
    _lock_users_of(session, agency, user)
    if user.disabled == disabled:
        return
    if disabled and duty.is_active_admin(user.roles, user.disabled):
        duty.check_admins_remain(duties, _active_admins_besides(session, agency, user))
    record(
        session,
        agency_ref(agency),
        stream=user_stream(user.id),
        type="agency:user:disabled" if disabled else "agency:user:enabled",
        actor=actor,
        at=at,
        body={"user_id": user.id},
    )


def set_roles(
    session: Session,
    agency: Agency,
    user: User,
    roles: list[str],
    *,
    duties: SeparationOfDuties,
    acting_user: uuid.UUID | None,
    actor: str,
    at: datetime,
) -> None:
    """Replace ``user``'s roles. ``acting_user`` is the user making the change (None: the operator's CLI)."""
    duty.check_not_own_roles(duties, acting_user, user.id)
    clean_roles = _check_roles(roles)
    duty.check_role_combination(duties, clean_roles)
    _lock_users_of(session, agency, user)
    if duty.is_active_admin(user.roles, user.disabled) and Role.ADMIN not in clean_roles:
        duty.check_admins_remain(duties, _active_admins_besides(session, agency, user))
    record(
        session,
        agency_ref(agency),
        stream=user_stream(user.id),
        type="agency:user:roles_changed",
        actor=actor,
        at=at,
        body={"user_id": user.id, "roles": clean_roles},
    )


def end_sessions(session: Session, agency: Agency, user: User, actor: str, at: datetime) -> None:
    """Log ``user`` out everywhere: every token issued to them so far is refused from now on."""
    record(
        session,
        agency_ref(agency),
        stream=user_stream(user.id),
        type="agency:user:sessions_ended",
        actor=actor,
        at=at,
        body={"user_id": user.id},
    )


@projector("agency:user:unlocked")
def _user_unlocked(session: Session, entry: EntryContent) -> None:
    """An unlock changes no projected state: the sign-in counts it clears are operational rows outside the
    ledger (service/auth/throttle.py); the entry records who unlocked the account, and when."""


@projector("agency:user:created")
def _user_created(session: Session, entry: EntryContent) -> None:
    body = entry.body
    session.add(
        User(
            id=uuid.UUID(body["user_id"]),
            agency_id=entry_agency_id(session, entry),
            username=body["username"],
            display_name=body["display_name"],
            roles=list(body["roles"]),
            disabled=False,
            token_version=0,
            created_at=entry.recorded_at,
            updated_at=entry.recorded_at,
        )
    )


def _projected_user(session: Session, entry: EntryContent) -> User:
    """The user an entry of their stream changes; each of these entries ends the sessions it finds."""
    user = session.get(User, uuid.UUID(entry.body["user_id"]))
    assert user is not None, f"entry {entry.type} names an unknown user"
    user.updated_at = entry.recorded_at
    user.token_version += 1
    return user


@projector("agency:user:disabled", "agency:user:enabled")
def _user_disabled(session: Session, entry: EntryContent) -> None:
    _projected_user(session, entry).disabled = entry.type == "agency:user:disabled"


@projector("agency:user:roles_changed")
def _user_roles(session: Session, entry: EntryContent) -> None:
    _projected_user(session, entry).roles = list(entry.body["roles"])


@projector("agency:user:password_set", "agency:user:sessions_ended")
def _user_sessions_ended(session: Session, entry: EntryContent) -> None:
    _projected_user(session, entry)


def user_of_agency(session: Session, principal: Principal, user_id: uuid.UUID) -> tuple[Agency, User]:
    """A user of the admin's own agency, with the agency; another agency's user answers 404."""
    user = session.get(User, user_id)
    if user is None or user.agency_id != principal.agency_id:
        raise NotFound("no such user", "用户不存在")
    return agency_of(session, principal.agency_id), user


def users_of_agency(session: Session, agency_id: uuid.UUID) -> list[User]:
    return list(session.scalars(select(User).where(User.agency_id == agency_id).order_by(User.username)))
