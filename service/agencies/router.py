"""``/api/v1/agency``: the settings of the caller's agency that the law gives weight to."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from service.agencies.schemas import AgencySettingsOut, AreaOut, PrincipalHeadIn
from service.agencies.service import agency_of
from service.auth.deps import ReadSession, RuntimeDep, WriteSession, requires
from service.auth.permissions import Permission
from service.auth.principal import Principal
from service.auth.principal_head import designate_principal_head

router = APIRouter(prefix="/api/v1/agency", tags=["agency"])


def _settings_out(session: ReadSession | WriteSession, runtime: RuntimeDep, agency_id: uuid.UUID) -> AgencySettingsOut:
    agency = agency_of(session, agency_id)
    areas = runtime.case_context.designated_areas.of(agency.code)
    return AgencySettingsOut(
        code=agency.code,
        name=agency.name,
        principal_head_user_id=agency.principal_head_user_id,
        designated_areas=[AreaOut(code=a.code, zh=a.zh, en=a.en) for a in areas],
    )


@router.get("/settings", response_model=AgencySettingsOut)
def agency_settings(
    session: ReadSession, runtime: RuntimeDep, principal: Principal = requires(Permission.CASE_READ)
) -> AgencySettingsOut:
    """The principal head (主要负责人, 重庆市规范行政处罚裁量权办法 第十九条) and the designated urban areas where
    ``urban_only`` items apply (重庆市市容环境卫生管理条例 第二条)."""
    return _settings_out(session, runtime, principal.agency_id)


@router.put("/principal-head", response_model=AgencySettingsOut)
def set_principal_head(
    body: PrincipalHeadIn,
    session: WriteSession,
    runtime: RuntimeDep,
    principal: Principal = requires(Permission.USER_MANAGE),
) -> AgencySettingsOut:
    """Designate one of the agency's active heads as its principal head: an entry of the agency's ledger."""
    agency = agency_of(session, principal.agency_id)
    designate_principal_head(session, agency, body.user_id, principal.actor, runtime.clock.now())
    session.flush()
    return _settings_out(session, runtime, principal.agency_id)
