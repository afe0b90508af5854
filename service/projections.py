"""Imports every module that registers projectors and projected tables, so the registry is complete."""

from __future__ import annotations

from pathlib import Path

POLICIES = Path(__file__).resolve().parent.parent / "policies"


def load_all() -> None:
    from service.cases.service import register_transition_projectors
    from service.cases.workflow import load_workflows

    # Workflow steps are projected by one function; their entry types come from the workflow files.
    register_transition_projectors(load_workflows(POLICIES / "workflows"))
