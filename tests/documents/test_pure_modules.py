"""The document modules that state rules or verify paper import no web framework, database or runtime: the
offline verifier (`caseledger verify-document`) ships them (tests/test_import_walls.py holds the house's list)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.test_import_walls import FORBIDDEN

PURE = (
    "service.documents.amounts",
    "service.documents.fields",
    "service.documents.kinds",
    "service.documents.proofs",
    "service.documents.verify_cli",
    "service.documents.typesetting",
)


@pytest.mark.parametrize("module", PURE)
def test_a_pure_document_module_imports_no_web_framework_database_or_runtime(module: str) -> None:
    probe = (
        f"import sys, {module}; loaded = set(sys.modules); "
        f"print(','.join(p for p in {FORBIDDEN!r} if any(m == p or m.startswith(p + '.') for m in loaded)))"
    )
    found = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.strip()
    assert found == "", f"{module} pulls in {found}"
