"""``policies/designated-areas.yaml``: the built-up urban areas (城市建成区) where each agency's ``urban_only``
items apply (重庆市市容环境卫生管理条例 第二条). Pure: parsing and lookup only."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError

from service.policy.strict_yaml import load_strict

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]*$", max_length=64)]
Text = Annotated[str, StringConstraints(pattern=r"\S", max_length=200)]


class DesignatedAreasError(ValueError):
    pass


class DesignatedArea(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)
    code: Slug
    zh: Text
    en: Text


class _AreasFile(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    version: Literal[1]
    agencies: dict[str, list[DesignatedArea]]


@dataclass(frozen=True)
class DesignatedAreas:
    by_agency: Mapping[str, tuple[DesignatedArea, ...]]

    def of(self, agency_code: str) -> tuple[DesignatedArea, ...]:
        return self.by_agency.get(agency_code, ())

    def find(self, agency_code: str, code: str) -> DesignatedArea | None:
        return next((a for a in self.of(agency_code) if a.code == code), None)


def load_designated_areas(path: Path) -> DesignatedAreas:
    try:
        parsed = _AreasFile.model_validate(load_strict(path.read_bytes()))
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise DesignatedAreasError(f"{path.name}: invalid designated areas: {exc}") from exc
    for agency, areas in parsed.agencies.items():
        codes = [a.code for a in areas]
        if len(set(codes)) != len(codes):
            raise DesignatedAreasError(f"{path.name}: agency {agency} lists an area code twice")
    return DesignatedAreas({agency: tuple(areas) for agency, areas in parsed.agencies.items()})
