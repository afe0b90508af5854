"""Disclosing a party's personal data to a case's reader: an act, recorded on the case's chain.

Who may see a case sees its party redacted (``redacted_party``): an individual's name as 张某某, the ID number's
region and last four characters, the phone's first three and last four, the address to village level; an
organisation by its name, code and address, which are published anyway. To see the clear data a reader
discloses it, giving a reason: the entry ``case:personal_data:disclosed`` names the actor, the time, the case,
the fields and the reason — never the data — so a supervisor can see every read of a party's data in the case's
history (个人信息保护法 第五十一条: operating permissions and de-identification for personal data). GET never
writes, so the clear data is only ever the answer to that POST.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from service.agencies.service import agency_of, agency_ref
from service.auth.principal import Principal
from service.cases.history import HistoryEntry
from service.cases.locking import case_stream
from service.cases.models import Case, Party
from service.cases.parties import PERSONAL_FIELDS, mask_id_number, mask_phone
from service.errors import InvalidInput
from service.ledger.canonical import EntryContent
from service.ledger.projection import projector, record
from service.privacy.redaction import cut_address, mask_name

DISCLOSED = "case:personal_data:disclosed"


@dataclass(frozen=True)
class PartyView:
    party_type: str
    name: str | None
    id_number: str | None
    phone: str | None
    address: str | None
    erased_fields: list[str]
    redacted: bool


def clear_party(party: Party) -> PartyView:
    return PartyView(
        party.party_type, party.name, party.id_number, party.phone, party.address, list(party.erased_fields), False
    )


def party_of(session: Session, case: Case) -> Party:
    party = session.get(Party, case.party_id)
    assert party is not None, "a case is registered with its party"
    return party


def redacted_party(party: Party, address_levels: Sequence[str]) -> PartyView:
    """What every reader of the case sees of the party: enough to recognise them, not to identify them."""
    organisation = party.party_type == "organisation"
    return PartyView(
        party_type=party.party_type,
        name=party.name if organisation or party.name is None else mask_name(party.name),
        id_number=party.id_number if organisation or party.id_number is None else mask_id_number(party.id_number),
        phone=None if party.phone is None else mask_phone(party.phone),
        address=party.address if organisation or party.address is None else cut_address(party.address, address_levels),
        erased_fields=list(party.erased_fields),
        redacted=True,
    )


def given_reason(reason: str) -> str:
    """The reason for reading the party's personal data, stripped: required and never blank (checked before
    anything is added to it, such as a document's number, so that a blank one cannot pass as a reason)."""
    if not reason.strip():
        raise InvalidInput(
            "the reason for reading the party's personal data is required", "须说明查阅当事人个人信息的事由"
        )
    return reason.strip()


def disclose_party(session: Session, principal: Principal, case: Case, reason: str, now: datetime) -> Party:
    """Record that ``principal`` reads the party's personal data of ``case`` for ``reason``; the party's row."""
    reason = given_reason(reason)
    party = party_of(session, case)
    assert party is not None
    held = [name for name in PERSONAL_FIELDS if getattr(party, name)]
    record(
        session,
        agency_ref(agency_of(session, principal.agency_id)),
        stream=case_stream(case.id),
        type=DISCLOSED,
        actor=principal.actor,
        at=now,
        body={"case_id": case.id, "party_id": party.id, "fields": held, "reason": reason},
    )
    return party


@projector(DISCLOSED)
def _disclosed(session: Session, entry: EntryContent) -> None:
    """A disclosure changes no current state: it is a fact of the record, read back from the case's chain."""


@dataclass(frozen=True)
class Disclosure:
    seq: int
    actor: str
    actor_name: str | None
    at: datetime
    fields: list[str]
    reason: str
    verifies: bool


def disclosures(history: Sequence[HistoryEntry]) -> list[Disclosure]:
    """The disclosures in a case's verified history, oldest first."""
    return [
        Disclosure(
            seq=h.seq,
            actor=h.actor,
            actor_name=h.actor_name,
            at=h.recorded_at,
            fields=list(h.body.get("fields", [])),
            reason=str(h.body.get("reason", "")),
            verifies=h.verifies,
        )
        for h in history
        if h.type == DISCLOSED
    ]
