"""``/api/v1/reports``: yearly statistics (JSON, CSV, printable A4 page) and the case-file review."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response

from service.agencies.service import agency_of
from service.auth.deps import ReadSession, RuntimeDep, requires
from service.auth.permissions import Permission
from service.auth.principal import Principal
from service.reports.file_review import review_files
from service.reports.schemas import (
    FileReviewOut,
    YearOut,
)
from service.reports.yearly import YearFigures, as_csv, as_html, yearly_figures

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])


def _figures(session: ReadSession, runtime: RuntimeDep, principal: Principal, year: int) -> YearFigures:
    return yearly_figures(
        session, runtime.case_context, runtime.officer_policy, principal.agency_id, year, runtime.clock.now()
    )


@router.get("/yearly", response_model=YearOut)
def yearly(
    session: ReadSession,
    runtime: RuntimeDep,
    year: Annotated[int, Query(ge=2000, le=2100)],
    format: Literal["json", "csv"] = "json",
    principal: Principal = requires(Permission.REPORT_READ),
) -> YearOut | Response:
    """A year's enforcement statistics, counted from the ledger and checked against the case tables."""
    figures = _figures(session, runtime, principal, year)
    if format == "csv":
        return Response(
            as_csv(figures),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="statistics-{year}.csv"'},
        )
    return YearOut.model_validate(figures.__dict__)


@router.get("/yearly.html", response_class=HTMLResponse)
def yearly_page(
    session: ReadSession,
    runtime: RuntimeDep,
    year: Annotated[int, Query(ge=2000, le=2100)],
    principal: Principal = requires(Permission.REPORT_READ),
) -> HTMLResponse:
    """The same as a page that prints well on A4."""
    agency = agency_of(session, principal.agency_id)
    return HTMLResponse(as_html(agency.name, _figures(session, runtime, principal, year)))


@router.get("/file-review", response_model=list[FileReviewOut])
def file_review(
    session: ReadSession,
    runtime: RuntimeDep,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    principal: Principal = requires(Permission.REPORT_READ),
) -> list[FileReviewOut]:
    """Each closed case scored on the 100-point file review, with its automatic fails and missing documents."""
    return [
        FileReviewOut.model_validate(r.__dict__)
        for r in review_files(session, runtime.case_context, principal.agency_id, year)
    ]
