"""Whether a decision needs legal review (法制审核) or collective discussion (集体讨论): the review catalogue."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from service.cases.guards import ItemRules, Penalty, hearing_right
from service.policy.catalogue import PartyType, PenaltyKind
from service.policy.strict_yaml import load_strict


class ReviewCatalogueError(ValueError):
    pass


@dataclass(frozen=True)
class ReviewCatalogue:
    hearing_held: bool
    hearing_right: bool
    penalty_kinds: frozenset[PenaltyKind]
    fine_at_least_fen: int | None
    flagged_major: bool
    first_time_reviewer_needs_legal_qualification: bool
    discussion_when_major: bool
    discussion_when_departure: bool
    quorum: int


def load_review_catalogue(path: Path) -> ReviewCatalogue:
    try:
        doc: Any = load_strict(path.read_bytes())
        when = doc["required_when"]
        discussion = doc["collective_discussion_when"]
        catalogue = ReviewCatalogue(
            hearing_held=bool(when["hearing_held"]),
            hearing_right=bool(when["hearing_right"]),
            penalty_kinds=frozenset(PenaltyKind(k) for k in when.get("penalty_kinds", [])),
            fine_at_least_fen=int(when["fine_at_least_fen"]) if when.get("fine_at_least_fen") is not None else None,
            flagged_major=bool(when["flagged_major"]),
            first_time_reviewer_needs_legal_qualification=bool(doc["first_time_reviewer_needs_legal_qualification"]),
            discussion_when_major=bool(discussion["flagged_major"]),
            discussion_when_departure=bool(discussion["discretion_departure"]),
            quorum=int(discussion["quorum"]),
        )
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError) as exc:
        raise ReviewCatalogueError(f"{path.name}: invalid review catalogue: {exc}") from exc
    if catalogue.quorum < 1:
        raise ReviewCatalogueError(f"{path.name}: collective_discussion_when.quorum must be at least 1")
    return catalogue


def review_required(
    catalogue: ReviewCatalogue,
    item: ItemRules | None,
    party_type: PartyType,
    penalty: Penalty | None,
    *,
    hearing_held: bool,
    major: bool,
) -> list[str]:
    """The reasons a legal review is required for deciding ``penalty`` (empty: not required). 第五十八条."""
    reasons = []
    if catalogue.flagged_major and major:
        reasons.append("flagged_major")
    if catalogue.hearing_held and hearing_held:
        reasons.append("hearing_held")
    if penalty is not None:
        if catalogue.hearing_right and item is not None and hearing_right(item, party_type, penalty):
            reasons.append("hearing_right")
        if penalty.kinds & catalogue.penalty_kinds:
            reasons.append("penalty_kind")
        if catalogue.fine_at_least_fen is not None and penalty.fine_fen >= catalogue.fine_at_least_fen:
            reasons.append("fine_amount")
    return reasons


def collective_discussion_required(catalogue: ReviewCatalogue, *, major: bool, departs_from_standard: bool) -> bool:
    """第五十七条第二款 (complex or major), 重庆市规范行政处罚裁量权办法 第十九条 (departure from the standard)."""
    return (catalogue.discussion_when_major and major) or (
        catalogue.discussion_when_departure and departs_from_standard
    )
