"""What a step's form offers to choose and fills in beforehand, from the case and the agency: the officers a field
names (by name, not an id), the case's records a decision cites as evidence, the penalty the head intended, the
second officer of an act two officers do, and what a link to the form chooses. Never text the user did not write:
what is filled in is the case's own, to restate or change, and the payload model checks it as it checks what was
typed (service/console/forms.py builds the fields; service/console/templates/step.html shows them).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from fastapi import Request
from sqlalchemy.orm import Session

from service.cases import casefile
from service.cases.models import Case
from service.console.forms import StepForm
from service.console.web import yuan
from service.officers.service import officers_of_agency

# The fields that cite the case's records as evidence by their numbers (a decision's, 行政处罚法 第四十条).
CITING_FIELDS = frozenset({"evidence"})


def officer_fields(session: Session, agency_id: uuid.UUID, names: Sequence[str]) -> dict[str, list[tuple[str, str]]]:
    """For each field of a step that names an officer (a recusal's, a hearing's chair: an active officer of the
    agency, 第四十二条), the agency's active officers to choose from by name — (id, name) — not an id to type."""
    if not names:
        return {}
    active = [(str(o.id), o.name) for o in officers_of_agency(session, agency_id) if o.active]
    return {name: active for name in names}


def intended_penalty(form: StepForm, case: Case) -> dict[str, list[str]]:
    """The penalty the head intended (intend_penalty), filled into a form that states one — the prior notice, the
    decision — to be restated or changed (after the party was heard the decision may differ), not typed again."""
    intended = casefile.proposed_of(case.case_file)
    if intended is None:
        return {}
    said = {
        "kinds": sorted(str(k) for k in intended.kinds),
        "fine_fen": [yuan(intended.fine_fen)] if intended.fine_fen else [],
        "confiscated_value_fen": [yuan(intended.confiscated_value_fen)] if intended.confiscated_value_fen else [],
    }
    filled: dict[str, list[str]] = {}
    for f in form.fields:
        parent, _, key = f.name.rpartition(".")
        if parent.rpartition(".")[2] == "penalty" and said.get(key):
            filled[f.name] = said[key]
    return filled


# The rule that an act is done by two qualified officers (第四十二条): only then is a second one ticked beforehand.
TWO_OFFICERS = "two_qualified_officers"


def case_colleagues(choices: list[dict[str, Any]], assigned: Sequence[uuid.UUID]) -> list[str]:
    """The officers to tick beforehand among ``choices`` (every other officer of the agency) for an act two officers
    do (第四十二条): the case's own, if qualified for its item now — usually the one the case was registered with.
    Never for an act one officer does alone (a request to the head): the record would name someone not there."""
    mine = {str(o) for o in assigned}
    return [o["id"] for o in choices if o["ok"] and o["id"] in mine]


def chosen_by_link(request: Request, context: dict[str, Any]) -> dict[str, list[str]]:
    """What a link to a step's form chooses beforehand (the head's desk: the officer a recusal application names,
    and who applied): an officer of an officer field, a choice of a select — never text, which the link's author
    would write into the head's act."""
    choices = {f.name: f.choices for f in context["form"].fields if f.kind == "select"}
    officers = {name: {o for o, _ in found} for name, found in context["officer_fields"].items()}
    return {
        name: [value]
        for name, value in request.query_params.items()
        if value in officers.get(name, ()) or value in choices.get(name, ())
    }
