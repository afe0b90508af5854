"""Roles and permissions, loaded from ``policies/roles.yaml``."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml

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


class RolePolicyError(ValueError):
    pass


@dataclass(frozen=True)
class RolePolicy:
    grants: dict[Role, frozenset[Permission]]
    version: str  # SHA-256 of the file's bytes

    def permissions(self, roles: list[str] | tuple[str, ...]) -> frozenset[Permission]:
        out: set[Permission] = set()
        for role in roles:
            out |= self.grants.get(Role(role), frozenset())
        return frozenset(out)


def parse_role_policy(data: bytes, source: str = "roles.yaml") -> RolePolicy:
    try:
        doc: Any = load_strict(data)
    except yaml.YAMLError as exc:
        raise RolePolicyError(f"{source}: not valid YAML: {exc}") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("roles"), dict):
        raise RolePolicyError(f"{source}: expected a mapping with 'roles'")
    grants: dict[Role, frozenset[Permission]] = {}
    for name, perms in doc["roles"].items():
        try:
            role = Role(name)
        except ValueError:
            raise RolePolicyError(f"{source}: roles.{name}: unknown role") from None
        if not isinstance(perms, list):
            raise RolePolicyError(f"{source}: roles.{name}: expected a list of permissions")
        granted = set()
        for perm in perms:
            try:
                granted.add(Permission(perm))
            except ValueError:
                raise RolePolicyError(f"{source}: roles.{name}: unknown permission {perm!r}") from None
        grants[role] = frozenset(granted)
    missing = set(Role) - set(grants)
    if missing:
        raise RolePolicyError(f"{source}: roles missing: {', '.join(sorted(missing))}")
    forbidden = grants[Role.ADMIN] & CASE_RECORD_WRITES
    if forbidden:
        raise RolePolicyError(
            f"{source}: roles.admin: the admin role may not create or change case records "
            f"({', '.join(sorted(forbidden))})"
        )
    return RolePolicy(grants, hashlib.sha256(data).hexdigest())


def load_role_policy(path: Path) -> RolePolicy:
    return parse_role_policy(path.read_bytes(), str(path.name))
