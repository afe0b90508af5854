"""``policies/officers.yaml``: units, the enforcement categories' names, the qualification policy, report thresholds."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from service.officers.qualification import QualificationPolicy
from service.policy.catalogue import Slug
from service.policy.strict_yaml import load_strict


class OfficerPolicyError(ValueError):
    pass


@dataclass(frozen=True)
class OfficerPolicy:
    units: dict[str, str]
    qualification: QualificationPolicy
    expiring_within_days: int
    reviewer_share_target_percent: int


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class _Qualification(_Strict):
    review_required: bool
    annual_review_grace_days: int = Field(ge=0, le=366)


class _Reports(_Strict):
    expiring_within_days: int = Field(ge=1, le=366)
    reviewer_share_target_percent: int = Field(ge=0, le=100)


class OfficerPolicyFile(_Strict):
    """The file as written: unknown keys refused, ``"false"`` is not a boolean, a number is a number."""

    version: Literal[1]
    units: dict[str, str] = Field(min_length=1)
    # The enforcement categories (执法类别) a certificate's scope names, by the catalogue's category slugs.
    categories: dict[Slug, str] = Field(default_factory=dict)
    qualification: _Qualification
    reports: _Reports


def load_officer_policy(path: Path) -> OfficerPolicy:
    try:
        parsed = OfficerPolicyFile.model_validate(load_strict(path.read_bytes()))
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise OfficerPolicyError(f"{path.name}: invalid officer policy: {exc}") from exc
    return OfficerPolicy(
        dict(parsed.units),
        QualificationPolicy(
            annual_review_grace_days=parsed.qualification.annual_review_grace_days,
            review_required=parsed.qualification.review_required,
            category_names=dict(parsed.categories),
        ),
        parsed.reports.expiring_within_days,
        parsed.reports.reviewer_share_target_percent,
    )
