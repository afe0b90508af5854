"""``/api/v1/public``: what the law says must be published, without authentication.

Before enforcement the agency publishes its items and basis (行政处罚法 第三十九条; 国办发〔2018〕118号 item 4)
and its officers with their certificates — name, unit, certificate number, scope and status, nothing else
about the person.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from service.agencies.service import get_agency_by_code
from service.auth.deps import PUBLIC, ReadSession, RuntimeDep
from service.catalogue.service import items_of, require_current_version
from service.officers.qualification import certificate_status_on
from service.officers.service import certified_officers
from service.policy.calendar import local_date
from service.public.schemas import (
    PublicCatalogue,
    PublicCertificate,
    PublicOfficer,
)

router = APIRouter(prefix="/api/v1/public/agencies/{agency}", tags=["public"])


@router.get("/items", response_model=PublicCatalogue, dependencies=[PUBLIC])
def public_items(agency: str, session: ReadSession) -> PublicCatalogue:
    """The enforcement items the agency may enforce, with their legal basis and discretion standard."""
    found = get_agency_by_code(session, agency)
    version = require_current_version(session, found.id)
    return PublicCatalogue(
        agency=found.code,
        agency_name=found.name,
        version=version.version,
        items=[row.data for row in items_of(session, found.id, version.version)],
    )


@router.get("/officers", response_model=list[PublicOfficer], dependencies=[PUBLIC])
def public_officers(agency: str, session: ReadSession, runtime: RuntimeDep) -> list[PublicOfficer]:
    """Officers holding certificates: name, unit, certificate number, scope and status — nothing else.

    The status is the one in force now: a certificate past its expiry date shows as expired.
    """
    found = get_agency_by_code(session, agency)
    today = local_date(runtime.clock.now())
    rows = certified_officers(session, found.id)
    out: dict[Any, PublicOfficer] = {}
    for officer, certificate in rows:
        entry = out.setdefault(
            officer.id,
            PublicOfficer(
                name=officer.name, unit=runtime.officer_policy.units.get(officer.unit, officer.unit), certificates=[]
            ),
        )
        entry.certificates.append(
            PublicCertificate(
                number=certificate.number,
                scope_items=certificate.scope_items,
                scope_categories=certificate.scope_categories,
                territory=certificate.territory,
                status=certificate_status_on(certificate.status, certificate.issued_on, certificate.expires_on, today),
                expires_on=certificate.expires_on,
            )
        )
    return list(out.values())
