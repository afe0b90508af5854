"""Evidence shown beside the case file (the legal reviewer's desk): a file whose type is on the inline allow-list
(``INLINE_MEDIA_TYPES``: images, recordings, PDF) is served for a sandboxed frame of the console's own pages.

The answer is a document of its own under ``EVIDENCE_FRAMED_CSP`` (service/headers.py): no script, ``sandbox``,
and ``frame-ancestors 'self'`` with ``X-Frame-Options: SAMEORIGIN`` so that only the console frames it. Any
other type (text/html, image/svg+xml...) would script the console's origin if shown: it is not framed, only
offered for download (``GET /api/v1/cases/{id}/evidence/{id}/file`` serves it as bytes to save).
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse

from service.auth.permissions import Permission
from service.cases import service as cases
from service.console.web import TEMPLATES, ConsoleRequires, Viewer, runtime_of
from service.errors import NotFound
from service.evidence import service as evidence_service
from service.evidence.filenames import content_disposition, normalise_filename
from service.evidence.router import INLINE_MEDIA_TYPES
from service.evidence.store import EvidenceStore
from service.headers import EVIDENCE_FRAMED_CSP

router = APIRouter(include_in_schema=False)

Reader = Annotated[Viewer, Depends(ConsoleRequires(Permission.CASE_READ))]


def shown_inline(media_type: str) -> bool:
    """Whether a file of ``media_type`` (as its uploader declared it) is shown in a frame."""
    return media_type.split(";")[0].strip().lower() in INLINE_MEDIA_TYPES


TEMPLATES.globals["shown_inline"] = shown_inline


@router.get("/cases/{case_id}/evidence/{evidence_id}/view")
def evidence_view(request: Request, case_id: uuid.UUID, evidence_id: uuid.UUID, viewer: Reader) -> StreamingResponse:
    runtime = runtime_of(request)
    with runtime.database.transaction(write=False) as session:
        case = cases.get_case(session, viewer.principal, runtime.case_context.case_policy, case_id)
        item = evidence_service.get_evidence(session, case, evidence_id)
        media_type, sha256, filename = item.media_type, item.sha256, item.filename
    if not shown_inline(media_type):
        raise NotFound("this evidence is not shown in the browser: download it", "此类证据不在浏览器中显示，请下载")
    return StreamingResponse(
        EvidenceStore(runtime.settings.evidence_dir).open(sha256),
        media_type=media_type.split(";")[0].strip().lower(),
        headers={
            "Content-Disposition": content_disposition("inline", normalise_filename(filename)),
            "Content-Security-Policy": EVIDENCE_FRAMED_CSP,
            "X-Frame-Options": "SAMEORIGIN",
            "X-Content-SHA256": sha256,
        },
    )
