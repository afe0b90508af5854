"""The admin's desk: users and roles, signing keys to approve or revoke, catalogue versions, the working-day
calendar and its State Council notices, the agency's settings (its principal head, 主要负责人), and the staff
register (工作人员名册, ``staff_register.register_member``, after ``StaffMemberIn``).

Every write calls the service function the API's route calls (``users.create_user``, ``users.set_roles``,
``users.set_disabled``, ``signing.decide_key``, ``catalogue.load_version``, ``deadline_revision.load_notice``,
``principal_head.designate_principal_head``), after the body model the API validates (``NewUser``, ``RolesIn``,
``PrincipalHeadIn``), so the separation of duties (policies/roles.yaml, service/auth/duties.py) refuses here
exactly as there: a 409 problem naming its rule, shown on the page, nothing written.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from service.agencies.schemas import PrincipalHeadIn
from service.agencies.service import agency_of
from service.auth import users
from service.auth.duties import incompatible_holdings
from service.auth.permissions import Permission, Role
from service.auth.principal_head import designate_principal_head
from service.auth.schemas import NewUser, RolesIn
from service.cases.deadline_revision import load_notice
from service.catalogue import service as catalogue
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
from service.errors import DomainError, InvalidInput
from service.officers import staff_register
from service.officers.schemas import StaffMemberIn
from service.policy.calendar import CalendarNoticeError, local_date, parse_notice
from service.policy.notices import agency_calendar, calendar_years, loaded_notices
from service.runtime import Runtime
from service.signing import service as signing

router = APIRouter(include_in_schema=False)

UserAdmin = Annotated[Viewer, Depends(ConsoleRequires(Permission.USER_MANAGE))]
KeyApprover = Annotated[Viewer, Depends(ConsoleRequires(Permission.SIGNING_KEY_APPROVE))]
CatalogueAdmin = Annotated[Viewer, Depends(ConsoleRequires(Permission.CATALOGUE_MANAGE))]
CalendarAdmin = Annotated[Viewer, Depends(ConsoleRequires(Permission.CALENDAR_MANAGE))]
StaffKeeper = Annotated[Viewer, Depends(ConsoleRequires(Permission.STAFF_MANAGE))]

Sent = dict[str, list[str]]


def _first(sent: Sent, name: str) -> str:
    return ((sent.get(name) or [""])[0]).replace("\r\n", "\n").replace("\r", "\n")


def _valid(model: Any, data: dict[str, Any]) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
        raise InvalidInput("; ".join(problems), "输入有误：" + "；".join(problems)) from None


# -- what each page shows ----------------------------------------------------------------------------------------


def _users_view(session: Session, runtime: Runtime, viewer: Viewer) -> dict[str, Any]:
    found = users.users_of_agency(session, viewer.principal.agency_id)
    return {
        "users": [(u, incompatible_holdings(runtime.roles.duties, u.roles)) for u in found],
        "all_roles": [r.value for r in Role],
    }


def _keys_view(session: Session, runtime: Runtime, viewer: Viewer) -> dict[str, Any]:
    staff = users.users_of_agency(session, viewer.principal.agency_id)
    names = {u.id: (u.display_name, u.username) for u in staff}
    keys = sorted(signing.keys_visible_to(session, viewer.principal), key=lambda k: k.registered_at, reverse=True)
    return {
        "keys": [(k, names.get(k.user_id, (str(k.user_id), None))) for k in keys],
        # Who approved or revoked a key, by the actor the decision recorded (``user:<id>``).
        "actors": {f"user:{u.id}": u.display_name for u in staff},
    }


def _catalogue_view(session: Session, runtime: Runtime, viewer: Viewer) -> dict[str, Any]:
    return {"versions": catalogue.versions_of(session, viewer.principal.agency_id)}


def _calendar_view(session: Session, runtime: Runtime, viewer: Viewer) -> dict[str, Any]:
    calendar = agency_calendar(session, runtime.case_context.calendar, viewer.principal.agency_id)
    this_year = local_date(runtime.clock.now()).year
    years = calendar_years(calendar, loaded_notices(session, viewer.principal.agency_id), this_year - 1, this_year + 1)
    return {"calendar_version": calendar.version, "years": years, "next_year": this_year + 1}


def _settings_view(session: Session, runtime: Runtime, viewer: Viewer) -> dict[str, Any]:
    agency = agency_of(session, viewer.principal.agency_id)
    heads = [u for u in users.users_of_agency(session, agency.id) if "head" in u.roles and not u.disabled]
    return {
        "agency": agency,
        "heads": heads,
        "areas": runtime.case_context.designated_areas.of(agency.code),
    }


def _staff_view(session: Session, runtime: Runtime, viewer: Viewer) -> dict[str, Any]:
    accounts = {u.id: u.username for u in users.users_of_agency(session, viewer.principal.agency_id)}
    members = staff_register.register_of(session, viewer.principal.agency_id)
    return {
        "members": [(m, accounts.get(m.user_id) if m.user_id else None) for m in members],
        "employments": [(e.value, staff_register.EMPLOYMENT_ZH[e]) for e in staff_register.Employment],
        "accounts": sorted(accounts.items(), key=lambda pair: pair[1]),
    }


View = Callable[[Session, Runtime, Viewer], dict[str, Any]]
PAGES: dict[str, tuple[str, View]] = {
    "users": ("admin_users.html", _users_view),
    "staff": ("admin_staff.html", _staff_view),
    "keys": ("admin_keys.html", _keys_view),
    "catalogue": ("admin_catalogue.html", _catalogue_view),
    "calendar": ("admin_calendar.html", _calendar_view),
    "settings": ("admin_settings.html", _settings_view),
}


def _page(request: Request, viewer: Viewer, page: str, status: int = 200, **extra: Any) -> HTMLResponse:
    runtime = runtime_of(request)
    template, view = PAGES[page]
    with runtime.database.transaction(write=False) as session:
        context = view(session, runtime, viewer)
    return render(request, template, viewer, status=status, page=page, **context, **extra)


Action = Callable[[Session, Runtime, Sent], Any]


async def _act(request: Request, viewer: Viewer, page: str, action: Action, sent: Sent | None = None) -> Response:
    """Run ``action`` in one transaction; a refusal is shown on the page it came from, with nothing written."""
    if sent is None:
        sent = await sent_form(request)
    check_csrf(viewer, sent, request)
    runtime = runtime_of(request)
    answered = sent

    def run() -> Response:
        try:
            with runtime.database.transaction() as session:
                outcome = action(session, runtime, answered)
        except DomainError as refused:
            error = problem_view(refused, language(request))
            return _page(request, viewer, page, status=refused.status, error=error, sent=answered)
        if outcome is not None:
            return _page(request, viewer, page, outcome=outcome)
        return redirect(request, f"/admin/{page}", viewer)

    return await run_in_threadpool(run)


# -- users -------------------------------------------------------------------------------------------------------


@router.get("/admin/users")
def users_page(request: Request, viewer: UserAdmin) -> HTMLResponse:
    """Users and roles; one person may not be admin with officer, reviewer or head (policies/roles.yaml)."""
    return _page(request, viewer, "users")


@router.post("/admin/users")
async def add_user(request: Request, viewer: UserAdmin) -> Response:
    def add(session: Session, runtime: Runtime, sent: Sent) -> None:
        body = _valid(
            NewUser,
            {
                "username": _first(sent, "username"),
                "display_name": _first(sent, "display_name"),
                "roles": [r for r in sent.get("roles", []) if r],
                "password": _first(sent, "password"),
            },
        )
        users.create_user(
            session,
            agency_of(session, viewer.principal.agency_id),
            username=body.username,
            display_name=body.display_name,
            roles=body.roles,
            password=body.password,
            duties=runtime.roles.duties,
            actor=viewer.principal.actor,
            at=runtime.clock.now(),
        )

    return await _act(request, viewer, "users", add)


# -- the staff register (工作人员名册) ------------------------------------------------------------------------


@router.get("/admin/staff")
def staff_page(request: Request, viewer: StaffKeeper) -> HTMLResponse:
    """The staff register: auxiliary and administrative staff too, with or without an account (never public)."""
    return _page(request, viewer, "staff")


@router.post("/admin/staff")
async def add_staff_member(request: Request, viewer: StaffKeeper) -> Response:
    def add(session: Session, runtime: Runtime, sent: Sent) -> None:
        body = _valid(
            StaffMemberIn,
            {
                "name": _first(sent, "name"),
                "post": _first(sent, "post"),
                "employment": _first(sent, "employment"),
                "joined_on": _first(sent, "joined_on"),
                "user_id": _first(sent, "user_id") or None,
            },
        )
        staff_register.register_member(
            session,
            agency_of(session, viewer.principal.agency_id),
            name=body.name,
            post=body.post,
            employment=body.employment,
            joined_on=body.joined_on,
            user_id=body.user_id,
            actor=viewer.principal.actor,
            at=runtime.clock.now(),
        )

    return await _act(request, viewer, "staff", add)


@router.post("/admin/users/{user_id}/roles")
async def change_roles(request: Request, user_id: uuid.UUID, viewer: UserAdmin) -> Response:
    def change(session: Session, runtime: Runtime, sent: Sent) -> None:
        agency, user = users.user_of_agency(session, viewer.principal, user_id)
        body = _valid(RolesIn, {"roles": [r for r in sent.get("roles", []) if r]})
        users.set_roles(
            session,
            agency,
            user,
            body.roles,
            duties=runtime.roles.duties,
            acting_user=viewer.principal.user_id,
            actor=viewer.principal.actor,
            at=runtime.clock.now(),
        )

    return await _act(request, viewer, "users", change)


def _set_disabled(viewer: Viewer, user_id: uuid.UUID, disabled: bool) -> Callable[[Session, Runtime, Sent], None]:
    def act(session: Session, runtime: Runtime, sent: Sent) -> None:
        agency, user = users.user_of_agency(session, viewer.principal, user_id)
        users.set_disabled(
            session,
            agency,
            user,
            disabled,
            duties=runtime.roles.duties,
            actor=viewer.principal.actor,
            at=runtime.clock.now(),
        )

    return act


@router.post("/admin/users/{user_id}/disable")
async def disable_user(request: Request, user_id: uuid.UUID, viewer: UserAdmin) -> Response:
    """Disabling ends the user's tokens and console sessions; the last active admin cannot be disabled (409)."""
    return await _act(request, viewer, "users", _set_disabled(viewer, user_id, True))


@router.post("/admin/users/{user_id}/enable")
async def enable_user(request: Request, user_id: uuid.UUID, viewer: UserAdmin) -> Response:
    return await _act(request, viewer, "users", _set_disabled(viewer, user_id, False))


# -- signing keys ------------------------------------------------------------------------------------------------


@router.get("/admin/keys")
def keys_page(request: Request, viewer: KeyApprover) -> HTMLResponse:
    return _page(request, viewer, "keys")


def _decide(viewer: Viewer, key_id: uuid.UUID, approve: bool) -> Callable[[Session, Runtime, Sent], None]:
    def act(session: Session, runtime: Runtime, sent: Sent) -> None:
        signing.decide_key(
            session,
            viewer.principal,
            signing.key_of(session, viewer.principal, key_id),
            approve,
            runtime.clock.now(),
            duties=runtime.roles.duties,
        )

    return act


@router.post("/admin/keys/{key_id}/approve")
async def approve_key(request: Request, key_id: uuid.UUID, viewer: KeyApprover) -> Response:
    """Approve a registered key: an admin other than its owner (separation of duties), recorded in the ledger."""
    return await _act(request, viewer, "keys", _decide(viewer, key_id, True))


@router.post("/admin/keys/{key_id}/revoke")
async def revoke_key(request: Request, key_id: uuid.UUID, viewer: KeyApprover) -> Response:
    """Revoke a key: it signs nothing from now on."""
    return await _act(request, viewer, "keys", _decide(viewer, key_id, False))


# -- catalogue versions ------------------------------------------------------------------------------------------


@router.get("/admin/catalogue")
def catalogue_page(request: Request, viewer: CatalogueAdmin) -> HTMLResponse:
    return _page(request, viewer, "catalogue")


@router.post("/admin/catalogue")
async def load_catalogue(request: Request, viewer: CatalogueAdmin) -> Response:
    """A new catalogue version from a YAML file, validated strictly: nothing is loaded from a file with any error."""
    form = await request.form()
    sent: Sent = {key: [v for v in form.getlist(key) if isinstance(v, str)] for key in form}
    upload = form.get("file")
    content, source = "", ""
    if isinstance(upload, UploadFile):
        raw = await upload.read()
        source = upload.filename or "catalogue.yaml"
        try:
            content = raw.decode("utf-8")
        except UnicodeDecodeError:
            content = ""

    def load(session: Session, runtime: Runtime, sent: Sent) -> None:
        if not content:
            raise InvalidInput("choose a UTF-8 catalogue file", "请选择 UTF-8 编码的执法事项清单文件")
        catalogue.load_version(
            session,
            agency_of(session, viewer.principal.agency_id),
            content=content,
            source=source[:200],
            actor=viewer.principal.actor,
            at=runtime.clock.now(),
        )

    return await _act(request, viewer, "catalogue", load, sent)


# -- the working-day calendar ------------------------------------------------------------------------------------


@router.get("/admin/calendar")
def calendar_page(request: Request, viewer: CalendarAdmin) -> HTMLResponse:
    return _page(request, viewer, "calendar")


@router.post("/admin/calendar")
async def load_calendar_notice(request: Request, viewer: CalendarAdmin) -> Response:
    """Load the State Council's holiday notice for a year (as ``PUT /api/v1/calendar/notices/{year}``): every open
    deadline it moves is recounted, and the page lists them."""

    def load(session: Session, runtime: Runtime, sent: Sent) -> list[dict[str, Any]]:
        year_text = _first(sent, "year").strip()
        if not year_text.isdigit() or not 1950 <= int(year_text) <= 2100:
            raise InvalidInput("the year is a number from 1950 to 2100", "年份须为1950至2100之间的数字")
        year = int(year_text)
        try:
            notice = json.loads(_first(sent, "notice"))
        except ValueError as exc:
            raise InvalidInput(f"the notice is not JSON: {exc}", f"通知内容不是有效的 JSON：{exc}") from None
        if not isinstance(notice, dict):
            raise InvalidInput("the notice is a JSON object", "通知内容须为 JSON 对象")
        if "year" in notice and notice["year"] != year:
            raise InvalidInput(
                f"the notice is for {notice['year']}, not {year}", f"通知年份{notice['year']}与{year}不符"
            )
        try:
            parsed = parse_notice({**notice, "year": year})
        except CalendarNoticeError as exc:
            raise InvalidInput(
                "the notice is refused: " + "; ".join(exc.problems),
                "通知有误，未载入：" + "；".join(exc.problems),
                extra={"problems": list(exc.problems)},
            ) from None
        loaded = load_notice(session, runtime.case_context, parsed, viewer.principal.actor, runtime.clock.now())
        return [
            {"case_number": r.case_number, "name": c["name"], "due_on": c["due_on"], "before": c["before"]}
            for revisions in loaded.revisions.values()
            for r in revisions
            for c in r.changes
        ]

    return await _act(request, viewer, "calendar", load)


# -- agency settings ---------------------------------------------------------------------------------------------


@router.get("/admin/settings")
def settings_page(request: Request, viewer: UserAdmin) -> HTMLResponse:
    return _page(request, viewer, "settings")


@router.post("/admin/settings/principal-head")
async def set_principal_head(request: Request, viewer: UserAdmin) -> Response:
    """Designate one of the agency's active heads as its principal head (重庆市规范行政处罚裁量权办法 第十九条)."""

    def designate(session: Session, runtime: Runtime, sent: Sent) -> None:
        body = _valid(PrincipalHeadIn, {"user_id": _first(sent, "user_id")})
        designate_principal_head(
            session,
            agency_of(session, viewer.principal.agency_id),
            body.user_id,
            viewer.principal.actor,
            runtime.clock.now(),
        )

    return await _act(request, viewer, "settings", designate)
