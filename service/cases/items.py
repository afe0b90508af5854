"""A catalogue item as the guards see it (``ItemRules``), for one party type."""

from __future__ import annotations

from service.cases.guards import DiscretionBand, FineRange, ItemRules, OwnExecutionPower
from service.legal import LegalBasis
from service.policy.catalogue import PARTY_TYPES, CatalogueItem, PartyType

# The rules of each item object (items are read once per catalogue version and kept: ``item_of``) for each party
# type: a step works them out twice, a view once. The item is held in the entry, so its id is not reused.
_KNOWN_RULES: dict[tuple[int, PartyType], tuple[CatalogueItem, ItemRules]] = {}
_KNOWN_RULES_MAX = 4096


def item_rules(item: CatalogueItem, party_type: PartyType) -> ItemRules:
    """The item's rules; discretion levels that do not apply to ``party_type`` are left out."""
    known = _KNOWN_RULES.get((id(item), party_type))
    if known is not None and known[0] is item:
        return known[1]
    rules = _item_rules(item, party_type)
    if len(_KNOWN_RULES) >= _KNOWN_RULES_MAX:
        _KNOWN_RULES.clear()
    _KNOWN_RULES[(id(item), party_type)] = (item, rules)
    return rules


def _item_rules(item: CatalogueItem, party_type: PartyType) -> ItemRules:
    statutory: dict[PartyType, FineRange] = {}
    if item.statutory_fine is not None:
        for party in PARTY_TYPES:
            found = getattr(item.statutory_fine, party)
            if found is not None:
                statutory[party] = FineRange(found.min_fen, found.max_fen)
    bands = []
    for level in item.discretion:
        if party_type not in level.parties:
            continue
        fines: dict[PartyType, FineRange] = {}
        for party in PARTY_TYPES:
            found = level.fine_range(party)
            if found is not None:
                fines[party] = FineRange(found.min_fen, found.max_fen)
        bands.append(DiscretionBand(level.code, level.level, frozenset(level.penalty_kinds), fines))
    single = item.single_officer_allowed_by
    own = item.own_execution
    return ItemRules(
        code=item.code,
        penalty_kinds=frozenset(item.penalty_kinds),
        statutory_fines=statutory,
        discretion=tuple(bands),
        hearing_threshold_fen={p: item.hearing_threshold.for_party(p) for p in PARTY_TYPES},
        hearing_always_for=frozenset(item.hearing_threshold.always_for),
        single_officer_allowed_by=None if single is None else LegalBasis(single.law, single.article, single.paragraph),
        required_kinds={p: frozenset(item.required_kinds.for_party(p)) for p in PARTY_TYPES},
        time_bar_years=item.time_bar_years,
        time_bar_years_if_harm=item.time_bar_years_if_harm,
        measures=frozenset(m.code for m in item.measures),
        discretion_set_by=item.discretion_set_by,
        first_violation_no_penalty=item.first_violation_no_penalty,
        own_execution=None
        if own is None
        else OwnExecutionPower(
            frozenset(own.manners), LegalBasis(own.basis.law, own.basis.article, own.basis.paragraph)
        ),
    )
