"""Stream chains checked in parts: entries in any order, split between processes, joined at the end."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from service.ledger.canonical import EntryContent
from service.ledger.merkle import leaf_hash
from service.ledger.verify import EntryChecker, EntryProblem, EntryRow, link_chains

AT = datetime(2026, 6, 1, 1, 0, tzinfo=UTC)


def chain(stream: str, length: int, agency: str = "tiemen") -> list[EntryRow]:
    rows: list[EntryRow] = []
    prev = None
    for seq in range(length):
        content = EntryContent(agency, stream, seq, "probe:probe:made", "system:test", AT, AT, prev, {"n": seq})
        data = content.canonical()
        digest = leaf_hash(data)
        rows.append((data, digest, stream, seq, prev, content.type))
        prev = digest
    return rows


def check_in_parts(rows: list[EntryRow], parts: int) -> tuple[dict[str, tuple[int, bytes]], list[EntryProblem]]:
    checkers = [EntryChecker("tiemen") for _ in range(parts)]
    for n, checker in enumerate(checkers):
        checker.check_rows(rows[n::parts])
    return link_chains(run for checker in checkers for run in checker.runs())


@pytest.mark.parametrize("parts", [1, 2, 3])
def test_chains_given_in_any_order_and_any_number_of_parts_link_into_whole_streams(parts: int) -> None:
    a, b = chain("case-a", 40), chain("case-b", 7)
    rows = a + b
    random.Random(parts).shuffle(rows)
    heads, problems = check_in_parts(rows, parts)
    assert problems == []
    assert heads == {"case-a": (40, a[-1][1]), "case-b": (7, b[-1][1])}


def test_a_missing_link_is_named_by_the_entry_after_it() -> None:
    rows = chain("case-a", 10)
    del rows[4]
    _, (problem,) = check_in_parts(rows, 2)
    assert (problem.key, problem.seq) == (rows[4][1], 5)
    assert problem.reason == "stream case-a expected position 4 next, found 5"


def test_two_entries_at_one_position_are_refused() -> None:
    rows = chain("case-a", 5)
    fork = chain("case-a", 5, agency="tiemen")[3]
    data = fork[0].replace(b'"n":3', b'"n":33')
    rows.insert(4, (data, leaf_hash(data), "case-a", 3, fork[4], fork[5]))
    _, (problem,) = check_in_parts(rows, 1)
    assert problem.reason == "two entries at position 3 of stream case-a"


def test_an_entry_that_names_the_wrong_predecessor_is_refused() -> None:
    rows = chain("case-a", 6)
    skipped = rows[2][1]  # entry 4 says entry 2 comes before it
    content = EntryContent("tiemen", "case-a", 4, "probe:probe:made", "system:test", AT, AT, skipped, {"n": 4})
    data = content.canonical()
    rows[4] = (data, leaf_hash(data), "case-a", 4, skipped, content.type)
    _, problems = check_in_parts(rows + chain("case-b", 3), 2)
    assert [(p.key, p.reason) for p in problems] == [
        (rows[4][1], "the previous-entry hash does not match entry 3 of stream case-a")
    ]


@pytest.mark.parametrize(
    ("column", "value"),
    [(2, "case-b"), (3, 7), (4, bytes(32)), (5, "probe:probe:other")],
    ids=["stream", "position", "previous hash", "type"],
)
def test_columns_that_differ_from_the_bytes_are_refused(column: int, value: object) -> None:
    rows = chain("case-a", 3)
    changed = list(rows[1])
    changed[column] = value
    checker = EntryChecker("tiemen")
    with pytest.raises(EntryProblem, match="differ from the entry's bytes"):
        checker.check_rows([rows[0], tuple(changed)])  # type: ignore[list-item]


def test_an_entry_of_another_agency_is_refused() -> None:
    with pytest.raises(EntryProblem, match="does not belong to this agency"):
        EntryChecker("tiemen").check_rows(chain("case-a", 1, agency="other"))


def test_an_actor_that_spells_out_an_agency_cannot_pass_for_it() -> None:
    content = EntryContent("other", "case-a", 0, "probe:probe:made", 'x","agency":"tiemen', AT, AT, None, {})
    data = content.canonical()
    with pytest.raises(EntryProblem, match="does not belong to this agency"):
        EntryChecker("tiemen").check_rows([(data, leaf_hash(data), "case-a", 0, None, content.type)])
