"""``policies/publicity.yaml``: publication deadlines and the redaction rules."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from service.policy.strict_yaml import load_strict
from service.publicity.redaction import RedactionRules


@dataclass(frozen=True)
class PublicityPolicy:
    publish_working_days: int
    withdraw_working_days: int
    rules: RedactionRules


def load_publicity_policy(path: Path) -> PublicityPolicy:
    doc: Any = load_strict(path.read_bytes())
    return PublicityPolicy(
        int(doc["deadlines"]["publish_working_days"]),
        int(doc["deadlines"]["withdraw_working_days"]),
        RedactionRules(bool(doc["redaction"]["mask_person_name"]), tuple(doc["redaction"]["address_levels"])),
    )
