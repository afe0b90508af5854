"""The tree in strata (nodes.py): from the leaves and every fourth level of nodes alone, every complete subtree
and therefore every proof is the RFC 9162 one, for trees of 1..300 leaves; and a proof reads a few short runs."""

from collections.abc import Iterable, Mapping

import pytest
from hypothesis import given, settings

from service.ledger.merkle import (
    HASH_SIZE,
    Node,
    consistency_plan,
    consistency_proof,
    inclusion_plan,
    inclusion_proof,
    subtree_cover,
    verify_consistency,
    verify_inclusion,
)
from service.ledger.nodes import STRATUM, ReadPlan, Run, is_node_row, is_stored, whole
from tests.ledger.test_merkle import (
    build_store,
    make_leaves,
    naive_mth,
    naive_path,
    naive_subproof,
    tree_and_index,
    tree_and_old_size,
)


def kept(store: Mapping[Node, bytes]) -> dict[Node, bytes]:
    """What the database keeps of a tree: the leaves and the nodes of levels 4, 8, 12, …"""
    return {node: value for node, value in store.items() if is_stored(node[0])}


def read_runs(stored: Mapping[Node, bytes], plan: ReadPlan) -> dict[Run, bytes]:
    """The runs of ``plan`` that ``stored`` holds whole, as the database reads them."""
    read: dict[Run, bytes] = {}
    for run in plan.runs:
        # As the database reads them: hashes that are not 32 bytes left out, so that the run is not whole.
        hashes = [stored.get((run.level, index)) for index in range(run.begin, run.end)]
        joined = b"".join(value for value in hashes if value is not None and len(value) == HASH_SIZE)
        if whole(run, joined):
            read[run] = joined
    return read


class StrataLookup:
    """A get_node over the kept hashes only, counting its reads as database round trips."""

    def __init__(self, stored: Mapping[Node, bytes]) -> None:
        self.stored = stored
        self.calls = 0
        self.runs: list[Run] = []

    def __call__(self, nodes: Iterable[Node]) -> Mapping[Node, bytes]:
        self.calls += 1
        plan = ReadPlan(nodes)
        self.runs = plan.runs
        return plan.assemble(read_runs(self.stored, plan))


def test_the_leaves_and_every_fourth_level_are_kept() -> None:
    assert STRATUM == 4
    assert [level for level in range(13) if is_stored(level)] == [0, 4, 8, 12]
    assert [level for level in range(13) if is_node_row(level)] == [4, 8, 12]  # the leaves have their own table


@pytest.mark.parametrize("size", [1, 2, 3, 15, 16, 17, 31, 32, 33, 63, 64, 65, 255, 256, 257, 300])
def test_every_complete_subtree_is_folded_from_the_kept_hashes_alone(size: int) -> None:
    leaves = make_leaves(size)
    _, store = build_store(leaves)
    lookup = StrataLookup(kept(store))
    assert lookup(store) == store  # every node the tree has, whether kept or not
    for (level, index), value in store.items():
        assert value == naive_mth(leaves[index << level : (index + 1) << level])


@settings(max_examples=150)
@given(tree_and_index())
def test_inclusion_proofs_from_the_strata_are_the_rfc_path_in_one_read(case: tuple[list[bytes], int]) -> None:
    leaves, index = case
    size = len(leaves)
    _, store = build_store(leaves)
    lookup = StrataLookup(kept(store))
    proof = inclusion_proof(index, size, lookup)
    assert lookup.calls == 1
    assert proof == naive_path(index, leaves)
    verify_inclusion(leaves[index], index, size, proof, naive_mth(leaves))


@settings(max_examples=150)
@given(tree_and_old_size())
def test_consistency_proofs_from_the_strata_are_the_rfc_proof_in_one_read(case: tuple[list[bytes], int]) -> None:
    leaves, size1 = case
    size2 = len(leaves)
    _, store = build_store(leaves)
    lookup = StrataLookup(kept(store))
    proof = consistency_proof(size1, size2, lookup)
    assert lookup.calls == 1
    assert proof == naive_subproof(size1, leaves, True)
    verify_consistency(size1, size2, proof, naive_mth(leaves[:size1]), naive_mth(leaves))


def test_a_proof_at_a_million_entries_reads_a_short_run_or_two_per_stratum() -> None:
    """One run per stratum around the path, and one where the tree's right edge is not yet full."""
    size = 1_000_003
    for index in (0, 123_457, 654_321, size - 1):
        wanted = {n for b, e in inclusion_plan(index, size) for n in subtree_cover(b, e)} | {(0, index)}
        runs = ReadPlan(wanted).runs
        assert sorted({run.level for run in runs}) == [0, 4, 8, 12, 16]
        assert len(runs) <= 2 * 5
        assert sum(run.end - run.begin for run in runs) <= 2 * 5 * (1 << STRATUM)
    wanted = {n for b, e in consistency_plan(500_000, size) for n in subtree_cover(b, e)}
    runs = ReadPlan(wanted).runs
    assert len(runs) <= 2 * 5
    assert sum(run.end - run.begin for run in runs) <= 2 * 5 * (1 << STRATUM)


def test_a_node_whose_kept_hashes_are_not_all_there_is_not_found() -> None:
    leaves = make_leaves(40)
    _, store = build_store(leaves)
    stored = kept(store)
    del stored[(0, 13)]
    lookup = StrataLookup(stored)
    found = lookup({(2, 3), (2, 2), (3, 1), (4, 0), (0, 12)})
    # (2, 3) and (3, 1) are folded from leaves 12..15 and 8..15, which read as one run with leaf 13 missing:
    # nothing of that run is found, and nothing is made up.
    assert found == {(4, 0): store[(4, 0)]}
    with pytest.raises(ValueError, match="missing or malformed"):
        inclusion_proof(0, 40, lookup)


def test_hashes_of_the_wrong_length_that_add_up_are_not_a_whole_run() -> None:
    leaves = make_leaves(16)
    _, store = build_store(leaves)
    stored = kept(store)
    first, second = stored[(0, 2)], stored[(0, 3)]
    stored[(0, 2)], stored[(0, 3)] = first[:31], first[31:] + second  # the bytes all there, cut elsewhere
    lookup = StrataLookup(stored)
    assert lookup({(1, 1), (2, 0), (3, 0), (0, 4)}) == {}  # one run, [0, 8): not whole, nothing made up
    assert lookup({(0, 9), (1, 5)}) == {(0, 9): store[(0, 9)], (1, 5): store[(1, 5)]}  # run [8, 12)
    assert not whole(Run(0, 0, 2), None)
    assert not whole(Run(0, 0, 2), bytes(2 * HASH_SIZE - 1))
    assert whole(Run(0, 0, 2), bytes(2 * HASH_SIZE))


def test_runs_start_on_a_multiple_of_eight_so_every_node_inside_is_folded_from_whole_pairs() -> None:
    plan = ReadPlan({(0, 13), (1, 7), (2, 2), (3, 0), (0, 1000)})
    assert plan.runs == [Run(0, 0, 16), Run(0, 1000, 1001)]
