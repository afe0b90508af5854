"""``/api/v1/cases/{case_id}/evidence``: upload (streamed, bounded, hashed on the way in), list, download, custody."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import Response, StreamingResponse
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from service import idempotency
from service.auth.deps import ReadSession, RuntimeDep, WriteSession, requires, wake_integrator
from service.auth.permissions import Permission
from service.auth.principal import Principal
from service.cases import service as cases
from service.evidence import service as evidence_service
from service.evidence.filenames import content_disposition, normalise_filename
from service.evidence.models import Evidence
from service.evidence.receiving import receive_evidence
from service.evidence.schemas import (
    CustodyIn,
    CustodyOut,
    EvidenceOut,
)
from service.evidence.store import EvidenceStore
from service.headers import EVIDENCE_INLINE_CSP
from service.inputs import Line, NameAsSent, Paragraph, SaneDateTime

router = APIRouter(prefix="/api/v1/cases/{case_id}/evidence", tags=["evidence"])


# Types a browser shows without running anything in them; an uploader's claim of any other type (text/html,
# image/svg+xml, ...) would let the file script the API's origin, so it is served as bytes to save.
INLINE_MEDIA_TYPES = frozenset(
    {
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "audio/mpeg",
        "audio/ogg",
        "audio/wav",
        "audio/mp4",
        "video/mp4",
        "video/webm",
        "video/ogg",
        "application/pdf",
    }
)


def download_headers(declared: str, filename: str) -> tuple[str, dict[str, str]]:
    """The media type and headers an evidence file is served with, whatever type its uploader declared; the name
    is the normalised one (re-normalised here, for files recorded before names were)."""
    media_type = declared.split(";")[0].strip().lower()
    name = normalise_filename(filename)
    if media_type in INLINE_MEDIA_TYPES:
        return media_type, {
            "Content-Disposition": content_disposition("inline", name),
            "Content-Security-Policy": EVIDENCE_INLINE_CSP,
        }
    return "application/octet-stream", {"Content-Disposition": content_disposition("attachment", name)}


def _out(session: Session, item: Evidence) -> EvidenceOut:
    history = [CustodyOut.model_validate(c, from_attributes=True) for c in evidence_service.custody_of(session, item)]
    return EvidenceOut.model_validate(item, from_attributes=True).model_copy(update={"custody_history": history})


@router.post("", response_model=EvidenceOut, status_code=201)
async def upload_evidence(
    case_id: uuid.UUID,
    request: Request,
    runtime: RuntimeDep,
    kind: Annotated[Line, Query(max_length=40, description="one of the eight kinds of art. 46")],
    description: Annotated[Paragraph, Query(min_length=1, max_length=2000)],
    filename: Annotated[NameAsSent, Query(min_length=1, max_length=255)] = "evidence.bin",
    officers: Annotated[list[uuid.UUID] | None, Query(description="the other officers collecting it")] = None,
    claimed_at: Annotated[SaneDateTime | None, Query()] = None,
    idempotency_key: Annotated[
        str | None,
        Header(alias=idempotency.HEADER, description="a retry with the same key and file returns the first answer"),
    ] = None,
    principal: Principal = requires(Permission.EVIDENCE_UPLOAD),
) -> Response:
    """Upload one evidence file as the request body (any media type). Its SHA-256 is computed as it streams in;
    beyond the size limit it is refused with 413, and a file of no bytes with 422: nothing is kept. Everything
    that does not need the file (the case and its state, the kind, the officers and their qualification, the
    claimed time) is checked before a byte is stored, so a refused upload leaves nothing on disk. The name is
    stored normalised (NFC, no path separators, control or bidi characters, at most 120 characters with the
    extension); the name as sent is kept in the entry as a display string."""
    policy = runtime.case_context.case_policy

    received = await receive_evidence(
        runtime,
        principal,
        case_id,
        kind=kind,
        officers=officers or [],
        claimed_at=claimed_at,
        idempotency_key=idempotency_key,
        body=request.stream(),
        content_type=request.headers.get("content-type"),
    )
    stored, media_type = received.stored, received.media_type
    query = request.query_params.multi_items()

    def record() -> Response:
        with runtime.database.transaction() as session:

            def collect() -> tuple[EvidenceOut, None]:
                case = cases.get_case(session, principal, policy, case_id)
                item = evidence_service.collect(
                    session,
                    runtime.case_context,
                    principal,
                    case,
                    stored,
                    kind=kind,
                    description=description,
                    filename=filename,
                    media_type=media_type,
                    officers=officers or [],
                    claimed_at=claimed_at,
                    now=runtime.clock.now(),
                )
                return _out(session, item), None

            return idempotency.answer_once(
                session,
                principal.user_id,
                idempotency_key,
                lambda: received.fingerprint(request.url.path, query),
                runtime.clock.now(),
                201,
                collect,
            )

    out = await run_in_threadpool(record)
    wake_integrator(request)
    return out


@router.get("", response_model=list[EvidenceOut])
def list_evidence(
    case_id: uuid.UUID, session: ReadSession, runtime: RuntimeDep, principal: Principal = requires(Permission.CASE_READ)
) -> list[EvidenceOut]:
    """The case's evidence with each piece's chain of custody."""
    case = cases.get_case(session, principal, runtime.case_context.case_policy, case_id)
    return [_out(session, item) for item in evidence_service.evidence_of(session, case)]


@router.get("/{evidence_id}/file")
def download_evidence(
    case_id: uuid.UUID,
    evidence_id: uuid.UUID,
    session: ReadSession,
    runtime: RuntimeDep,
    principal: Principal = requires(Permission.CASE_READ),
) -> StreamingResponse:
    """The evidence file's bytes, as stored under their SHA-256."""
    case = cases.get_case(session, principal, runtime.case_context.case_policy, case_id)
    item = evidence_service.get_evidence(session, case, evidence_id)
    store = EvidenceStore(runtime.settings.evidence_dir)
    media_type, headers = download_headers(item.media_type, item.filename)
    return StreamingResponse(
        store.open(item.sha256), media_type=media_type, headers={"X-Content-SHA256": item.sha256, **headers}
    )


@router.post("/{evidence_id}/custody", response_model=EvidenceOut)
def record_custody(
    case_id: uuid.UUID,
    evidence_id: uuid.UUID,
    body: CustodyIn,
    request: Request,
    session: WriteSession,
    runtime: RuntimeDep,
    idempotency_key: Annotated[
        str | None,
        Header(alias=idempotency.HEADER, description="a retry with the same key and body returns the first answer"),
    ] = None,
    principal: Principal = requires(Permission.CASE_ACT),
) -> Response:
    """Record a step of the chain of custody: preserved, transferred, returned or destroyed, by the caller's
    officer and the officers named with it (each qualified for the case's item and not recused); evidence returned
    or destroyed leaves the agency's hands, and is handled by at least two (行政处罚法 第四十二条)."""

    def change() -> tuple[EvidenceOut, None]:
        item = evidence_service.change_custody(
            session,
            runtime.case_context,
            principal,
            case_id,
            evidence_id,
            event=body.event,
            holder=body.holder,
            note=body.note,
            officers=body.officers,
            claimed_at=body.claimed_at,
            now=runtime.clock.now(),
        )
        return _out(session, item), None

    return idempotency.answer_once(
        session,
        principal.user_id,
        idempotency_key,
        lambda: idempotency.fingerprint("POST", request.url.path, body.model_dump(mode="json")),
        runtime.clock.now(),
        200,
        change,
    )
