"""``policies/publicity.yaml``: publication deadlines and the redaction rules."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from service.policy.strict_yaml import load_strict
from service.privacy.redaction import RedactionRules


@dataclass(frozen=True)
class PublicityPolicy:
    publish_working_days: int
    withdraw_working_days: int
    rules: RedactionRules


class PublicityPolicyError(ValueError):
    pass


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class _Deadlines(_Strict):
    publish_working_days: int = Field(ge=1, le=20)  # 国办发〔2018〕118号 第六项: within 7 working days
    withdraw_working_days: int = Field(ge=1, le=20)  # 第四十八条第二款: within 3 days of the revocation


class _Redaction(_Strict):
    mask_person_name: bool
    address_levels: list[str]


class PublicityPolicyFile(_Strict):
    """The file as written: unknown keys refused, ``"false"`` is not a boolean, a number is a number."""

    version: Literal[1]
    deadlines: _Deadlines
    redaction: _Redaction


def load_publicity_policy(path: Path) -> PublicityPolicy:
    try:
        parsed = PublicityPolicyFile.model_validate(load_strict(path.read_bytes()))
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise PublicityPolicyError(f"{path.name}: invalid publicity policy: {exc}") from exc
    return PublicityPolicy(
        parsed.deadlines.publish_working_days,
        parsed.deadlines.withdraw_working_days,
        RedactionRules(parsed.redaction.mask_person_name, tuple(parsed.redaction.address_levels)),
    )
