"""Redacting what is published, by rule (pure, no I/O).

The structured party: a person's name masked (张三 → 张某某), ID numbers and phones never published, the address
cut to village level; an organisation is published by name, as 国办发〔2018〕118号 requires.

Free text (the facts, a withdrawal's reason, any string of the published content): every resident ID number and
telephone number is replaced by a label (``service/privacy/identifiers.py`` says what is recognised), and the
individual party's name — known from the party's record at publication — is masked wherever it appears: the full
name, with or without spaces between its characters, and a given name of two or more characters standing alone
(张晓明 → 张某某, 晓明 → 某某). A one-character given name alone is not masked (三 is a word too), and the names of
other people in the text are not known to the service: whoever writes the facts names them as 李某.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from service.privacy.identifiers import Identifier, redact_identifiers

LABELS = {Identifier.ID_NUMBER: "[身份证号码已隐去]", Identifier.PHONE: "[电话号码已隐去]"}


@dataclass(frozen=True)
class RedactionRules:
    mask_person_name: bool
    address_levels: tuple[str, ...]


@dataclass(frozen=True)
class KnownPerson:
    """What the service knows of a natural person named in the text: the individual party's own data."""

    name: str | None
    id_number: str | None = None
    phone: str | None = None


def family_name(name: str) -> str:
    """The family name: a two-character one (欧阳) is taken when the name has four characters or more."""
    name = name.strip()
    return name[:2] if len(name) >= 4 else name[:1]


def mask_name(name: str) -> str:
    """张三 → 张某某; 欧阳娜娜 → 欧阳某某."""
    name = name.strip()
    if not name:
        return ""
    return family_name(name) + "某某"


def cut_address(address: str, levels: Sequence[str]) -> str:
    """Keep the address up to the first village-level unit; nothing when none is found."""
    positions = [address.find(level) for level in levels if address.find(level) >= 0]
    if not positions:
        return ""
    end = min(positions)
    level = next(lv for lv in levels if address.find(lv) == end)
    return address[: end + len(level)]


def _spaced(word: str) -> str:
    """A pattern for ``word`` with optional spaces between its characters (张 三, 张　三)."""
    return r"[ \t\u00a0\u3000]*".join(re.escape(c) for c in word)


def mask_person_in_text(text: str, name: str) -> str:
    """``text`` with the person's full name masked, and a given name of two or more characters masked alone."""
    name = re.sub(r"\s+", "", name)
    if len(name) < 2:  # a one-character "name" is a word of the text too: masking it would garble the facts
        return text
    text = re.sub(_spaced(name), mask_name(name), text)
    given = name[len(family_name(name)) :]
    if len(given) >= 2:
        text = re.sub(_spaced(given), "某某", text)
    return text


def redact_text(text: str, persons: Sequence[KnownPerson] = ()) -> str:
    """Free text as it may be published: ID numbers and phones labelled, the known persons' names masked."""
    known: list[tuple[str, Identifier]] = []
    for person in persons:
        if person.id_number:
            known.append((person.id_number, Identifier.ID_NUMBER))
        if person.phone:
            known.append((person.phone, Identifier.PHONE))
    text = redact_identifiers(text, LABELS, known)
    for person in persons:
        if person.name:
            text = mask_person_in_text(text, person.name)
    return text


def redact_strings(value: Any, persons: Sequence[KnownPerson] = ()) -> Any:
    """Every string inside ``value`` (dicts, lists) passed through :func:`redact_text`; other values kept."""
    if isinstance(value, str):
        return redact_text(value, persons)
    if isinstance(value, dict):
        return {k: redact_strings(v, persons) for k, v in value.items()}
    if isinstance(value, list):
        return [redact_strings(v, persons) for v in value]
    return value


def redact_party(party_type: str, name: str | None, address: str | None, rules: RedactionRules) -> dict[str, str]:
    if party_type == "organisation":
        return {"party_type": party_type, "name": name or "", "address": address or ""}
    return {
        "party_type": party_type,
        "name": mask_name(name or "") if rules.mask_person_name else (name or ""),
        "address": cut_address(address or "", rules.address_levels),
    }
