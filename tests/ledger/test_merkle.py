"""The Merkle tree against a naive, literal transcription of RFC 9162 §2.1, for trees of 1..300 leaves."""

import base64
import hashlib
from collections.abc import Iterable, Mapping, Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.ledger.errors import VerificationError
from service.ledger.merkle import (
    EMPTY_ROOT,
    HASH_SIZE,
    CompactRange,
    Node,
    consistency_plan,
    consistency_proof,
    frontier_nodes,
    hash_from_base64,
    inclusion_plan,
    inclusion_proof,
    leaf_hash,
    node_hash,
    range_hash,
    root_from_inclusion_proof,
    root_of,
    subtree_cover,
    verify_consistency,
    verify_inclusion,
)

MAX_SIZE = 300

# ---- RFC 9162 §2.1, transcribed recursively and independently of the code under test -------------


def naive_leaf(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def naive_node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def naive_split(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def naive_mth(leaves: Sequence[bytes]) -> bytes:
    """§2.1.1 MTH, over leaf hashes."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = naive_split(len(leaves))
    return naive_node(naive_mth(leaves[:k]), naive_mth(leaves[k:]))


def naive_path(m: int, leaves: Sequence[bytes]) -> list[bytes]:
    """§2.1.3.1 PATH(m, D[n])."""
    if len(leaves) <= 1:
        return []
    k = naive_split(len(leaves))
    if m < k:
        return [*naive_path(m, leaves[:k]), naive_mth(leaves[k:])]
    return [*naive_path(m - k, leaves[k:]), naive_mth(leaves[:k])]


def naive_subproof(m: int, leaves: Sequence[bytes], whole: bool) -> list[bytes]:
    """§2.1.4.1 SUBPROOF(m, D[n], b)."""
    if m == len(leaves):
        return [] if whole else [naive_mth(leaves)]
    k = naive_split(len(leaves))
    if m <= k:
        return [*naive_subproof(m, leaves[:k], whole), naive_mth(leaves[k:])]
    return [*naive_subproof(m - k, leaves[k:], False), naive_mth(leaves[:k])]


# ---- helpers ---------------------------------------------------------------------------------------


def make_leaves(size: int, salt: int = 0) -> list[bytes]:
    return [naive_leaf(salt.to_bytes(4, "big") + i.to_bytes(4, "big")) for i in range(size)]


def build_store(leaves: Iterable[bytes]) -> tuple[CompactRange, dict[Node, bytes]]:
    tree = CompactRange()
    store: dict[Node, bytes] = {}
    for value in leaves:
        for level, index, node in tree.append(value):
            store[(level, index)] = node
    return tree, store


class CountingLookup:
    """A get_node that counts its calls, as a database round trip would be."""

    def __init__(self, store: Mapping[Node, bytes]) -> None:
        self.store = store
        self.calls = 0

    def __call__(self, nodes: Iterable[Node]) -> Mapping[Node, bytes]:
        self.calls += 1
        return {node: self.store[node] for node in nodes}


def flip_bit(value: bytes, bit: int) -> bytes:
    raw = bytearray(value)
    raw[bit // 8 % len(raw)] ^= 1 << (bit % 8)
    return bytes(raw)


def inclusion_shape(index: int, size: int) -> list[bool] | None:
    """Which proof hashes lie right of the leaf: all that §2.1.3.2's fold depends on."""
    if not 0 <= index < size:
        return None
    return [begin > index for begin, _ in inclusion_plan(index, size)]


def consistency_shape(size1: int, size2: int) -> tuple[bool, list[bool]] | None:
    """Whether root1 seeds the fold, and which proof hashes lie inside the old tree."""
    if not 0 < size1 < size2:
        return None
    return size1 & (size1 - 1) == 0, [begin < size1 for begin, _ in consistency_plan(size1, size2)]


@st.composite
def tree_and_index(draw: st.DrawFn) -> tuple[list[bytes], int]:
    size = draw(st.integers(1, MAX_SIZE))
    return make_leaves(size, draw(st.integers(0, 2**16))), draw(st.integers(0, size - 1))


@st.composite
def tree_and_old_size(draw: st.DrawFn) -> tuple[list[bytes], int]:
    size = draw(st.integers(1, MAX_SIZE))
    return make_leaves(size, draw(st.integers(0, 2**16))), draw(st.integers(1, size))


# ---- hashing ---------------------------------------------------------------------------------------


def test_leaf_and_node_hashes_are_domain_separated_per_rfc9162_2_1_1() -> None:
    a, b = naive_leaf(b"a"), naive_leaf(b"b")
    assert leaf_hash(b"a") == a
    assert node_hash(a, b) == naive_node(a, b)
    # The second-preimage attack that switchable prefixes allow: an interior node's preimage
    # presented as leaf data must not hash to the same value.
    assert leaf_hash(a + b) != node_hash(a, b)
    assert EMPTY_ROOT == hashlib.sha256(b"").digest() == root_of([])


def test_node_hash_refuses_hashes_of_the_wrong_length() -> None:
    with pytest.raises(ValueError, match="31"):
        node_hash(b"\x00" * 31, b"\x00" * 32)


def test_hash_from_base64_accepts_only_canonical_32_byte_hashes() -> None:
    value = naive_leaf(b"x")
    text = base64.b64encode(value).decode()
    assert hash_from_base64(text) == value
    for bad, reason in [
        ("not base64!", "not valid base64"),
        (text[:-1], "not valid base64"),
        ("ZG9uJ3QgY2FyZSAy", "12 bytes"),
        ("", "0 bytes"),
        (text[:-2] + "B=", "not canonical"),  # non-zero padding bits
        ("\u00e9" + text[1:], "not valid base64"),
    ]:
        with pytest.raises(VerificationError, match=reason):
            hash_from_base64(bad)


# ---- roots and the compact range ---------------------------------------------------------------------


@given(st.integers(0, MAX_SIZE), st.integers(0, 2**16))
def test_root_of_equals_the_rfc_tree_hash(size: int, salt: int) -> None:
    leaves = make_leaves(size, salt)
    assert root_of(leaves) == naive_mth(leaves)


def test_root_of_refuses_leaf_hashes_of_the_wrong_length() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        root_of([naive_leaf(b"a"), b"short"])


@settings(max_examples=30)
@given(st.integers(1, MAX_SIZE), st.integers(0, 2**16))
def test_compact_range_root_after_every_append_equals_the_rfc_tree_hash(size: int, salt: int) -> None:
    leaves = make_leaves(size, salt)
    tree = CompactRange()
    assert tree.root() == EMPTY_ROOT
    for count, value in enumerate(leaves, 1):
        tree.append(value)
        assert tree.size == count
        assert tree.root() == naive_mth(leaves[:count])


@settings(max_examples=30)
@given(st.integers(1, MAX_SIZE), st.integers(0, 2**16))
def test_compact_range_emits_every_complete_subtree_exactly_once_with_its_hash(size: int, salt: int) -> None:
    leaves = make_leaves(size, salt)
    tree = CompactRange()
    emitted: list[tuple[int, int, bytes]] = []
    for index, value in enumerate(leaves):
        completed = tree.append(value)
        assert completed[0] == (0, index, value)
        emitted.extend(completed)
    expected = {
        (level, index)
        for level in range(size.bit_length())
        for index in range(size >> level)  # the complete aligned subtrees within size
    }
    assert len(emitted) == len(expected)
    assert {(level, index) for level, index, _ in emitted} == expected
    for level, index, value in emitted:
        assert value == naive_mth(leaves[index << level : (index + 1) << level])


@settings(max_examples=50)
@given(st.integers(0, MAX_SIZE), st.integers(0, 20), st.integers(0, 2**16))
def test_compact_range_resumes_from_stored_frontier_nodes(size: int, more: int, salt: int) -> None:
    leaves = make_leaves(size + more, salt)
    _, store = build_store(leaves[:size])
    frontier = frontier_nodes(size)
    # One perfect subtree per set bit of size, largest first, tiling [0, size).
    assert [1 << level for level, _ in frontier] == [
        1 << b for b in reversed(range(size.bit_length())) if size >> b & 1
    ]
    assert subtree_cover(0, size) == frontier
    resumed = CompactRange.from_nodes(size, {node: store[node] for node in frontier})
    assert resumed.size == size
    assert resumed.root() == naive_mth(leaves[:size])
    for value in leaves[size:]:
        resumed.append(value)
    assert resumed.root() == naive_mth(leaves)


@settings(max_examples=50)
@given(st.integers(0, MAX_SIZE), st.integers(0, 40), st.integers(0, 2**16))
def test_compact_range_extend_is_append_one_leaf_at_a_time(size: int, more: int, salt: int) -> None:
    """What verify --since extends a verified frontier with: the same frontier, size and root as appending."""
    leaves = make_leaves(size + more, salt)
    _, store = build_store(leaves[:size])
    frontier = {node: store[node] for node in frontier_nodes(size)}
    appended = CompactRange.from_nodes(size, frontier)
    for value in leaves[size:]:
        appended.append(value)
    extended = CompactRange.from_nodes(size, frontier)
    extended.extend(leaves[size:])
    assert (extended.size, extended.frontier()) == (appended.size, appended.frontier())
    assert extended.root() == naive_mth(leaves)


def test_compact_range_extend_refuses_a_leaf_hash_of_the_wrong_length_keeping_the_leaves_before_it() -> None:
    leaves = make_leaves(3)
    tree = CompactRange()
    with pytest.raises(ValueError, match="31 bytes"):
        tree.extend([*leaves, b"\x00" * 31])
    assert tree.size == 3
    assert tree.root() == naive_mth(leaves)


def test_compact_range_refuses_a_missing_frontier_node() -> None:
    _, store = build_store(make_leaves(6))
    del store[(1, 2)]
    with pytest.raises(ValueError, match=r"level 1, index 2"):
        CompactRange.from_nodes(6, store)


def test_compact_range_refuses_a_leaf_hash_of_the_wrong_length() -> None:
    with pytest.raises(ValueError, match="33 bytes"):
        CompactRange().append(b"\x00" * 33)


# ---- proof planning --------------------------------------------------------------------------------


@given(st.integers(0, 2**40), st.integers(0, 2**12))
def test_subtree_cover_is_aligned_complete_and_contiguous(begin: int, length: int) -> None:
    position = begin
    for level, index in subtree_cover(begin, begin + length):
        assert index << level == position
        position += 1 << level
    assert position == begin + length


def test_range_hash_folds_from_the_right() -> None:
    a, b, c = make_leaves(3)
    assert range_hash([a, b, c]) == naive_node(a, naive_node(b, c))
    with pytest.raises(ValueError, match="empty cover"):
        range_hash([])


@settings(max_examples=150)
@given(tree_and_index())
def test_inclusion_proof_from_stored_nodes_equals_the_rfc_path_and_verifies(
    case: tuple[list[bytes], int],
) -> None:
    leaves, index = case
    size = len(leaves)
    _, store = build_store(leaves)
    lookup = CountingLookup(store)
    proof = inclusion_proof(index, size, lookup)
    assert lookup.calls == 1
    assert proof == naive_path(index, leaves)
    assert [naive_mth(leaves[b:e]) for b, e in inclusion_plan(index, size)] == proof
    root = naive_mth(leaves)
    verify_inclusion(leaves[index], index, size, proof, root)
    assert root_from_inclusion_proof(leaves[index], index, size, proof) == root


@settings(max_examples=150)
@given(tree_and_old_size())
def test_consistency_proof_from_stored_nodes_equals_the_rfc_proof_and_verifies(
    case: tuple[list[bytes], int],
) -> None:
    leaves, size1 = case
    size2 = len(leaves)
    _, store = build_store(leaves)
    lookup = CountingLookup(store)
    proof = consistency_proof(size1, size2, lookup)
    assert lookup.calls == 1
    assert proof == naive_subproof(size1, leaves, True)
    assert [naive_mth(leaves[b:e]) for b, e in consistency_plan(size1, size2)] == proof
    verify_consistency(size1, size2, proof, naive_mth(leaves[:size1]), naive_mth(leaves))


def test_planning_refuses_impossible_requests() -> None:
    with pytest.raises(ValueError, match="not in a tree of size 4"):
        inclusion_plan(4, 4)
    with pytest.raises(ValueError, match="from size 0"):
        consistency_plan(0, 4)
    with pytest.raises(ValueError, match="from size 5 to size 4"):
        consistency_plan(5, 4)
    assert consistency_plan(4, 4) == []


def test_proof_fetch_refuses_a_store_that_lost_a_node() -> None:
    _, store = build_store(make_leaves(8))
    del store[(2, 1)]
    with pytest.raises(ValueError, match=r"level 2, index 1"):
        inclusion_proof(0, 8, lambda nodes: {n: store[n] for n in nodes if n in store})


# ---- tampering is refused --------------------------------------------------------------------------


@settings(max_examples=100)
@given(tree_and_index(), st.data())
def test_inclusion_is_refused_after_any_tampering(case: tuple[list[bytes], int], data: st.DataObject) -> None:
    leaves, index = case
    size = len(leaves)
    proof = naive_path(index, leaves)
    root = naive_mth(leaves)
    bit = data.draw(st.integers(0, HASH_SIZE * 8 - 1), label="bit")

    with pytest.raises(VerificationError):
        verify_inclusion(flip_bit(leaves[index], bit), index, size, proof, root)
    with pytest.raises(VerificationError):
        verify_inclusion(leaves[index], index, size, proof, flip_bit(root, bit))
    if proof:
        position = data.draw(st.integers(0, len(proof) - 1), label="position")
        tampered = [*proof[:position], flip_bit(proof[position], bit), *proof[position + 1 :]]
        with pytest.raises(VerificationError):
            verify_inclusion(leaves[index], index, size, tampered, root)
    wrong_index = data.draw(st.integers(0, size).filter(lambda i: i != index), label="wrong index")
    with pytest.raises(VerificationError):
        verify_inclusion(leaves[index], wrong_index, size, proof, root)


@settings(max_examples=200)
@given(tree_and_index(), st.integers(0, 2 * MAX_SIZE))
def test_inclusion_under_a_wrong_size_is_refused_exactly_when_the_fold_changes(
    case: tuple[list[bytes], int], wrong_size: int
) -> None:
    """The proof binds the size only through the fold's shape (§2.1.3.2): leaf 0 folds alike in sizes
    3 and 4. The size is authenticated by the signed checkpoint that carries it with the root."""
    leaves, index = case
    size = len(leaves)
    proof, root = naive_path(index, leaves), naive_mth(leaves)
    if inclusion_shape(index, wrong_size) == inclusion_shape(index, size):
        verify_inclusion(leaves[index], index, wrong_size, proof, root)
    else:
        with pytest.raises(VerificationError):
            verify_inclusion(leaves[index], index, wrong_size, proof, root)


def test_inclusion_proof_does_not_bind_the_size_on_its_own() -> None:
    leaves = make_leaves(3)
    verify_inclusion(leaves[0], 0, 4, naive_path(0, leaves), naive_mth(leaves))


@settings(max_examples=100)
@given(tree_and_old_size(), st.data())
def test_consistency_is_refused_after_any_tampering(case: tuple[list[bytes], int], data: st.DataObject) -> None:
    leaves, size1 = case
    size2 = len(leaves)
    proof = naive_subproof(size1, leaves, True)
    root1, root2 = naive_mth(leaves[:size1]), naive_mth(leaves)
    bit = data.draw(st.integers(0, HASH_SIZE * 8 - 1), label="bit")

    with pytest.raises(VerificationError):
        verify_consistency(size1, size2, proof, flip_bit(root1, bit), root2)
    with pytest.raises(VerificationError):
        verify_consistency(size1, size2, proof, root1, flip_bit(root2, bit))
    if proof:
        position = data.draw(st.integers(0, len(proof) - 1), label="position")
        tampered = [*proof[:position], flip_bit(proof[position], bit), *proof[position + 1 :]]
        with pytest.raises(VerificationError):
            verify_consistency(size1, size2, tampered, root1, root2)


@settings(max_examples=200)
@given(tree_and_old_size(), st.integers(0, 2 * MAX_SIZE), st.integers(0, 2 * MAX_SIZE))
def test_consistency_under_wrong_sizes_is_refused_exactly_when_the_fold_changes(
    case: tuple[list[bytes], int], wrong_size1: int, wrong_size2: int
) -> None:
    """As for inclusion, the sizes are bound by the fold's shape; checkpoints bind them to the roots."""
    leaves, size1 = case
    size2 = len(leaves)
    proof = naive_subproof(size1, leaves, True)
    root1, root2 = naive_mth(leaves[:size1]), naive_mth(leaves)
    for claimed1, claimed2 in [(wrong_size1, size2), (size1, wrong_size2), (wrong_size1, wrong_size2)]:
        if (claimed1, claimed2) == (size1, size2):
            continue
        if size1 == size2:  # an empty proof between equal roots holds for any equal pair of sizes
            accepted = 0 < claimed1 == claimed2
        else:
            accepted = consistency_shape(claimed1, claimed2) == consistency_shape(size1, size2)
        if accepted:
            verify_consistency(claimed1, claimed2, proof, root1, root2)
        else:
            with pytest.raises(VerificationError):
                verify_consistency(claimed1, claimed2, proof, root1, root2)


# ---- exact reasons ---------------------------------------------------------------------------------


def test_inclusion_refusal_reasons_say_what_failed() -> None:
    leaves = make_leaves(8)
    proof = naive_path(5, leaves)
    root = naive_mth(leaves)
    with pytest.raises(VerificationError, match=r"^inclusion proof has 2 hashes, expected 3 for index 5 in size 8$"):
        verify_inclusion(leaves[5], 5, 8, proof[:2], root)
    with pytest.raises(VerificationError, match=r"^leaf index 8 is not below tree size 8$"):
        verify_inclusion(leaves[5], 8, 8, proof, root)
    with pytest.raises(VerificationError, match=r"^inclusion proof hash 1 is 31 bytes, expected 32$"):
        verify_inclusion(leaves[5], 5, 8, [proof[0], proof[1][:31], proof[2]], root)
    with pytest.raises(VerificationError, match=r"^root is 0 bytes, expected 32$"):
        verify_inclusion(leaves[5], 5, 8, proof, b"")
    with pytest.raises(VerificationError, match=r"^inclusion proof for index 4 in size 8 leads to root "):
        verify_inclusion(leaves[5], 4, 8, proof, root)


def test_consistency_refusal_reasons_say_what_failed() -> None:
    leaves = make_leaves(8)
    root3, root8 = naive_mth(leaves[:3]), naive_mth(leaves)
    proof = naive_subproof(3, leaves, True)
    with pytest.raises(VerificationError, match=r"^consistency from size 0 is meaningless"):
        verify_consistency(0, 8, proof, EMPTY_ROOT, root8)
    with pytest.raises(VerificationError, match=r"^size1 8 is greater than size2 3$"):
        verify_consistency(8, 3, [], root8, root3)
    with pytest.raises(VerificationError, match=r"^consistency proof between equal sizes 8 has 1 hashes"):
        verify_consistency(8, 8, [root8], root8, root8)
    with pytest.raises(VerificationError, match=r"^roots differ for equal size 8"):
        verify_consistency(8, 8, [], root3, root8)
    with pytest.raises(VerificationError, match=r"^consistency proof has 3 hashes, expected 4 from size 3 to size 8$"):
        verify_consistency(3, 8, proof[:3], root3, root8)
    with pytest.raises(VerificationError, match=r"^consistency proof leads to root [0-9a-f]{64} for size 3"):
        verify_consistency(3, 8, proof, flip_bit(root3, 0), root8)
    with pytest.raises(VerificationError, match=r"^consistency proof leads to root [0-9a-f]{64} for size 8"):
        verify_consistency(3, 8, proof, root3, flip_bit(root8, 0))
    with pytest.raises(VerificationError, match=r"^root2 is 12 bytes, expected 32$"):
        verify_consistency(8, 8, [], root8, b"don't care 2")
