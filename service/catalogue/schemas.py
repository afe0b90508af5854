"""The API's request and response models of catalogue: what its routes take and answer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from service.inputs import Line, Paragraph


class ItemSummary(BaseModel):
    code: str
    name_zh: str
    name_en: str
    category: str


class ItemOut(ItemSummary):
    version: str
    item: dict[str, Any]


class CatalogueOut(BaseModel):
    version: str
    source: str
    title: str
    loaded_at: datetime
    items: list[dict[str, Any]]


class CatalogueIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: Line = Field(min_length=1, max_length=200, description="file name, for error locations")
    content: Paragraph = Field(
        min_length=1, max_length=900_000, description="the catalogue file (YAML), see policies/catalogue/README.md"
    )


class LoadedOut(BaseModel):
    version: str
    item_count: int
