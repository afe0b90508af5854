"""``/api/v1/procedures/{procedure}``: the procedure as the service enforces it, machine-readable.

Public: the procedure is law, not a case record. A client builds its forms from the payload schemas and shows
each step's rules with their articles before anyone acts.
"""

from __future__ import annotations

from fastapi import APIRouter

from service.auth.deps import PUBLIC, RuntimeDep
from service.cases.guards import GUARDS
from service.cases.schemas import (
    GuardOut,
    ProcedureOut,
    StateOut,
    StepOut,
)
from service.cases.steps import STEPS
from service.cases.workflow import Procedure

router = APIRouter(prefix="/api/v1/procedures", tags=["procedures"])


@router.get("/{procedure}", response_model=ProcedureOut, dependencies=[PUBLIC])
def get_procedure(procedure: Procedure, runtime: RuntimeDep) -> ProcedureOut:
    """States, steps, who may take them, their rules with articles, and each step's payload schema."""
    workflow = runtime.case_context.workflows[procedure]
    return ProcedureOut(
        procedure=workflow.procedure.value,
        name_zh=workflow.name_zh,
        name_en=workflow.name_en,
        version=workflow.version,
        initial=workflow.initial.value,
        states=[
            StateOut(
                state=s.state.value, zh=s.zh, en=s.en, category=s.category.value, terminal=s.state in workflow.terminal
            )
            for s in workflow.states
        ],
        periods=vars(workflow.periods),
        steps=[
            StepOut(
                name=t.name,
                from_states=sorted(s.value for s in t.from_states),
                to=t.to.value if t.to is not None else None,
                permission=str(t.permission),
                guards=[
                    GuardOut(
                        name=g,
                        basis=GUARDS[g].basis.as_dict(),
                        standing=GUARDS[g].standing,
                        precondition=GUARDS[g].possible is not None,
                    )
                    for g in t.guards
                ],
                records=t.records,
                basis=t.basis.as_dict(),
                payload_schema=STEPS[t.name].payload.model_json_schema(),
            )
            for t in workflow.transitions
        ],
    )
