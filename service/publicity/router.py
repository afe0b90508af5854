"""Publishing decisions (heads), the public list and Atom feed, and overdue publications."""

from __future__ import annotations

import uuid
from typing import Any
from xml.sax.saxutils import escape

from fastapi import APIRouter
from fastapi.responses import Response

from service.agencies.service import get_agency_by_code
from service.auth.deps import PUBLIC, ReadSession, RuntimeDep, WriteSession, requires
from service.auth.permissions import Permission
from service.auth.principal import Principal
from service.cases import service as cases
from service.policy.calendar import local_date
from service.publicity import service as publicity
from service.publicity.schemas import (
    OverdueOut,
    PublicationOut,
    WithdrawIn,
)
from service.runtime import Runtime

router = APIRouter(prefix="/api/v1", tags=["publicity"])


@router.post("/cases/{case_id}/publication", response_model=PublicationOut, status_code=201)
def publish(
    case_id: uuid.UUID,
    session: WriteSession,
    runtime: RuntimeDep,
    principal: Principal = requires(Permission.CASE_APPROVE),
) -> PublicationOut:
    """Publish a decided penalty, with the party redacted by rule (国办发〔2018〕118号 item 6)."""
    case = cases.get_case(session, principal, runtime.case_context.case_policy, case_id)
    found = publicity.publish(session, runtime.case_context, runtime.publicity, principal, case, runtime.clock.now())
    return PublicationOut.model_validate(found, from_attributes=True)


@router.post("/cases/{case_id}/publication/withdraw", response_model=PublicationOut)
def withdraw(
    case_id: uuid.UUID,
    body: WithdrawIn,
    session: WriteSession,
    runtime: RuntimeDep,
    principal: Principal = requires(Permission.CASE_APPROVE),
) -> PublicationOut:
    """Withdraw a publication (a revoked or changed decision: 行政处罚法 第四十八条); the withdrawal stays visible."""
    case = cases.get_case(session, principal, runtime.case_context.case_policy, case_id)
    found = publicity.withdraw(session, principal, case, body.reason, runtime.clock.now())
    return PublicationOut.model_validate(found, from_attributes=True)


@router.post("/cases/{case_id}/publication/changed", response_model=PublicationOut)
def republish_changed(
    case_id: uuid.UUID,
    session: WriteSession,
    runtime: RuntimeDep,
    principal: Principal = requires(Permission.CASE_APPROVE),
) -> PublicationOut:
    """Publish the decision as changed on reconsideration or by a court (行政处罚法 第四十八条第二款): the original
    stays listed, marked changed, beside the changed decision and the result that changed it."""
    case = cases.get_case(session, principal, runtime.case_context.case_policy, case_id)
    found = publicity.republish_changed(session, runtime.publicity, principal, case, runtime.clock.now())
    return PublicationOut.model_validate(found, from_attributes=True)


@router.get("/publicity/overdue", response_model=list[OverdueOut])
def overdue(
    session: ReadSession, runtime: RuntimeDep, principal: Principal = requires(Permission.REPORT_READ)
) -> list[OverdueOut]:
    """Decisions not published within 7 working days, and revoked ones not withdrawn within 3."""
    found = publicity.overdue_publications(
        session, runtime.case_context, runtime.publicity, principal.agency_id, runtime.clock.now()
    )
    return [OverdueOut.model_validate(o, from_attributes=True) for o in found]


def _published(session: ReadSession, runtime: Runtime, agency: str) -> tuple[Any, list[publicity.PublicDecision]]:
    found = get_agency_by_code(session, agency)
    return found, publicity.public_decisions(session, runtime.publicity, found.id)


@router.get("/public/agencies/{agency}/decisions", response_model=list[PublicationOut], dependencies=[PUBLIC])
def public_decisions(agency: str, session: ReadSession, runtime: RuntimeDep) -> list[PublicationOut]:
    """Published penalty decisions: case number, item, legal basis, facts, penalty, date — the party redacted,
    and ID numbers, phone numbers and the party's name redacted from every text; withdrawn ones stay listed with
    the withdrawal."""
    _, rows = _published(session, runtime, agency)
    return [PublicationOut.model_validate(p, from_attributes=True) for p in rows]


@router.get("/public/agencies/{agency}/decisions.atom", dependencies=[PUBLIC])
def public_feed(agency: str, session: ReadSession, runtime: RuntimeDep) -> Response:
    """The same as an Atom feed."""
    found, rows = _published(session, runtime, agency)
    updated = max(
        (max(t for t in (p.published_at, p.withdrawn_at, p.changed_at) if t is not None) for p in rows),
        default=found.created_at,
    )
    items = []
    for p in rows:
        c = p.content
        penalty = c.get("penalty") or {}
        title = f"{c.get('case_number')} {c.get('item_name')}" + ("（已撤回）" if p.withdrawn_at else "")
        title += "（已变更）" if p.changed_content is not None else ""
        text = (
            f"当事人：{c['party']['name']}；事项：{c['item_name']}；依据：{'、'.join(c['legal_basis'])}；"
            f"处罚：{'、'.join(penalty.get('kinds', []))} {penalty.get('fine_fen', 0) / 100:.2f}元；"
            f"决定日期：{c.get('decided_on')}"
        )
        if p.withdrawn_at:
            text += f"；已于{local_date(p.withdrawn_at).isoformat()}撤回：{p.withdrawal_reason}"
        if p.changed_content is not None and p.changed_at is not None:
            changed = p.changed_content.get("penalty") or {}
            text += (
                f"；已于{local_date(p.changed_at).isoformat()}{p.change_reason}，变更后的处罚："
                f"{'、'.join(changed.get('kinds', []))} {changed.get('fine_fen', 0) / 100:.2f}元"
            )
        updated_at = max(t for t in (p.published_at, p.withdrawn_at, p.changed_at) if t is not None)
        items.append(
            f"<entry><id>urn:uuid:{p.case_id}</id><title>{escape(title)}</title>"
            f"<updated>{updated_at.isoformat()}</updated>"
            f'<content type="text">{escape(text)}</content></entry>'
        )
    xml = (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<id>urn:caseledger:{found.code}:decisions</id><title>{escape(found.name)} 行政处罚决定公示</title>"
        f"<updated>{updated.isoformat()}</updated>{''.join(items)}</feed>\n"
    )
    return Response(xml, media_type="application/atom+xml")
