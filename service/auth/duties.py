"""Separation of duties (职责分离): pure rules over the policy of ``policies/roles.yaml``, no I/O.

Each check raises :class:`SeparationOfDutiesRefusal` (409) naming the rule of the policy that refused, before
anything is written. The services call them on state read under the lock that orders their append.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from enum import StrEnum

from service.auth.permissions import Role, SeparationOfDuties
from service.errors import SeparationOfDutiesRefusal


class DutyRule(StrEnum):
    """The rules of ``separation_of_duties``, named as in the policy file and in every refusal."""

    INCOMPATIBLE_ROLES = "incompatible_roles"
    CHANGE_OWN_ROLES = "change_own_roles"
    APPROVE_OWN_SIGNING_KEY = "approve_own_signing_key"
    MINIMUM_ACTIVE_ADMINS = "minimum_active_admins"


def check_role_combination(duties: SeparationOfDuties, roles: Iterable[str]) -> None:
    """One person may not hold two roles the policy declares incompatible (admin with officer, ...)."""
    pairs = duties.incompatible_pairs(roles)
    if pairs:
        named = ", ".join(f"{a}+{b}" for a, b in pairs)
        raise SeparationOfDutiesRefusal(
            DutyRule.INCOMPATIBLE_ROLES,
            f"one person may not hold these roles together: {named}",
            f"同一人不得同时担任下列角色：{named}",
            pairs=[[str(a), str(b)] for a, b in pairs],
        )


def incompatible_holdings(duties: SeparationOfDuties, roles: Iterable[str]) -> list[str]:
    """The pairs of ``roles`` one person may not hold together, written ``admin+officer``; empty when the rule
    allows them. Accounts created before the rule may hold such pairs (they keep them until their roles are next
    changed): the users list and ``caseledger user check`` name them, so that an admin splits them."""
    return [f"{a}+{b}" for a, b in duties.incompatible_pairs(roles)]


def check_not_own_roles(duties: SeparationOfDuties, actor: uuid.UUID | None, user: uuid.UUID) -> None:
    """Nobody grants or takes away their own roles (``actor`` is None for the operator's command line)."""
    if not duties.change_own_roles and actor == user:
        raise SeparationOfDutiesRefusal(
            DutyRule.CHANGE_OWN_ROLES,
            "nobody may change their own roles: another admin must do it",
            "任何人不得变更自己的角色，须由其他管理员办理",
        )


def check_not_own_key(duties: SeparationOfDuties, actor: uuid.UUID, key_owner: uuid.UUID) -> None:
    """A signing key is approved by someone other than the person who will sign with it."""
    if not duties.approve_own_signing_key and actor == key_owner:
        raise SeparationOfDutiesRefusal(
            DutyRule.APPROVE_OWN_SIGNING_KEY,
            "nobody may approve their own signing key: another admin must do it",
            "任何人不得批准自己的签名密钥，须由其他管理员批准",
        )


def check_admins_remain(duties: SeparationOfDuties, active_admins_after: int) -> None:
    """A change that would leave the agency with fewer active admins than the policy requires is refused."""
    if active_admins_after < duties.minimum_active_admins:
        raise SeparationOfDutiesRefusal(
            DutyRule.MINIMUM_ACTIVE_ADMINS,
            f"the agency would keep {active_admins_after} active admin(s); at least "
            f"{duties.minimum_active_admins} must remain: add another admin first",
            f"本执法主体须至少保留 {duties.minimum_active_admins} 名在用管理员，此操作后仅剩 {active_admins_after} 名，"
            "请先增设管理员",
            minimum=duties.minimum_active_admins,
        )


def is_active_admin(roles: Iterable[str], disabled: bool) -> bool:
    return not disabled and Role.ADMIN in set(roles)
