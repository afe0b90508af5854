"""The supervisor's audit: a case's verified history, the agency-wide view, and the court bundle export."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from service.audit.attention import cases_needing_attention
from service.audit.bundle import verify_bundle
from service.audit.export import disclosed_bundle, sealed_bundle
from service.audit.schemas import (
    AgencyAuditLine,
    CaseAudit,
)
from service.auth.deps import ReadSession, RuntimeDep, WriteSession, requires
from service.auth.permissions import Permission
from service.auth.principal import Principal
from service.cases import service as cases
from service.cases.history import case_history
from service.cases.schemas import DisclosureBody
from service.evidence.store import EvidenceStore
from service.ledger.errors import VerificationError
from service.runtime import Runtime

router = APIRouter(prefix="/api/v1", tags=["audit"])


def _store(runtime: Runtime) -> EvidenceStore:
    return EvidenceStore(runtime.settings.evidence_dir)


# A case's latest entries may still await their signed checkpoint: both answer 409 ``not_yet_sealed`` with
# ``Retry-After`` until the integrator has sealed them.
NOT_YET_SEALED: dict[int | str, dict[str, Any]] = {
    409: {"description": "not_yet_sealed: the case's latest entries await their signed checkpoint (Retry-After)"}
}
EXPORT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/zip": {}}, "description": "the case's bundle (zip)"}
}


@router.get("/cases/{case_id}/audit", response_model=CaseAudit, responses=NOT_YET_SEALED)
def audit_case(
    case_id: uuid.UUID,
    request: Request,
    session: ReadSession,
    runtime: RuntimeDep,
    principal: Principal = requires(Permission.CASE_AUDIT),
) -> CaseAudit:
    """The case's full history, each entry verified, each signature verified, every entry proven included in the
    latest signed checkpoint — the same checks `caseledger verify-bundle` runs on the export. 409 ``not_yet_sealed``
    (with ``Retry-After``) while the case's latest entries await their checkpoint."""
    case = cases.get_case(session, principal, runtime.case_context.case_policy, case_id)
    bundle = sealed_bundle(
        session,
        case,
        _store(runtime),
        runtime.signers,
        runtime.checkpoints.every_seconds,
        EvidenceStore(runtime.settings.documents_dir),
    )
    try:
        report = verify_bundle(bundle)
        problem = None
    except VerificationError as exc:
        report, problem = None, exc.reason
    history = case_history(session, case)
    return CaseAudit(
        case_id=case.id,
        case_number=case.number,
        verified=problem is None,
        problem=problem,
        checkpoint_size=report.checkpoint_size if report else None,
        vkey=report.vkey if report else None,
        signatures=report.signatures if report else [],
        evidence_files=report.evidence_files if report else 0,
        history=history,
    )


@router.post("/cases/{case_id}/export", response_class=Response, responses=EXPORT_RESPONSES)
def export_case(
    case_id: uuid.UUID,
    body: DisclosureBody,
    session: WriteSession,
    runtime: RuntimeDep,
    principal: Principal = requires(Permission.CASE_AUDIT),
) -> Response:
    """A zip bundle of the case for a court: entries, evidence, signatures and keys, checkpoint, vkey, proofs,
    issued documents, and a summary in Chinese. `caseledger verify-bundle FILE` checks it with no server and no
    database. A POST: the bundle carries the party's personal data, so the export is recorded as a disclosure
    with its reason (409 ``not_yet_sealed``, recording nothing, while the latest entries await their checkpoint)."""
    case = cases.get_case(session, principal, runtime.case_context.case_policy, case_id)
    bundle = disclosed_bundle(
        session,
        principal,
        case,
        body.reason,
        runtime.clock.now(),
        (_store(runtime), EvidenceStore(runtime.settings.documents_dir)),
        runtime.signers,
        runtime.checkpoints.every_seconds,
    )
    name = f"case-{case.id}.zip"
    return Response(
        bundle,
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )


@router.get("/audit/cases", response_model=list[AgencyAuditLine])
def audit_agency(
    session: ReadSession, runtime: RuntimeDep, principal: Principal = requires(Permission.CASE_AUDIT)
) -> list[AgencyAuditLine]:
    """Cases needing a supervisor's attention: a chain that fails to verify, a stale legal approval, a passed
    deadline."""
    lines = cases_needing_attention(session, runtime.case_context, principal.agency_id, runtime.clock.now())
    return [AgencyAuditLine.model_validate(line, from_attributes=True) for line in lines]
