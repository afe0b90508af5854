"""Whether a decision needs legal review (法制审核) or collective discussion (集体讨论): the review catalogue."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, Strict, ValidationError

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


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class _RequiredWhen(_Strict):
    hearing_held: bool
    hearing_right: bool
    # Written as strings in YAML: the one field read by value rather than by type.
    penalty_kinds: list[Annotated[PenaltyKind, Strict(False)]] = []
    fine_at_least_fen: int | None = Field(default=None, ge=0)
    flagged_major: bool


class _DiscussionWhen(_Strict):
    flagged_major: bool
    discretion_departure: bool
    quorum: int = Field(ge=1)


class ReviewCatalogueFile(_Strict):
    """The file as written: unknown keys refused, ``"false"`` is not a boolean, a number is a number."""

    version: Literal[1]
    required_when: _RequiredWhen
    first_time_reviewer_needs_legal_qualification: bool
    collective_discussion_when: _DiscussionWhen


def load_review_catalogue(path: Path) -> ReviewCatalogue:
    try:
        raw = load_strict(path.read_bytes())
        parsed = ReviewCatalogueFile.model_validate(raw)
    except (OSError, yaml.YAMLError, ValidationError, ValueError) as exc:
        raise ReviewCatalogueError(f"{path.name}: invalid review catalogue: {exc}") from exc
    when, discussion = parsed.required_when, parsed.collective_discussion_when
    return ReviewCatalogue(
        hearing_held=when.hearing_held,
        hearing_right=when.hearing_right,
        penalty_kinds=frozenset(when.penalty_kinds),
        fine_at_least_fen=when.fine_at_least_fen,
        flagged_major=when.flagged_major,
        first_time_reviewer_needs_legal_qualification=parsed.first_time_reviewer_needs_legal_qualification,
        discussion_when_major=discussion.flagged_major,
        discussion_when_departure=discussion.discretion_departure,
        quorum=discussion.quorum,
    )


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
