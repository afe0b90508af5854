"""Roles, permissions and the separation of duties, loaded from ``policies/roles.yaml``."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, ValidationError
from pydantic_core import ErrorDetails

from service.policy.strict_yaml import load_strict


class Role(StrEnum):
    OFFICER = "officer"  # 执法人员
    REVIEWER = "reviewer"  # 法制审核人员
    HEAD = "head"  # 负责人
    SUPERVISOR = "supervisor"  # 监督人员
    ADMIN = "admin"  # 系统管理员


class Permission(StrEnum):
    SELF_READ = "self:read"
    CATALOGUE_READ = "catalogue:read"
    CATALOGUE_MANAGE = "catalogue:manage"
    OFFICER_READ = "officer:read"
    OFFICER_MANAGE = "officer:manage"
    STAFF_TRAIN = "staff:train"  # record and read every staff member's trainings and exam results
    STAFF_MANAGE = "staff:manage"  # keep the staff register: people with or without an account (never public)
    CERTIFICATE_MANAGE = "certificate:manage"
    USER_MANAGE = "user:manage"
    SIGNING_KEY_REGISTER = "signing_key:register"
    SIGNING_KEY_APPROVE = "signing_key:approve"
    LEDGER_READ = "ledger:read"
    LEDGER_CHECKPOINT = "ledger:checkpoint"
    CASE_READ = "case:read"
    CASE_CREATE = "case:create"
    CASE_ACT = "case:act"
    CASE_APPROVE = "case:approve"
    CASE_DECIDE = "case:decide"
    CASE_AUDIT = "case:audit"
    EVIDENCE_UPLOAD = "evidence:upload"
    REVIEW_PERFORM = "review:perform"
    REPORT_READ = "report:read"
    CALENDAR_READ = "calendar:read"  # the working-day calendar and the deadline lists
    CALENDAR_MANAGE = "calendar:manage"  # load a State Council holiday notice (national, recorded in every ledger)


# Permissions that create or change case records. The admin role may never hold them: whoever runs the
# system must not be able to write the enforcement record.
CASE_RECORD_WRITES = frozenset(
    {
        Permission.CASE_CREATE,
        Permission.CASE_ACT,
        Permission.CASE_APPROVE,
        Permission.CASE_DECIDE,
        Permission.EVIDENCE_UPLOAD,
        Permission.REVIEW_PERFORM,
    }
)


# A role holding any of these signs statements with its own key; whoever approves keys must not hold it.
SIGNING = frozenset({Permission.SIGNING_KEY_REGISTER})


class RolePolicyError(ValueError):
    pass


_STRICT = ConfigDict(frozen=True, extra="forbid")


class SeparationOfDuties(BaseModel):
    """``separation_of_duties`` of ``policies/roles.yaml``: what one person may not hold or do (issue 17).

    The file states these rules; the loader refuses a file that relaxes them (see :func:`parse_role_policy`).
    """

    model_config = _STRICT

    # A user holding the role of a key may hold none of the roles listed for it.
    incompatible_roles: dict[Role, frozenset[Role]]
    change_own_roles: StrictBool
    approve_own_signing_key: StrictBool
    minimum_active_admins: Annotated[StrictInt, Field(ge=1)]

    def incompatible_pairs(self, roles: Iterable[str]) -> list[tuple[Role, Role]]:
        """The pairs of ``roles`` that one person may not hold together, each once, in a stable order."""
        held = {Role(r) for r in roles}
        pairs = {
            tuple(sorted((role, other)))
            for role in held
            for other in self.incompatible_roles.get(role, frozenset())
            if other in held
        }
        return sorted((Role(a), Role(b)) for a, b in pairs)


class _RolesFile(BaseModel):
    model_config = _STRICT

    version: Literal[1]
    roles: dict[Role, frozenset[Permission]]
    separation_of_duties: SeparationOfDuties


@dataclass(frozen=True)
class RolePolicy:
    grants: dict[Role, frozenset[Permission]]
    duties: SeparationOfDuties
    version: str  # SHA-256 of the file's bytes

    def permissions(self, roles: list[str] | tuple[str, ...]) -> frozenset[Permission]:
        out: set[Permission] = set()
        for role in roles:
            out |= self.grants.get(Role(role), frozenset())
        return frozenset(out)


def _where(error: ErrorDetails) -> str:
    return ".".join(str(p) for p in error["loc"]) or "(top)"


def parse_role_policy(data: bytes, source: str = "roles.yaml") -> RolePolicy:
    try:
        doc: Any = load_strict(data)
    except yaml.YAMLError as exc:
        raise RolePolicyError(f"{source}: not valid YAML: {exc}") from exc
    try:
        parsed = _RolesFile.model_validate(doc)
    except ValidationError as exc:
        problems = "; ".join(f"{_where(e)}: {e['msg']}" for e in exc.errors())
        raise RolePolicyError(f"{source}: {problems}") from None
    grants = parsed.roles
    missing = set(Role) - set(grants)
    if missing:
        raise RolePolicyError(f"{source}: roles missing: {', '.join(sorted(missing))}")
    forbidden = grants[Role.ADMIN] & CASE_RECORD_WRITES
    if forbidden:
        raise RolePolicyError(
            f"{source}: roles.admin: the admin role may not create or change case records "
            f"({', '.join(sorted(forbidden))})"
        )
    _refuse_relaxed_duties(parsed.separation_of_duties, grants, source)
    return RolePolicy(grants, parsed.separation_of_duties, hashlib.sha256(data).hexdigest())


def _refuse_relaxed_duties(duties: SeparationOfDuties, grants: dict[Role, frozenset[Permission]], source: str) -> None:
    """The file may add incompatibilities; it may not take away those issue 17 requires."""
    where = f"{source}: separation_of_duties"
    for role, others in duties.incompatible_roles.items():
        if role in others:
            raise RolePolicyError(f"{where}.incompatible_roles.{role}: a role cannot be incompatible with itself")
    # Whoever administers users and approves keys never writes case records or signs.
    writers = {role for role, perms in grants.items() if perms & (CASE_RECORD_WRITES | SIGNING)}
    missing = writers - duties.incompatible_roles.get(Role.ADMIN, frozenset())
    if missing:
        raise RolePolicyError(
            f"{where}.incompatible_roles.admin: must list every role that writes case records or signs; "
            f"missing {', '.join(sorted(missing))}"
        )
    for rule in ("change_own_roles", "approve_own_signing_key"):
        if getattr(duties, rule):
            raise RolePolicyError(f"{where}.{rule}: must be false (nobody acts on their own authority)")


def load_role_policy(path: Path) -> RolePolicy:
    return parse_role_policy(path.read_bytes(), str(path.name))
