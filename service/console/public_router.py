"""Public pages, no sign-in: the agency's enforcement items, its certified officers, its published decisions.

They show what ``/api/v1/public/...`` answers (行政处罚法 第三十九条, 第四十八条), by calling the same functions.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from service.auth.deps import PUBLIC
from service.console.web import render, runtime_of
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
