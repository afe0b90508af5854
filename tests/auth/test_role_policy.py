"""policies/roles.yaml is read by a strict model; a file that relaxes the separation of duties is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.auth.duties import DutyRule, check_admins_remain, check_role_combination
from service.auth.permissions import RolePolicyError, load_role_policy, parse_role_policy
from service.errors import SeparationOfDutiesRefusal

SHIPPED = Path(__file__).resolve().parent.parent.parent / "policies" / "roles.yaml"
DUTIES = """\
  incompatible_roles:
    admin: [officer, reviewer, head]
  change_own_roles: false
  approve_own_signing_key: false
  minimum_active_admins: 1
"""


def roles_file(duties: str = DUTIES) -> bytes:
    text = SHIPPED.read_text(encoding="utf-8")
    head = text[: text.index("separation_of_duties:")]
    return (head + "separation_of_duties:\n" + duties).encode()


def test_the_shipped_policy_keeps_admin_apart_from_every_role_that_writes_or_signs() -> None:
    duties = load_role_policy(SHIPPED).duties
    assert duties.incompatible_roles["admin"] == {"officer", "reviewer", "head"}
    assert duties.minimum_active_admins == 1


def test_the_rebuilt_file_of_these_tests_parses() -> None:
    assert parse_role_policy(roles_file()).duties == load_role_policy(SHIPPED).duties


@pytest.mark.parametrize(
    ("duties", "message"),
    [
        (DUTIES + "  allow_everything: true\n", "allow_everything: Extra inputs are not permitted"),
        (DUTIES.replace("change_own_roles: false", 'change_own_roles: "false"'), "change_own_roles"),
        (DUTIES.replace("change_own_roles: false", "change_own_roles: 0"), "change_own_roles"),
        (DUTIES.replace("change_own_roles: false", "change_own_roles: true"), "change_own_roles: must be false"),
        (
            DUTIES.replace("approve_own_signing_key: false", "approve_own_signing_key: true"),
            "approve_own_signing_key: must be false",
        ),
        (DUTIES.replace("[officer, reviewer, head]", "[officer, reviewer]"), "missing head"),
        (DUTIES.replace("[officer, reviewer, head]", "[officer, reviewer, head, admin]"), "incompatible with itself"),
        (DUTIES.replace("[officer, reviewer, head]", "[officer, reviewer, hed]"), "incompatible_roles"),
        (DUTIES.replace("minimum_active_admins: 1", "minimum_active_admins: 0"), "minimum_active_admins"),
        (DUTIES.replace("minimum_active_admins: 1", 'minimum_active_admins: "1"'), "minimum_active_admins"),
        (DUTIES.replace("  minimum_active_admins: 1\n", ""), "minimum_active_admins: Field required"),
    ],
)
def test_a_policy_that_relaxes_or_misstates_the_separation_of_duties_is_refused(duties: str, message: str) -> None:
    with pytest.raises(RolePolicyError, match=message):
        parse_role_policy(roles_file(duties))


def test_a_policy_without_the_separation_of_duties_is_refused() -> None:
    text = SHIPPED.read_text(encoding="utf-8")
    with pytest.raises(RolePolicyError, match="separation_of_duties: Field required"):
        parse_role_policy(text[: text.index("separation_of_duties:")].encode())


def test_an_unknown_top_level_key_is_refused() -> None:
    with pytest.raises(RolePolicyError, match="extra_roles"):
        parse_role_policy(roles_file() + b"extra_roles: {}\n")


def test_incompatibility_is_checked_in_both_directions_and_named_once() -> None:
    duties = load_role_policy(SHIPPED).duties
    with pytest.raises(SeparationOfDutiesRefusal) as refused:
        check_role_combination(duties, ["head", "officer", "admin"])
    assert refused.value.rule == DutyRule.INCOMPATIBLE_ROLES
    assert refused.value.extra["pairs"] == [["admin", "head"], ["admin", "officer"]]
    check_role_combination(duties, ["officer", "reviewer"])


def test_a_policy_may_require_two_active_admins() -> None:
    duties = parse_role_policy(
        roles_file(DUTIES.replace("minimum_active_admins: 1", "minimum_active_admins: 2"))
    ).duties
    check_admins_remain(duties, 2)
    with pytest.raises(SeparationOfDutiesRefusal, match="at least 2 must remain"):
        check_admins_remain(duties, 1)
