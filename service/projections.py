"""Imports every module that registers projectors and projected tables, so the registry is complete."""

from __future__ import annotations

import importlib
from pathlib import Path

POLICIES = Path(__file__).resolve().parent.parent / "policies"

# Every module that registers a projector or a projected table. Replay, migrations and the app need them all.
PROJECTING_MODULES = (
    "service.agencies.service",
    "service.auth.principal_head",
    "service.auth.users",
    "service.catalogue.service",
    "service.officers.service",
    "service.officers.staff_register",
    "service.cases.service",
    "service.cases.deadline_revision",
    "service.cases.versioning",
    "service.cases.disclosure",
    "service.evidence.service",
    "service.documents.service",
    "service.reviews.service",
    "service.signing.service",
    "service.publicity.service",
    "service.reports.scoring",
    "service.policy.versions",
    "service.policy.notices",
)


# Tables outside the ledger's fold (operational rows), which the migrations must still match.
OPERATIONAL_MODULES = ("service.idempotency", "service.console.sessions")


def load_all() -> None:
    for name in (*PROJECTING_MODULES, *OPERATIONAL_MODULES):
        importlib.import_module(name)
    from service.cases.service import register_transition_projectors
    from service.cases.workflow import load_workflows

    # Workflow steps are projected by one function; their entry types come from the workflow files.
    register_transition_projectors(load_workflows(POLICIES / "workflows"))
