"""A case's printed documents (执法文书) and its bundle, on the console: those the case can have now, drafted and
issued; those issued, read with a reason; the bundle exported for a court.

Each route calls the service function the API's route calls (``documents.printable``, ``documents.draft``,
``documents.issue``, ``documents.read_disclosed``, ``audit.export.disclosed_bundle``). Reading an issued document or
exporting the bundle hands out the party's personal data in clear, so each is a POST with a reason, recorded on the
case's chain as a disclosure (个人信息保护法 第五十一条; service/cases/disclosure.py), as the API's
``POST .../documents/{id}/file`` is.
"""

from __future__ import annotations

import secrets
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from service.audit.export import disclosed_bundle
from service.auth.permissions import Permission
from service.cases import service as cases
from service.cases.disclosure import given_reason
from service.console.desks import case_line
from service.console.web import (
    ConsoleRequires,
    Viewer,
    check_csrf,
    language,
    problem_view,
    redirect,
    render,
    runtime_of,
    sent_form,
)
from service.documents import service as documents
from service.documents.kinds import RULES, DocumentKind
from service.documents.router import drafted, issued_once
from service.errors import DomainError, InvalidInput
from service.evidence.filenames import content_disposition
from service.evidence.store import EvidenceStore

router = APIRouter(include_in_schema=False)

Auditor = Annotated[Viewer, Depends(ConsoleRequires(Permission.CASE_AUDIT))]
Reader = Annotated[Viewer, Depends(ConsoleRequires(Permission.CASE_READ))]


def _documents_view(request: Request, viewer: Viewer, case_id: uuid.UUID) -> dict[str, Any]:
    runtime = runtime_of(request)
    with runtime.database.transaction(write=False) as session:
        case = cases.get_case(session, viewer.principal, runtime.case_context.case_policy, case_id)
        issued = documents.documents_of(session, case)
        now = runtime.clock.now()
        # Why the 结案审批表 is not offered yet: close_case's rules still holding (judged once, for both uses).
        held = documents.closing_refusals(session, runtime.case_context, case, now)
        closes = viewer.principal.has(RULES[DocumentKind.CLOSING_APPROVAL].issued_with)
        return {
            "case": case_line(session, runtime, case),
            "documents": issued,
            "printable": documents.printable(
                session, runtime.case_context, case, viewer.principal, now, issued, closing_held=held
            ),
            "closing_held": held if closes else (),  # shown to whoever would issue it
            "idempotency_key": secrets.token_urlsafe(16),  # each issue form's key: this, the kind and the record
        }


@router.get("/cases/{case_id}/documents")
def documents_page(request: Request, case_id: uuid.UUID, viewer: Reader) -> HTMLResponse:
    """The case's issued documents, each to download with a reason; those it can have now, to draft and to issue
    (what the viewer's role issues); the bundle's export for a supervisor."""
    return render(request, "documents.html", viewer, **_documents_view(request, viewer, case_id))


def _document(kind: str, entry: str | None) -> tuple[DocumentKind, int | None]:
    """The kind and the record of a document page's address, read here so that a wrong one is the console's page
    with the problem (422), not the API's JSON."""
    try:
        chosen = DocumentKind(kind)
    except ValueError:
        raise InvalidInput(f"no document is called {kind!r}", "未知的文书种类") from None
    if entry is None:
        return chosen, None
    if not entry.isascii() or not entry.isdigit():
        raise InvalidInput("entry is the position of a record on the case's chain", "记录序号应为非负整数")
    return chosen, int(entry)


@router.get("/cases/{case_id}/documents/{kind}/draft")
def draft_document(
    request: Request, case_id: uuid.UUID, kind: str, viewer: Reader, entry: str | None = None
) -> Response:
    """The draft the API's ``GET …/documents/{kind}/draft`` answers: watermarked 草稿, the party as every reader sees
    them; records nothing."""
    chosen, record = _document(kind, entry)
    runtime = runtime_of(request)
    with runtime.database.transaction(write=False) as session:
        return drafted(session, runtime, viewer.principal, case_id, chosen, record)


@router.post("/cases/{case_id}/documents/{kind}/issue")
async def issue_document(
    request: Request, case_id: uuid.UUID, kind: str, viewer: Reader, entry: str | None = None
) -> Response:
    """Issue it as ``POST /api/v1/cases/{id}/documents/{kind}/issue`` does (``issued_once``): numbered, recorded on
    the case's chain, placed under a signed checkpoint at once; the form's key makes a second submission answer the
    first. Back to the case's documents; a refusal (the case does not establish it, the role does not issue it)
    shown there."""
    sent = await sent_form(request)
    check_csrf(viewer, sent, request)
    chosen, record = _document(kind, entry)
    runtime = runtime_of(request)
    key = (sent.get("idempotency_key") or [""])[0] or None
    try:
        await run_in_threadpool(issued_once, request, runtime, viewer.principal, case_id, chosen, record, key)
    except DomainError as refused:
        view = await run_in_threadpool(_documents_view, request, viewer, case_id)
        error = problem_view(refused, language(request))
        return render(request, "documents.html", viewer, status=refused.status, error=error, **view)
    return redirect(request, f"/cases/{case_id}/documents", viewer)


def _reason(sent: dict[str, list[str]]) -> str:
    """The reason the form gives for reading the party's data, as the API takes it (``given_reason``: required, never
    blank — a blank one would still read as a reason once the document's number is added to it)."""
    return given_reason((sent.get("reason") or [""])[0])


@router.post("/cases/{case_id}/documents/{document_id}/file")
async def download_document(request: Request, case_id: uuid.UUID, document_id: str, viewer: Reader) -> Response:
    """The issued document's bytes, exactly as recorded; reading it is a disclosure with its reason."""
    sent = await sent_form(request)
    check_csrf(viewer, sent, request)
    runtime = runtime_of(request)

    def read() -> Response:
        with runtime.database.transaction() as session:
            case = cases.get_case(session, viewer.principal, runtime.case_context.case_policy, case_id)
            item, pdf = documents.read_disclosed(
                session,
                documents.document_store(runtime.settings.documents_dir),
                viewer.principal,
                case,
                document_id,
                _reason(sent),
                runtime.clock.now(),
            )
        return Response(
            pdf,
            media_type="application/pdf",
            headers={
                "Content-Disposition": content_disposition("attachment", f"{item.id}.pdf"),
                "X-Content-SHA256": item.sha256,
            },
        )

    return await run_in_threadpool(read)


@router.post("/cases/{case_id}/export")
async def export_bundle(request: Request, case_id: uuid.UUID, viewer: Auditor) -> Response:
    """The case's bundle for a court (what ``POST /api/v1/cases/{id}/export`` answers), built and verified first;
    then the export is recorded as a disclosure of the party's data with its reason. A bundle that cannot be
    built (its latest entries not yet under a signed checkpoint) records nothing."""
    sent = await sent_form(request)
    check_csrf(viewer, sent, request)
    runtime = runtime_of(request)

    def export() -> Response:
        with runtime.database.transaction() as session:
            case = cases.get_case(session, viewer.principal, runtime.case_context.case_policy, case_id)
            bundle = disclosed_bundle(
                session,
                viewer.principal,
                case,
                _reason(sent),
                runtime.clock.now(),
                (EvidenceStore(runtime.settings.evidence_dir), EvidenceStore(runtime.settings.documents_dir)),
                runtime.signers,
                runtime.checkpoints.every_seconds,
            )
        return Response(
            bundle,
            media_type="application/zip",
            headers={"Content-Disposition": content_disposition("attachment", f"case-{case_id}.zip")},
        )

    return await run_in_threadpool(export)
