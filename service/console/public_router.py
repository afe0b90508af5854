"""Public pages, no sign-in: the agency's enforcement items, its certified officers, its published decisions, and
the verification of a printed document by the identifier printed on it or the SHA-256 of its file.

They show what ``/api/v1/public/...`` answers (行政处罚法 第三十九条, 第四十八条), by calling the same functions.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from service.auth.deps import PUBLIC
from service.console.web import render, runtime_of
from service.documents import service as documents
from service.errors import NotFound
from service.public.router import public_items, public_officers
from service.publicity.router import public_decisions

router = APIRouter(prefix="/public/{agency}", include_in_schema=False, dependencies=[PUBLIC])


@router.get("/items")
def items_page(request: Request, agency: str) -> HTMLResponse:
    runtime = runtime_of(request)
    with runtime.database.transaction(write=False) as session:
        catalogue = public_items(agency, session)
    return render(request, "public_items.html", None, agency=agency, catalogue=catalogue)


@router.get("/officers")
def officers_page(request: Request, agency: str) -> HTMLResponse:
    runtime = runtime_of(request)
    with runtime.database.transaction(write=False) as session:
        officers = public_officers(agency, session, runtime)
        name = public_items(agency, session).agency_name
    return render(request, "public_officers.html", None, agency=agency, agency_name=name, officers=officers)


@router.get("/decisions")
def decisions_page(request: Request, agency: str) -> HTMLResponse:
    runtime = runtime_of(request)
    with runtime.database.transaction(write=False) as session:
        decisions = public_decisions(agency, session, runtime)
        name = public_items(agency, session).agency_name
    return render(request, "public_decisions.html", None, agency=agency, agency_name=name, decisions=decisions)


@router.get("/documents")
def documents_page(
    request: Request, agency: str, reference: Annotated[str | None, Query(max_length=100)] = None
) -> HTMLResponse:
    """What the API's verification page answers (``/api/v1/public/agencies/{agency}/documents/{reference}``), with a
    form to type the identifier printed on the paper: what the document is, when it was recorded, its recorded
    SHA-256 and its place in the ledger — nothing about the party. A reference the agency never issued is a 404."""
    runtime = runtime_of(request)
    with runtime.database.transaction(write=False) as session:
        name = public_items(agency, session).agency_name
        found, missing = None, False
        if reference and reference.strip():
            try:
                found = documents.public_document(session, agency, reference.strip())
            except NotFound:
                missing = True
        return render(
            request,
            "public_documents.html",
            None,
            404 if missing else 200,
            agency=agency,
            agency_name=name,
            reference=reference or "",
            found=found,
            printed_id=documents.printed_id(found.document.id) if found else "",
            missing=missing,
            notice=documents.NOT_THE_ORIGINAL,
        )
