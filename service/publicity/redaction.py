"""Redacting a party for publication, by rule (pure): names masked, ID numbers and phones removed,
addresses cut to village level; organisations shown by name."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class RedactionRules:
    mask_person_name: bool
    address_levels: tuple[str, ...]


def mask_name(name: str) -> str:
    """张三 → 张某某; a two-character family name (欧阳) is kept whole when the name has four characters or more."""
    name = name.strip()
    if not name:
        return ""
    family = name[:2] if len(name) >= 4 else name[:1]
    return family + "某某"


def cut_address(address: str, levels: Sequence[str]) -> str:
    """Keep the address up to the first village-level unit; nothing when none is found."""
    positions = [address.find(level) for level in levels if address.find(level) >= 0]
    if not positions:
        return ""
    end = min(positions)
    level = next(lv for lv in levels if address.find(lv) == end)
    return address[: end + len(level)]


def redact_party(party_type: str, name: str | None, address: str | None, rules: RedactionRules) -> dict[str, str]:
    if party_type == "organisation":
        return {"party_type": party_type, "name": name or "", "address": address or ""}
    return {
        "party_type": party_type,
        "name": mask_name(name or "") if rules.mask_person_name else (name or ""),
        "address": cut_address(address or "", rules.address_levels),
    }
