"""``/api/v1/reports``: yearly statistics (JSON, CSV, printable A4 page) and the case-file review."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response

from service.agencies.service import agency_of
from service.auth.deps import ReadSession, RuntimeDep, WriteSession, requires
from service.auth.permissions import Permission
from service.auth.principal import Principal
from service.cases.service import get_case
from service.reports.file_review import review_file, review_files
from service.reports.schemas import FileReviewOut, ScoreIn, ScoreOut, YearOut
from service.reports.scoring import Deduction, score_file
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
        for r in review_files(session, runtime.case_context, runtime.file_review, principal.agency_id, year)
    ]


@router.get("/file-review/{case_id}", response_model=FileReviewOut)
def file_review_of_case(
    case_id: uuid.UUID,
    session: ReadSession,
    runtime: RuntimeDep,
    principal: Principal = requires(Permission.REPORT_READ),
) -> FileReviewOut:
    """One closed case's file review: grade, automatic fails, missing documents and the reviewers' scores."""
    case = get_case(session, principal, runtime.case_context.case_policy, case_id)
    return FileReviewOut.model_validate(review_file(session, runtime.case_context, runtime.file_review, case).__dict__)


@router.post("/file-review/{case_id}/scores", response_model=ScoreOut, status_code=201)
def score_case_file(
    case_id: uuid.UUID,
    body: ScoreIn,
    session: WriteSession,
    runtime: RuntimeDep,
    principal: Principal = requires(Permission.REVIEW_PERFORM),
) -> ScoreOut:
    """A reviewer's own score of a closed file, with each deduction and its reason (广东省行政执法案卷评查办法
    第十条); refused to anyone who acted on the case, and after a passing grade (复评 only of a failed file)."""
    case = get_case(session, principal, runtime.case_context.case_policy, case_id)
    deductions = [Deduction(d.item, d.points, d.reason) for d in body.deductions]
    scored = score_file(
        session, runtime.case_context, runtime.file_review, principal, case, deductions, runtime.clock.now()
    )
    return ScoreOut(case_id=scored.case_id, round=scored.round, reviewer=scored.reviewer, score=scored.score)
