"""The committed OpenAPI document (openapi/openapi.json) and the check that it matches the app."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from service.main import schema_app

COMMITTED = Path(__file__).resolve().parent.parent / "openapi" / "openapi.json"


def openapi_document() -> dict[str, Any]:
    return schema_app().openapi()


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def main(argv: list[str]) -> int:
    """``python -m service.openapi_doc --check``: exit 1 when openapi/openapi.json differs from the app."""
    if argv != ["--check"]:
        print("usage: python -m service.openapi_doc --check")
        return 2
    current = render(openapi_document())
    committed = COMMITTED.read_text() if COMMITTED.exists() else ""
    if current != committed:
        print(f"{COMMITTED} is out of date: run `make openapi` (caseledger openapi) and commit it")
        return 1
    print(f"{COMMITTED} matches the app")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
