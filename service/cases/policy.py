"""``policies/cases.yaml``: case numbers, visibility, how far back an action may be dated."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml

from service.policy.strict_yaml import load_strict


class CasePolicyError(ValueError):
    pass


@dataclass(frozen=True)
class CasePolicy:
    number_formats: dict[str, str]
    prefixes: dict[str, str]
    officers_see_unit_cases: bool
    claimed_at_max_lag: timedelta
    due_soon_working_days: int

    def case_number(self, procedure: str, agency_code: str, year: int, n: int) -> str:
        prefix = self.prefixes.get(agency_code, agency_code)
        return self.number_formats[procedure].format(prefix=prefix, year=year, n=n)


def load_case_policy(path: Path) -> CasePolicy:
    try:
        doc: Any = load_strict(path.read_bytes())
        formats = {k: str(v) for k, v in doc["case_number"].items() if k in ("general", "summary")}
        policy = CasePolicy(
            number_formats=formats,
            prefixes={str(k): str(v) for k, v in (doc["case_number"].get("prefixes") or {}).items()},
            officers_see_unit_cases=bool(doc["visibility"]["officers_see_unit_cases"]),
            claimed_at_max_lag=timedelta(hours=float(doc["recording"]["claimed_at_max_lag_hours"])),
            due_soon_working_days=int(doc["deadlines"]["due_soon_working_days"]),
        )
        for procedure in ("general", "summary"):
            policy.case_number(procedure, "x", 2026, 1)
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError, IndexError) as exc:
        raise CasePolicyError(f"{path.name}: invalid case policy: {exc}") from exc
    return policy
