"""``/api/v1/cases/{case_id}/documents``: a case's documents — list, draft, issue, download; and
``/api/v1/public/agencies/{agency}/documents/{reference}``: anyone holding the paper verifies it.

A draft is a GET that records nothing (watermarked 草稿, the party redacted as every reader sees them). Issuing
is a POST: recorded, numbered, immutable; after it commits, the entry is integrated and a checkpoint signed at
once, so the verification page answers with an inclusion proof the moment the paper is handed over.
"""

from __future__ import annotations

import html
import uuid
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy.orm import Session

from service import idempotency
from service.auth.deps import PUBLIC, ReadSession, RuntimeDep, WriteSession, requires
from service.auth.permissions import Permission
from service.auth.principal import Principal
from service.cases import service as cases
from service.documents import service as documents
from service.documents.kinds import DocumentKind
from service.documents.models import IssuedDocument
from service.documents.policy import DocumentPolicy, load_document_policy
from service.documents.proofs import proof_carrying_copy
from service.documents.schemas import DocumentOut, DownloadBody, PrintableOut, PublicDocumentOut
from service.evidence.filenames import content_disposition
from service.evidence.store import EvidenceStore
from service.ledger.runner import IntegratorRunner
from service.runtime import Runtime

router = APIRouter(prefix="/api/v1/cases/{case_id}/documents", tags=["documents"])
public_router = APIRouter(prefix="/api/v1/public/agencies/{agency}/documents", tags=["public"])

PDF = "application/pdf"


@lru_cache(maxsize=4)
def document_policy(root: Path) -> DocumentPolicy:
    """The templates of ``root``, loaded and checked once per process (the app loads them at start-up, so a
    template naming an unknown field stops the service with its location)."""
    return load_document_policy(root)


def _store(runtime: Runtime) -> EvidenceStore:
    return documents.document_store(runtime.settings.documents_dir)


def printing(runtime: Runtime) -> documents.Printing:
    return documents.Printing(
        policy=document_policy(runtime.settings.policies_dir / "documents"),
        case_context=runtime.case_context,
        address_levels=runtime.publicity.rules.address_levels,
        public_base_url=runtime.settings.public_base_url,
    )


def document_out(runtime: Runtime, agency_code: str, item: IssuedDocument) -> DocumentOut:
    """An issued document as the API answers it (the console's issue answers a retry with the same)."""
    return DocumentOut(
        id=item.id,
        kind=DocumentKind(item.kind),
        title=item.title,
        number=item.number,
        sha256=item.sha256,
        size=item.size,
        pages=item.pages,
        issued_at=item.issued_at,
        issued_by=item.issued_by,
        verify_url=documents.verify_url(runtime.settings.public_base_url, agency_code, item.id),
        entry=item.record_seq,
    )


EntryQuery = Annotated[
    int | None,
    Query(
        ge=0,
        description="for a record a case may hold several of (询问笔录, 现场检查笔录): the position of the record's "
        "entry on the case's chain, as the case's history shows it; needed when the case holds more than one",
    ),
]

PDF_RESPONSE: dict[int | str, dict[str, Any]] = {200: {"content": {PDF: {}}, "description": "a PDF"}}


@router.get("", response_model=list[DocumentOut])
def list_documents(
    case_id: uuid.UUID, session: ReadSession, runtime: RuntimeDep, principal: Principal = requires(Permission.CASE_READ)
) -> list[DocumentOut]:
    """The case's issued documents, oldest first."""
    case = cases.get_case(session, principal, runtime.case_context.case_policy, case_id)
    return [document_out(runtime, principal.agency_code, d) for d in documents.documents_of(session, case)]


@router.get("/printable", response_model=list[PrintableOut])
def printable_documents(
    case_id: uuid.UUID, session: ReadSession, runtime: RuntimeDep, principal: Principal = requires(Permission.CASE_READ)
) -> list[PrintableOut]:
    """The documents the case establishes now that the caller's role issues, each record of a kind a case holds
    several of (询问笔录, 现场检查笔录...) on its own, with the number of the one issued for it, if any: what to
    draft (``GET /{kind}/draft``) and issue (``POST /{kind}/issue``) next."""
    case = cases.get_case(session, principal, runtime.case_context.case_policy, case_id)
    return [
        PrintableOut(kind=p.kind, title=p.title, entry=p.entry, issued=p.issued.number if p.issued else None)
        for p in documents.printable(session, runtime.case_context, case, principal, runtime.clock.now())
    ]


@router.get("/{kind}/draft", response_class=Response, responses=PDF_RESPONSE)
def draft_document(
    case_id: uuid.UUID,
    kind: DocumentKind,
    session: ReadSession,
    runtime: RuntimeDep,
    entry: EntryQuery = None,
    principal: Principal = requires(Permission.CASE_READ),
) -> Response:
    """The document as it would be issued now, watermarked 草稿 and with the party as every reader of the case sees
    them. Records nothing; 409 when the case does not establish the document yet."""
    return drafted(session, runtime, principal, case_id, kind, entry)


def drafted(
    session: Session,
    runtime: Runtime,
    principal: Principal,
    case_id: uuid.UUID,
    kind: DocumentKind,
    entry: int | None,
) -> Response:
    """The draft's PDF, shown inline (this route's answer, and the console's)."""
    case = cases.get_case(session, principal, runtime.case_context.case_policy, case_id)
    store = documents.document_store(runtime.settings.documents_dir)
    pdf = documents.draft(session, store, printing(runtime), case, kind, runtime.clock.now(), entry)
    name = f"{kind}-draft.pdf" if entry is None else f"{kind}-{entry}-draft.pdf"
    return Response(pdf, media_type=PDF, headers={"Content-Disposition": content_disposition("inline", name)})


@router.post("/{kind}/issue", response_model=DocumentOut, status_code=201)
def issue_document(
    case_id: uuid.UUID,
    kind: DocumentKind,
    request: Request,
    runtime: RuntimeDep,
    idempotency_key: Annotated[
        str | None,
        Header(alias=idempotency.HEADER, description="a retry with the same key returns the first answer"),
    ] = None,
    entry: EntryQuery = None,
    principal: Principal = requires(Permission.CASE_READ),
) -> Response:
    """Issue the document: numbered, stamped with its identifier and verification URL (and QR code) on every page,
    its SHA-256 recorded in the case's chain, and the entry placed under a signed checkpoint at once. Who may issue
    depends on the kind (officers their records and notices, the head decisions): 403 otherwise. A retry with the
    same ``Idempotency-Key`` answers the first issue instead of numbering a second document."""
    return issued_once(request, runtime, principal, case_id, kind, entry, idempotency_key)


def issued_once(
    request: Request,
    runtime: Runtime,
    principal: Principal,
    case_id: uuid.UUID,
    kind: DocumentKind,
    entry: int | None,
    key: str | None,
) -> Response:
    """Issue the document in its own transaction — answered once per ``key`` (a retry answers the first issue) —
    then place its entry under a signed checkpoint at once, so that its verification page answers with a proof
    the moment the paper is handed over (this route's work, and the console's)."""
    store = documents.document_store(runtime.settings.documents_dir)
    now = runtime.clock.now()
    with runtime.database.transaction() as session:

        def produce() -> tuple[DocumentOut, None]:
            case = cases.get_case(session, principal, runtime.case_context.case_policy, case_id)
            item = documents.issue(session, store, printing(runtime), principal, case, kind, now, entry)
            return document_out(runtime, principal.agency_code, item), None

        target = request.url.path if entry is None else f"{request.url.path}?entry={entry}"
        answer = idempotency.answer_once(
            session,
            principal.user_id,
            key,
            lambda: idempotency.fingerprint("POST", target, b""),
            now,
            201,
            produce,
        )
    runner = request.app.state.integrator or IntegratorRunner(
        runtime.database, runtime.signers, runtime.checkpoints, runtime.clock
    )
    runner.run_once(force_checkpoint=True, agency_id=principal.agency_id)
    return answer


@router.post("/{document_id}/file", response_class=Response, responses=PDF_RESPONSE)
def download_document(
    case_id: uuid.UUID,
    document_id: str,
    body: DownloadBody,
    session: WriteSession,
    runtime: RuntimeDep,
    principal: Principal = requires(Permission.CASE_READ),
) -> Response:
    """The issued document's bytes, exactly as recorded. A POST: the document prints the party's personal data,
    and reading it is recorded as a disclosure with its reason."""
    case = cases.get_case(session, principal, runtime.case_context.case_policy, case_id)
    item, pdf = documents.read_disclosed(
        session, _store(runtime), principal, case, document_id, body.reason, runtime.clock.now()
    )
    return Response(
        pdf,
        media_type=PDF,
        headers={
            "Content-Disposition": content_disposition("attachment", f"{item.id}.pdf"),
            "X-Content-SHA256": item.sha256,
            "Cache-Control": "no-store",
        },
    )


@router.post("/{document_id}/proof-copy", response_class=Response, responses=PDF_RESPONSE)
def download_proof_copy(
    case_id: uuid.UUID,
    document_id: str,
    body: DownloadBody,
    session: WriteSession,
    runtime: RuntimeDep,
    principal: Principal = requires(Permission.CASE_READ),
) -> Response:
    """The issued document with its entry, inclusion proof and signed checkpoint embedded in an incremental
    update: ``caseledger verify-document`` checks it offline. Recorded as a disclosure, like the file."""
    case = cases.get_case(session, principal, runtime.case_context.case_policy, case_id)
    item, pdf = documents.read_disclosed(
        session, _store(runtime), principal, case, document_id, body.reason, runtime.clock.now()
    )
    copy = proof_carrying_copy(pdf, documents.proof_of(session, item), runtime.clock.now())
    return Response(
        copy,
        media_type=PDF,
        headers={
            "Content-Disposition": content_disposition("attachment", f"{item.id}-proof.pdf"),
            "Cache-Control": "no-store",
        },
    )


def _public_answer(session: Session, agency_code: str, reference: str) -> PublicDocumentOut:
    found = documents.public_document(session, agency_code, reference)
    item = found.document
    return PublicDocumentOut(
        agency=found.agency_code,
        agency_name=found.agency_name,
        id=item.id,
        kind=DocumentKind(item.kind),
        title=item.title,
        number=item.number,
        recorded_at=item.issued_at,
        sha256=item.sha256,
        size=item.size,
        pages=item.pages,
        proof=found.proof.to_json(),
        notice=documents.NOT_THE_ORIGINAL,
    )


@public_router.get(
    "/{reference}",
    response_model=PublicDocumentOut,
    dependencies=[PUBLIC],
    responses={200: {"content": {"text/html": {}}, "description": "JSON, or an HTML page for a browser"}},
)
def verify_document_page(
    agency: str,
    reference: str,
    session: ReadSession,
    runtime: RuntimeDep,
    accept: Annotated[str, Header()] = "application/json",
) -> Response:
    """Anyone holding a printed document checks it here, by the identifier printed on it or by the SHA-256 of the
    file: what it is, when it was recorded, the recorded SHA-256, and the RFC 9162 inclusion proof of its entry
    against the latest signed checkpoint. A browser (``Accept: text/html``) gets the same as a page."""
    answer = _public_answer(session, agency, reference)
    if "text/html" in accept:
        return HTMLResponse(_page(answer))
    return JSONResponse(answer.model_dump(mode="json"))


def _page(answer: PublicDocumentOut) -> str:
    e = html.escape
    rows = [
        ("制发机关", answer.agency_name),
        ("文书", f"{answer.title}　{answer.number}"),
        ("文书编号", documents.printed_id(answer.id)),
        ("记录时间", answer.recorded_at.isoformat()),
        ("原件 SHA-256", answer.sha256),
        ("原件大小", f"{answer.size} 字节，{answer.pages} 页"),
        ("账本位置", f"第 {answer.proof['index']} 条，检查点大小 {answer.proof['size']}"),
    ]
    table = "".join(f"<tr><th>{e(k)}</th><td>{e(str(v))}</td></tr>" for k, v in rows)
    return (
        '<!doctype html><html lang="zh-CN"><meta charset="utf-8"><meta name="viewport" content="width=device-width">'
        f"<title>{e(answer.title)} {e(answer.number)}</title>"
        "<style>body{font-family:serif;max-width:40em;margin:2em auto;padding:0 1em}th{text-align:left;"
        "padding-right:1em;white-space:nowrap}td{word-break:break-all}</style>"
        f"<h1>文书核验</h1><p>本机关已制发并记录此文书。</p><table>{table}</table>"
        f"<p>{e(answer.notice)}</p>"
        "<p>离线核验：下载本页 JSON（Accept: application/json），运行 "
        "<code>caseledger verify-document 文件.pdf --proof 本页.json --vkey 验证公钥</code>。</p></html>"
    )
