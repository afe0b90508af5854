"""The supervisor's desk: every case to audit, the agency-wide lists (overdue cases, decisions not published in
time, certificates to review), the yearly figures and the file-review scores. A case's documents and its bundle:
service/console/documents_router.py.

Each page calls the service function the API's route calls (``search.deadlines_of_open_cases``,
``publicity.overdue_publications``, ``officers.reports``, ``reports.yearly``, ``reports.file_review``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from service.auth.permissions import Permission
from service.cases import search
from service.console.desks import case_line
from service.console.web import (
    ConsoleRequires,
    Viewer,
    render,
    runtime_of,
)
from service.officers import reports as certification
from service.policy.calendar import local_date
from service.publicity.service import overdue_publications
from service.reports.file_review import review_files
from service.reports.yearly import yearly_figures

router = APIRouter(include_in_schema=False)

Auditor = Annotated[Viewer, Depends(ConsoleRequires(Permission.CASE_AUDIT))]
ReportReader = Annotated[Viewer, Depends(ConsoleRequires(Permission.REPORT_READ))]
Year = Annotated[int | None, Query(ge=2000, le=2100)]


@router.get("/audit")
def audit_page(request: Request, viewer: Auditor) -> HTMLResponse:
    runtime = runtime_of(request)
    with runtime.database.transaction(write=False) as session:
        found = search.search_cases(
            session, runtime.case_context, viewer.principal, search.CaseSearch(limit=500), runtime.clock.now()
        )
        lines = [case_line(session, runtime, c) for c in found]
    return render(request, "audit.html", viewer, cases=lines)


@router.get("/audit/overdue")
def overdue_page(request: Request, viewer: Auditor) -> HTMLResponse:
    """The open cases of the agency with a deadline passed, the longest overdue first."""
    runtime = runtime_of(request)
    with runtime.database.transaction(write=False) as session:
        found = search.deadlines_of_open_cases(
            session,
            runtime.case_context,
            viewer.principal,
            search.DeadlineSearch(overdue=True, limit=1000),
            runtime.clock.now(),
        )
        lines = [(case_line(session, runtime, c), d) for c, d in found]
    return render(request, "audit_overdue.html", viewer, lines=lines)


@router.get("/audit/publicity")
def publicity_page(request: Request, viewer: ReportReader) -> HTMLResponse:
    """Decisions not published within 7 working days, revoked ones not withdrawn within 3
    (国办发〔2018〕118号; service/publicity/service.py)."""
    runtime = runtime_of(request)
    with runtime.database.transaction(write=False) as session:
        found = overdue_publications(
            session, runtime.case_context, runtime.publicity, viewer.principal.agency_id, runtime.clock.now()
        )
    return render(request, "audit_publicity.html", viewer, lines=found)


@router.get("/audit/certificates")
def certificates_page(request: Request, viewer: ReportReader) -> HTMLResponse:
    """Certificates expiring soon, lapsed without their review, and the periodic clean-up list."""
    runtime = runtime_of(request)
    policy = runtime.officer_policy
    day = local_date(runtime.clock.now())
    agency_id = viewer.principal.agency_id
    with runtime.database.transaction(write=False) as session:
        lists = {
            "expiring": certification.expiring(session, agency_id, policy, day, policy.expiring_within_days),
            "lapsed": certification.lapsed_without_review(session, agency_id, policy, day),
            "cleanup": certification.cleanup_list(session, agency_id, policy, day),
        }
    return render(request, "audit_certificates.html", viewer, lists=lists, on=day)


@router.get("/reports/yearly")
def yearly_page(request: Request, viewer: ReportReader, year: Year = None) -> HTMLResponse:
    """A year's enforcement statistics, counted from the ledger and checked against the case tables."""
    runtime = runtime_of(request)
    shown = year if year is not None else local_date(runtime.clock.now()).year
    with runtime.database.transaction(write=False) as session:
        figures = yearly_figures(
            session,
            runtime.case_context,
            runtime.officer_policy,
            viewer.principal.agency_id,
            shown,
            runtime.clock.now(),
        )
    return render(request, "reports_yearly.html", viewer, figures=figures, year=shown)


@router.get("/reports/file-review")
def file_review_page(request: Request, viewer: ReportReader, year: Year = None) -> HTMLResponse:
    """Each closed case scored on the 100-point file review, with its automatic fails and missing documents."""
    runtime = runtime_of(request)
    with runtime.database.transaction(write=False) as session:
        found = review_files(session, runtime.case_context, runtime.file_review, viewer.principal.agency_id, year)
    return render(request, "reports_file_review.html", viewer, reviews=found, year=year)
