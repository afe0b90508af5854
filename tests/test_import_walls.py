"""The walls of the house: the pure rules import no web framework, no database and no runtime, and no service
imports a router (ARCHITECTURE.md: dependencies point down only)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

SERVICE = Path(__file__).resolve().parents[1] / "service"
PURE = (
    "service.ledger.canonical",
    "service.ledger.merkle",
    "service.ledger.note",
    "service.ledger.verify",
    "service.cases.workflow",
    "service.cases.guards",
    "service.cases.casefile",
    "service.cases.schedule",
    "service.cases.deadlines",
    "service.cases.payloads",
    "service.officers.qualification",
    "service.policy.calendar",
    "service.auth.principal",
)
FORBIDDEN = ("fastapi", "starlette", "sqlalchemy", "service.runtime", "service.db")


@pytest.mark.parametrize("module", PURE)
def test_a_pure_module_imports_no_web_framework_database_or_runtime(module: str) -> None:
    probe = (
        f"import sys, {module}; loaded = set(sys.modules); "
        f"print(','.join(p for p in {FORBIDDEN!r} if any(m == p or m.startswith(p + '.') for m in loaded)))"
    )
    found = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.strip()
    assert found == "", f"{module} pulls in {found}"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
        elif isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
    return out


def test_no_service_module_imports_a_router() -> None:
    offenders = []
    for path in SERVICE.rglob("*.py"):
        name = path.name
        if name.endswith("router.py") or name in ("main.py", "openapi_doc.py"):
            continue
        for module in _imports(path):
            if module.endswith("router") or module.endswith("_router"):
                offenders.append(f"{path.relative_to(SERVICE.parent)} imports {module}")
    assert offenders == []


def test_services_take_the_principal_as_a_plain_value_not_from_the_web_layer() -> None:
    offenders = [
        str(path.relative_to(SERVICE.parent))
        for path in SERVICE.rglob("service.py")
        if "service.auth.deps" in _imports(path) or "fastapi" in _imports(path)
    ]
    assert offenders == []
