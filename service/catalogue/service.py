"""Loading a catalogue version as a ledger entry, and reading the agency's current catalogue.

A version is identified by the SHA-256 of its file's bytes. The whole file goes into the entry (it is public
law, not personal data), so replay rebuilds the catalogue from the ledger alone; each case pins the version
it was filed under.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from service.agencies.models import Agency
from service.agencies.service import agency_ref, entry_agency_id
from service.catalogue.models import CatalogueItemRow, CatalogueVersion
from service.errors import Conflict, InvalidInput, NotFound
from service.ledger.canonical import EntryContent
from service.ledger.projection import projector, record
from service.ledger.store import lock_stream
from service.policy.catalogue import Catalogue, CatalogueError, CatalogueItem, parse_catalogue

CATALOGUE_STREAM = "catalogue"


def load_version(session: Session, agency: Agency, *, content: str, source: str, actor: str, at: datetime) -> Catalogue:
    """Validate ``content`` strictly and make it the agency's current catalogue (nothing is loaded on any error)."""
    try:
        catalogue = parse_catalogue(content, source)
    except CatalogueError as exc:
        problems = [str(p) for p in exc.problems]
        raise InvalidInput(
            f"catalogue refused, {len(problems)} problem(s): " + "; ".join(problems[:10]),
            f"执法事项清单未载入，共 {len(problems)} 处问题：" + "；".join(problems[:10]),
            extra={"problems": problems},
        ) from None
    lock_stream(session, agency.id, CATALOGUE_STREAM)  # two loads of one version at once: the second is refused
    current = current_version(session, agency.id)
    if current is not None and current.version == catalogue.version:
        raise Conflict(
            f"catalogue version {catalogue.version[:12]} is already the current one",
            f"执法事项清单版本 {catalogue.version[:12]} 已是当前版本",
        )
    record(
        session,
        agency_ref(agency),
        stream=CATALOGUE_STREAM,
        type="catalogue:version:loaded",
        actor=actor,
        at=at,
        body={"version": catalogue.version, "source": source, "title": catalogue.agency, "content": content},
    )
    return catalogue


@projector("catalogue:version:loaded")
def _version_loaded(session: Session, entry: EntryContent) -> None:
    body = entry.body
    catalogue = parse_catalogue(body["content"], body["source"])
    agency_id = entry_agency_id(session, entry)
    session.execute(update(CatalogueVersion).where(CatalogueVersion.agency_id == agency_id).values(current=False))
    if session.get(CatalogueVersion, (agency_id, catalogue.version)) is not None:
        # An earlier version loaded again becomes current again; its items are already stored.
        session.execute(
            update(CatalogueVersion)
            .where(CatalogueVersion.agency_id == agency_id, CatalogueVersion.version == catalogue.version)
            .values(current=True)
        )
        return
    session.add(
        CatalogueVersion(
            agency_id=agency_id,
            version=catalogue.version,
            source=body["source"],
            title=body["title"],
            content=body["content"],
            item_count=len(catalogue.items),
            current=True,
            loaded_at=entry.recorded_at,
        )
    )
    for item in catalogue.items:
        session.add(
            CatalogueItemRow(
                agency_id=agency_id,
                version=catalogue.version,
                code=item.code,
                name_zh=item.name.zh,
                name_en=item.name.en,
                category=item.category,
                data=item.model_dump(mode="json"),
            )
        )


def current_version(session: Session, agency_id: uuid.UUID) -> CatalogueVersion | None:
    return session.scalars(
        select(CatalogueVersion).where(CatalogueVersion.agency_id == agency_id, CatalogueVersion.current.is_(True))
    ).one_or_none()


def versions_of(session: Session, agency_id: uuid.UUID) -> list[CatalogueVersion]:
    """Every version the agency has loaded, the latest first."""
    return list(
        session.scalars(
            select(CatalogueVersion)
            .where(CatalogueVersion.agency_id == agency_id)
            .order_by(CatalogueVersion.loaded_at.desc())
        )
    )


def require_current_version(session: Session, agency_id: uuid.UUID) -> CatalogueVersion:
    found = current_version(session, agency_id)
    if found is None:
        raise NotFound("this agency has not loaded a catalogue yet", "该执法主体尚未载入执法事项清单")
    return found


def items_of(session: Session, agency_id: uuid.UUID, version: str) -> list[CatalogueItemRow]:
    return list(
        session.scalars(
            select(CatalogueItemRow)
            .where(CatalogueItemRow.agency_id == agency_id, CatalogueItemRow.version == version)
            .order_by(CatalogueItemRow.code)
        )
    )


def item_codes_of(session: Session, agency_id: uuid.UUID, version: str) -> frozenset[str]:
    """The codes of the items of ``version`` of the agency's catalogue (``items_of``'s, without reading the items)."""
    return frozenset(
        session.scalars(
            select(CatalogueItemRow.code).where(
                CatalogueItemRow.agency_id == agency_id, CatalogueItemRow.version == version
            )
        )
    )


# A version is named by the SHA-256 of its file, so an item of a version never changes: each process keeps the
# items it has read (typed and frozen) instead of reading and parsing them on every step of every case.
_KNOWN_ITEMS: dict[tuple[uuid.UUID, str, str], CatalogueItem] = {}
_KNOWN_ITEMS_MAX = 4096


def item_of(session: Session, agency_id: uuid.UUID, version: str, code: str) -> CatalogueItem:
    """An item of a given version, as the typed catalogue model."""
    key = (agency_id, version, code)
    known = _KNOWN_ITEMS.get(key)
    if known is not None:
        return known
    row = session.get(CatalogueItemRow, key)
    if row is None:
        raise NotFound(f"no item {code!r} in the catalogue", f"执法事项清单中没有事项 {code!r}")
    # Through JSON, so dates and tuples parse exactly as they did from the file.
    item = CatalogueItem.model_validate_json(json.dumps(row.data))
    if len(_KNOWN_ITEMS) >= _KNOWN_ITEMS_MAX:
        _KNOWN_ITEMS.clear()
    _KNOWN_ITEMS[key] = item
    return item
