"""One strict reading of each policy file: unknown keys refused, "false" is not a boolean, a number is a number."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from service.cases.policy import CasePolicyError, load_case_policy
from service.cases.review_requirement import ReviewCatalogueError, load_review_catalogue
from service.officers.policy import OfficerPolicyError, load_officer_policy
from service.publicity.policy import PublicityPolicyError, load_publicity_policy

POLICIES = Path(__file__).resolve().parents[2] / "policies"


def _edited(tmp_path: Path, name: str, old: str, new: str) -> Path:
    text = (POLICIES / name).read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / name
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ("officers_see_unit_cases: true", 'officers_see_unit_cases: "false"', "officers_see_unit_cases"),
        ("claimed_at_max_lag_hours: 72", 'claimed_at_max_lag_hours: "72"', "claimed_at_max_lag_hours"),
        ("due_soon_working_days: 3", "due_soon_working_days: 3\n  due_soon_workdays: 5", "due_soon_workdays"),
        ("visibility:", "visiblity:", "visiblity"),
    ],
)
def test_the_case_policy_is_read_strictly(tmp_path: Path, old: str, new: str, problem: str) -> None:
    with pytest.raises(CasePolicyError, match=problem):
        load_case_policy(_edited(tmp_path, "cases.yaml", old, new))


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ("review_required: true", "review_required: 'no'", "review_required"),
        ("reviewer_share_target_percent: 5", "reviewer_share_target_percent: 500", "reviewer_share_target_percent"),
        ("reports:", "report:", "report"),
        ("  gas_safety: 燃气安全", "  Gas Safety: 燃气安全", "categories"),  # a slug, as the catalogue's
    ],
)
def test_the_officer_policy_is_read_strictly(tmp_path: Path, old: str, new: str, problem: str) -> None:
    with pytest.raises(OfficerPolicyError, match=problem):
        load_officer_policy(_edited(tmp_path, "officers.yaml", old, new))


def test_every_category_of_the_sample_catalogue_has_its_name() -> None:
    """A refusal names the category a certificate does not cover (交通运输行政执法证件管理规定 第二十二条, by
    analogy) by the name policies/officers.yaml gives it."""
    catalogue = yaml.safe_load((POLICIES / "catalogue" / "tiemen-sample.yaml").read_text(encoding="utf-8"))
    named = load_officer_policy(POLICIES / "officers.yaml").qualification.category_names
    assert {item["category"] for item in catalogue["items"]} <= set(named)


@pytest.mark.parametrize("load", [load_case_policy, load_officer_policy])
def test_the_shipped_files_load(load: Callable[[Path], object]) -> None:
    name = "cases.yaml" if load is load_case_policy else "officers.yaml"
    assert load(POLICIES / name) is not None


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ("mask_person_name: true", 'mask_person_name: "false"', "mask_person_name"),
        ("publish_working_days: 7", "publish_working_days: 7.5", "publish_working_days"),
        ("redaction:", "redactions:", "redactions"),
    ],
)
def test_the_publicity_policy_is_read_strictly(tmp_path: Path, old: str, new: str, problem: str) -> None:
    with pytest.raises(PublicityPolicyError, match=problem):
        load_publicity_policy(_edited(tmp_path, "publicity.yaml", old, new))


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ("  hearing_held: true", "  hearing_held: 'false'", "hearing_held"),
        ("quorum: 3", "quorum: 0", "quorum"),
        ("order_close,", "order_closure,", "order_closure"),
        ("  discretion_departure: true", "  discretion_departure: true\n  major: true", "major"),
    ],
)
def test_the_review_catalogue_is_read_strictly(tmp_path: Path, old: str, new: str, problem: str) -> None:
    with pytest.raises(ReviewCatalogueError, match=problem):
        load_review_catalogue(_edited(tmp_path, "review-catalogue.yaml", old, new))
