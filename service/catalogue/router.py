"""``/api/v1/catalogue``: the agency's current enforcement catalogue; admins load new versions."""

from __future__ import annotations

from fastapi import APIRouter

from service.agencies.service import agency_of
from service.auth.deps import ReadSession, RuntimeDep, WriteSession, requires
from service.auth.permissions import Permission
from service.auth.principal import Principal
from service.catalogue import service as catalogue
from service.catalogue.schemas import (
    CatalogueIn,
    CatalogueOut,
    ItemOut,
    LoadedOut,
)

router = APIRouter(prefix="/api/v1/catalogue", tags=["catalogue"])


@router.get("", response_model=CatalogueOut)
def get_catalogue(session: ReadSession, principal: Principal = requires(Permission.CATALOGUE_READ)) -> CatalogueOut:
    """The agency's current catalogue version with all its items."""
    version = catalogue.require_current_version(session, principal.agency_id)
    return CatalogueOut(
        version=version.version,
        source=version.source,
        title=version.title,
        loaded_at=version.loaded_at,
        items=[row.data for row in catalogue.items_of(session, principal.agency_id, version.version)],
    )


@router.get("/items/{code}", response_model=ItemOut)
def get_item(code: str, session: ReadSession, principal: Principal = requires(Permission.CATALOGUE_READ)) -> ItemOut:
    """One item of the current catalogue."""
    version = catalogue.require_current_version(session, principal.agency_id)
    item = catalogue.item_of(session, principal.agency_id, version.version, code)
    return ItemOut(
        code=item.code,
        name_zh=item.name.zh,
        name_en=item.name.en,
        category=item.category,
        version=version.version,
        item=item.model_dump(mode="json"),
    )


@router.post("", response_model=LoadedOut, status_code=201)
def load_catalogue(
    body: CatalogueIn,
    session: WriteSession,
    runtime: RuntimeDep,
    principal: Principal = requires(Permission.CATALOGUE_MANAGE),
) -> LoadedOut:
    """Load a new catalogue version (validated strictly; nothing is loaded from a file with any error)."""
    agency = agency_of(session, principal.agency_id)
    loaded = catalogue.load_version(
        session, agency, content=body.content, source=body.source, actor=principal.actor, at=runtime.clock.now()
    )
    return LoadedOut(version=loaded.version, item_count=len(loaded.items))
