"""``policies/officers.yaml``: units, the qualification policy, report thresholds."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from service.officers.qualification import QualificationPolicy
from service.policy.strict_yaml import load_strict


class OfficerPolicyError(ValueError):
    pass


@dataclass(frozen=True)
class OfficerPolicy:
    units: dict[str, str]
    qualification: QualificationPolicy
    expiring_within_days: int
    reviewer_share_target_percent: int


def load_officer_policy(path: Path) -> OfficerPolicy:
    try:
        doc: Any = load_strict(path.read_bytes())
        units = {str(k): str(v) for k, v in doc["units"].items()}
        qualification = QualificationPolicy(
            annual_review_grace_days=int(doc["qualification"]["annual_review_grace_days"]),
            review_required=bool(doc["qualification"]["review_required"]),
        )
        reports = doc["reports"]
        policy = OfficerPolicy(
            units, qualification, int(reports["expiring_within_days"]), int(reports["reviewer_share_target_percent"])
        )
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError, AttributeError) as exc:
        raise OfficerPolicyError(f"{path.name}: invalid officer policy: {exc}") from exc
    if not policy.units:
        raise OfficerPolicyError(f"{path.name}: units: at least one unit is needed")
    return policy
