"""The walls of the house: the pure rules import no web framework, no database and no runtime, and no service
imports a router (ARCHITECTURE.md: dependencies point down only)."""

from __future__ import annotations

import ast
import itertools
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


# The web layer (routers, the FastAPI dependencies) and the composition modules that assemble the service sit
# above every domain: they may import any package. Below them, domains depend on each other in one direction.
WEB_AND_COMPOSITION = ("main", "cli", "entry", "runtime", "projections", "openapi_doc", "demo", "backup", "migrations")


def _below_the_web_layer(path: Path) -> bool:
    relative = path.relative_to(SERVICE)
    if len(relative.parts) == 1:
        return relative.stem not in WEB_AND_COMPOSITION
    return not (path.stem.endswith("router") or relative.as_posix() == "auth/deps.py")


def _package_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "service" or len(parts) < 2:
        return None
    return parts[1] if (SERVICE / parts[1]).is_dir() else None


def package_graph() -> dict[str, dict[str, list[str]]]:
    """Which package imports which, below the web layer, with the modules that do it."""
    graph: dict[str, dict[str, list[str]]] = {}
    for path in sorted(SERVICE.rglob("*.py")):
        relative = path.relative_to(SERVICE)
        if len(relative.parts) == 1 or not _below_the_web_layer(path):
            continue
        source = relative.parts[0]
        for module in _imports(path):
            target = _package_of(module)
            if target is not None and target != source:
                graph.setdefault(source, {}).setdefault(target, []).append(f"{relative} imports {module}")
    return graph


def find_cycles(graph: dict[str, dict[str, list[str]]]) -> list[str]:
    cycles = []

    def walk(package: str, trail: list[str]) -> None:
        for target in sorted(graph.get(package, {})):
            if target == trail[0]:
                cycles.append(" -> ".join([*trail, target]))
            elif target not in trail and target > trail[0]:  # each cycle once, from its smallest package
                walk(target, [*trail, target])

    for package in sorted(graph):
        walk(package, [package])
    return cycles


def test_no_domain_packages_import_each_other_in_a_cycle() -> None:
    graph = package_graph()
    found = find_cycles(graph)
    why = []
    for cycle in found:
        packages = cycle.split(" -> ")
        why += [line for a, b in itertools.pairwise(packages) for line in graph[a][b]]
    assert found == [], "\n".join(found + why)


def test_the_cycle_check_finds_a_cycle_and_reads_the_real_imports() -> None:
    assert find_cycles({"a": {"b": ["x"]}, "b": {"c": ["y"]}, "c": {"a": ["z"]}}) == ["a -> b -> c -> a"]
    assert find_cycles({"a": {"b": ["x"]}, "b": {"c": ["y"]}}) == []
    graph = package_graph()
    assert "ledger" in graph["cases"], "the cases package records in the ledger"
    assert "cases" not in graph.get("ledger", {}), "and the ledger knows nothing of cases"


def test_routers_declare_no_api_models_each_domain_keeps_them_in_its_schemas_module() -> None:
    offenders = []
    for path in SERVICE.rglob("*router.py"):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ClassDef):
                offenders.append(f"{path.relative_to(SERVICE.parent)} declares {node.name}")
    assert offenders == [], "API models belong in the domain's schemas.py"


def test_routers_run_no_queries_they_call_a_service_function() -> None:
    offenders = []
    for path in SERVICE.rglob("*router.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            queries = ("get", "scalars", "scalar", "execute", "add", "query")
            if (
                isinstance(node, ast.Attribute)
                and node.attr in queries
                and isinstance(node.value, ast.Name)
                and node.value.id == "session"
            ):
                offenders.append(f"{path.relative_to(SERVICE.parent)}:{node.lineno} session.{node.attr}")
            if isinstance(node, ast.Name) and node.id in ("select", "delete", "update", "insert"):
                offenders.append(f"{path.relative_to(SERVICE.parent)}:{node.lineno} {node.id}")
    assert offenders == [], "routers parse, check permission and call one service function"
