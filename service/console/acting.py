"""A step of the procedure recorded from a console form, as the API's step route records it.

The step form (casework_router) and the collective discussion's form (signing_router) both send a step through
``cases.perform`` in one transaction, answered once per idempotency key with the API's fingerprint, and read the
version the form was drawn on as the API's If-Match.
"""

from __future__ import annotations

import uuid
from typing import Any

from service import idempotency
from service.cases import service as cases
from service.cases.versioning import etag
from service.console.schemas import Recorded
from service.console.web import Viewer
from service.runtime import Runtime

Sent = dict[str, list[str]]


def with_lf(sent: Sent) -> Sent:
    """A textarea's CR LF (or CR) as LF, which the API's body checks accept."""
    return {k: [v.replace("\r\n", "\n").replace("\r", "\n") for v in vs] for k, vs in sent.items()}


def if_match_of(seen_version: str) -> str | None:
    """The version the form was drawn on, as the API's If-Match would send it (its ETag is the quoted number)."""
    return f'"{seen_version}"' if seen_version.isdigit() else None


def take_step_once(
    runtime: Runtime,
    viewer: Viewer,
    case_id: uuid.UUID,
    step: str,
    act: cases.ActIn,
    idempotency_key: str | None,
    sent_body: dict[str, Any],
) -> None:
    """Record ``step`` on the case with ``act``; a form sent again with its key is answered from the first time
    (``sent_body`` is what the API would have received, for the key's fingerprint)."""
    with runtime.database.transaction() as session:

        def take() -> tuple[Recorded, str]:
            case = cases.get_case(session, viewer.principal, runtime.case_context.case_policy, case_id)
            cases.perform(session, runtime.case_context, viewer.principal, case, step, act, runtime.clock.now())
            return Recorded(id=str(case.id)), etag(case)

        idempotency.answer_once(
            session,
            viewer.principal.user_id,
            idempotency_key,
            lambda: idempotency.fingerprint("POST", f"/cases/{case_id}/steps/{step}", sent_body),
            runtime.clock.now(),
            200,
            take,
        )
