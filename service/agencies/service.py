"""Adding agencies (执法主体). Each agency gets its own ledger and checkpoint-signing key."""

from __future__ import annotations

import uuid
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.agencies.models import Agency
from service.errors import Conflict, InvalidInput, NotFound
from service.ledger.canonical import EntryContent
from service.ledger.integrator import open_log
from service.ledger.keys import AGENCY_CODE, ensure_agency_key
from service.ledger.note import NoteSigner
from service.ledger.projection import AgencyRef, projector, record

AGENCY_STREAM = "agency"


def log_origin(origin_base: str, code: str) -> str:
    return f"{origin_base}/{code}"


def create_agency(
    session: Session, *, code: str, name: str, keys_dir: Path, origin_base: str, actor: str, at: datetime
) -> Agency:
    if not AGENCY_CODE.match(code):
        raise InvalidInput(
            f"agency code {code!r} must be 2–50 lowercase letters, digits or '-', starting with a letter",
            f"执法主体代码 {code!r} 须为2至50位小写字母、数字或连字符，并以字母开头",
        )
    name = name.strip()
    if not name:
        raise InvalidInput("agency name must not be empty", "执法主体名称不能为空")
    if session.scalar(select(Agency.id).where(Agency.code == code)) is not None:
        raise Conflict(f"agency {code!r} already exists", f"执法主体 {code!r} 已存在")
    origin = log_origin(origin_base, code)
    signer = NoteSigner(origin, ensure_agency_key(keys_dir, code))
    agency = AgencyRef(uuid.uuid4(), code)
    open_log(session, agency, origin, at)
    record(
        session,
        agency,
        stream=AGENCY_STREAM,
        type="agency:agency:created",
        actor=actor,
        at=at,
        body={
            "agency_id": agency.id,
            "code": code,
            "name": name,
            "log_origin": origin,
            "checkpoint_vkey": signer.vkey(),
        },
    )
    created = session.get(Agency, agency.id)
    assert created is not None
    return created


@projector("agency:agency:created")
def _agency_created(session: Session, entry: EntryContent) -> None:
    body = entry.body
    session.add(
        Agency(
            id=uuid.UUID(body["agency_id"]),
            code=body["code"],
            name=body["name"],
            log_origin=body["log_origin"],
            checkpoint_vkey=body["checkpoint_vkey"],
            created_at=entry.recorded_at,
        )
    )


_IDS_BY_CODE: dict[tuple[str, str], uuid.UUID] = {}


def agency_id_by_code(session: Session, code: str) -> uuid.UUID:
    """An agency's id from its code. An agency's id never changes, so it is remembered once found (per database)."""
    key = (str(session.get_bind().engine.url), code)
    found = _IDS_BY_CODE.get(key)
    if found is None:
        found = session.scalar(select(Agency.id).where(Agency.code == code))
        if found is None:
            raise NotFound(f"no agency {code!r}", f"执法主体 {code!r} 不存在")
        _IDS_BY_CODE[key] = found
    return found


def known_agency_id(database_url: str, code: str) -> uuid.UUID | None:
    """An agency's id from its code if ``agency_id_by_code`` has found it for the database at ``database_url``
    (the URL as its engine prints it); ``None`` if not yet: a route on the event loop looks it up there."""
    return _IDS_BY_CODE.get((database_url, code))


def get_agency_by_code(session: Session, code: str) -> Agency:
    agency = session.scalar(select(Agency).where(Agency.code == code))
    if agency is None:
        raise NotFound(f"no agency {code!r}", f"执法主体 {code!r} 不存在")
    return agency


_HELD = "caseledger.agencies"  # session.info key: the agencies read in this transaction, held


def agency_of(session: Session, agency_id: uuid.UUID) -> Agency:
    """The caller's own agency (it exists: a principal is only ever built for a user of an existing agency).

    Read once per transaction: the session's identity map holds objects weakly, so without this a request that
    asks for its agency again after dropping it would read it again."""
    held: dict[uuid.UUID, Agency] = session.info.setdefault(_HELD, {})
    agency = held.get(agency_id)
    if agency is None or agency not in session:  # not read yet, or the session was closed since
        agency = session.get(Agency, agency_id)
    if agency is None:
        raise NotFound("no such agency", "执法主体不存在")
    held[agency_id] = agency
    return agency


def hold_agency(session: Session, agency: Agency) -> None:
    """Keep ``agency``, read by a statement of the caller's (e.g. joined to a case), for ``agency_of``."""
    session.info.setdefault(_HELD, {})[agency.id] = agency


_ENTRY_AGENCIES = "caseledger.entry_agencies"  # session.info key: agency code -> id, as projectors found them


def entry_agency_id(session: Session, entry: EntryContent) -> uuid.UUID:
    """The id of the agency whose ledger holds ``entry`` (for projectors). Remembered for the session — an
    agency's code names it for good (its creation's entry sets both) —: a replay's one session asks it for every
    case registered, officer and user of its ledger, and the query each time was a third of a registration's
    replay (bench/README.md, stop 50)."""
    known: dict[str, uuid.UUID] = session.info.setdefault(_ENTRY_AGENCIES, {})
    found = known.get(entry.agency)
    if found is None:
        found = known[entry.agency] = session.scalars(select(Agency.id).where(Agency.code == entry.agency)).one()
    return found


def agency_ref(agency: Agency) -> AgencyRef:
    return AgencyRef(agency.id, agency.code)
