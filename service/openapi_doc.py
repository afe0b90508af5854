"""The committed OpenAPI document (openapi/openapi.json) and the check that it matches the app."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from service.main import schema_app

COMMITTED = Path(__file__).resolve().parent.parent / "openapi" / "openapi.json"


def openapi_document() -> dict[str, Any]:
    return schema_app().openapi()


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
