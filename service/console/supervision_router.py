"""The supervisor's and the admin's pages: every case to audit, and the agency's users with their roles."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from service.auth.permissions import Permission
from service.auth.users import users_of_agency
from service.cases import search
from service.console.desks import case_line
from service.console.web import ConsoleRequires, Viewer, render, runtime_of

router = APIRouter(include_in_schema=False)

Auditor = Annotated[Viewer, Depends(ConsoleRequires(Permission.CASE_AUDIT))]
UserAdmin = Annotated[Viewer, Depends(ConsoleRequires(Permission.USER_MANAGE))]


@router.get("/audit")
def audit_page(request: Request, viewer: Auditor) -> HTMLResponse:
    runtime = runtime_of(request)
    with runtime.database.transaction(write=False) as session:
        found = search.search_cases(
            session, runtime.case_context, viewer.principal, search.CaseSearch(limit=500), runtime.clock.now()
        )
        lines = [case_line(session, runtime, c) for c in found]
    return render(request, "audit.html", viewer, cases=lines)


@router.get("/admin/users")
def users_page(request: Request, viewer: UserAdmin) -> HTMLResponse:
    """Users and roles; one person may not be admin with officer, reviewer or head (policies/roles.yaml)."""
    runtime = runtime_of(request)
    with runtime.database.transaction(write=False) as session:
        users = users_of_agency(session, viewer.principal.agency_id)
    return render(request, "users.html", viewer, users=users, rules=runtime.roles)
