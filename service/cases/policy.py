"""``policies/cases.yaml``: case numbers, visibility, how far back an action may be dated."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

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

    def case_number(self, procedure: str, agency_code: str, year: int, n: int, prefix: str | None = None) -> str:
        """The case number; ``prefix`` names another body when the case is decided in its name (派驻执法)."""
        prefix = prefix or self.prefixes.get(agency_code, agency_code)
        return self.number_formats[procedure].format(prefix=prefix, year=year, n=n)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class _CaseNumbers(_Strict):
    general: str
    summary: str
    prefixes: dict[str, str] = {}


class _Visibility(_Strict):
    officers_see_unit_cases: bool


class _Recording(_Strict):
    claimed_at_max_lag_hours: int = Field(ge=0, le=24 * 30)


class _Deadlines(_Strict):
    due_soon_working_days: int = Field(ge=0, le=30)


class CasePolicyFile(_Strict):
    """The file as written: unknown keys refused, ``"false"`` is not a boolean, a number is a number."""

    version: Literal[1]
    case_number: _CaseNumbers
    visibility: _Visibility
    recording: _Recording
    deadlines: _Deadlines


def load_case_policy(path: Path) -> CasePolicy:
    try:
        parsed = CasePolicyFile.model_validate(load_strict(path.read_bytes()))
        policy = CasePolicy(
            number_formats={"general": parsed.case_number.general, "summary": parsed.case_number.summary},
            prefixes=dict(parsed.case_number.prefixes),
            officers_see_unit_cases=parsed.visibility.officers_see_unit_cases,
            claimed_at_max_lag=timedelta(hours=parsed.recording.claimed_at_max_lag_hours),
            due_soon_working_days=parsed.deadlines.due_soon_working_days,
        )
        for procedure in ("general", "summary"):
            policy.case_number(procedure, "x", 2026, 1)
    except (OSError, yaml.YAMLError, ValidationError, KeyError, ValueError, IndexError) as exc:
        raise CasePolicyError(f"{path.name}: invalid case policy: {exc}") from exc
    return policy
