"""RFC 9162 §2.1 Merkle tree over SHA-256: hashing, incremental append, proof planning, verification.

Leaves are numbered from 0. A leaf hash is SHA-256(0x00 || data) and an interior node is
SHA-256(0x01 || left || right). The prefixes are fixed: without them an interior node could be passed
off as a leaf (a second preimage), so there is deliberately no way to switch them off.

A node is addressed as (level, index): it is the root of the complete subtree over leaves
[index * 2**level, (index + 1) * 2**level). `CompactRange.append` emits every such node as soon as it
is complete; keeping them (or, as nodes.py does, every fourth level of them) is all a database needs to
answer any proof for any tree size with O(log n) reads: the proof planners below say which leaf ranges
a proof consists of, `subtree_cover` says which nodes make up each range, and `range_hash` folds them.

Pure functions over bytes; no I/O.
"""

import base64
import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Self

from service.ledger.errors import VerificationError

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()  # MTH({}) per RFC 9162 §2.1.1

_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"

Node = tuple[int, int]
"""(level, index) of a complete subtree; see the module docstring."""

LeafRange = tuple[int, int]
"""[begin, end) of leaves whose Merkle tree hash MTH(D[begin:end]) is one element of a proof."""

NodeLookup = Callable[[Iterable[Node]], Mapping[Node, bytes]]


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(_LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    if len(left) != HASH_SIZE or len(right) != HASH_SIZE:
        # Unequal lengths would make left || right ambiguous.
        raise ValueError(f"node_hash needs two {HASH_SIZE}-byte hashes, got {len(left)} and {len(right)}")
    return hashlib.sha256(_NODE_PREFIX + left + right).digest()


def hash_from_base64(text: str, what: str = "hash") -> bytes:
    """Decode a hash from standard base64 (RFC 4648 §4), refusing anything but a canonical 32-byte one."""
    try:
        raw = base64.b64decode(text, validate=True)
    except ValueError as exc:  # binascii.Error, or a non-ASCII character
        raise VerificationError(f"{what} {text!r} is not valid base64: {exc}") from None
    if base64.b64encode(raw).decode("ascii") != text:
        raise VerificationError(f"{what} {text!r} is not canonical base64")
    _require_hash(raw, what)
    return raw


def root_of(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH over the given leaf hashes (RFC 9162 §2.1.1), folded level by level.

    Pairing neighbours and carrying an odd last node up unchanged builds exactly the RFC's tree, whose
    left subtree always holds the largest power of two smaller than n leaves.
    """
    if not all(map(HASH_SIZE.__eq__, map(len, leaf_hashes))):
        raise ValueError(f"every leaf hash must be {HASH_SIZE} bytes")
    if not leaf_hashes:
        return EMPTY_ROOT
    # Copying a hasher primed with the node prefix is measurably faster than concatenating the
    # prefix into every input; this loop runs n - 1 times over the whole ledger.
    copy_primed = hashlib.sha256(_NODE_PREFIX).copy
    level = leaf_hashes
    while len(level) > 1:
        pairs = iter(level)
        upper: list[bytes] = []
        keep = upper.append
        for left, right in zip(pairs, pairs, strict=False):  # drops an odd last node: carried up below
            hasher = copy_primed()
            hasher.update(left)
            hasher.update(right)
            keep(hasher.digest())
        if len(level) & 1:
            keep(level[-1])
        level = upper
    return level[0]


def frontier_nodes(size: int) -> list[Node]:
    """The complete subtrees of the binary decomposition of `size`, left (largest) to right."""
    return subtree_cover(0, size)


class CompactRange:
    """Incremental appender: holds only the frontier (one hash per set bit of the size)."""

    def __init__(self) -> None:
        self._size = 0
        self._frontier: list[bytes] = []  # hashes of frontier_nodes(size), left to right

    @property
    def size(self) -> int:
        return self._size

    @classmethod
    def from_nodes(cls, size: int, nodes: Mapping[Node, bytes]) -> Self:
        """Resume at `size` from stored nodes; only `frontier_nodes(size)` are read."""
        compact = cls()
        for node in frontier_nodes(size):
            if node not in nodes:
                raise ValueError(f"stored node (level {node[0]}, index {node[1]}) missing for size {size}")
            value = nodes[node]
            if len(value) != HASH_SIZE:
                raise ValueError(f"stored node {node} is {len(value)} bytes, expected {HASH_SIZE}")
            compact._frontier.append(value)
        compact._size = size
        return compact

    def append(self, leaf_hash: bytes) -> list[tuple[int, int, bytes]]:
        """Add one leaf; return the nodes it completes as (level, index, hash), the leaf itself first."""
        if len(leaf_hash) != HASH_SIZE:
            raise ValueError(f"leaf hash is {len(leaf_hash)} bytes, expected {HASH_SIZE}")
        leaf_index = self._size
        completed = [(0, leaf_index, leaf_hash)]
        value = leaf_hash
        level = 0
        # Each trailing 1 bit of the old size is a left sibling waiting for exactly this right half.
        while leaf_index >> level & 1:
            value = node_hash(self._frontier.pop(), value)
            level += 1
            completed.append((level, leaf_index >> level, value))
        self._frontier.append(value)
        self._size += 1
        return completed

    def extend(self, leaf_hashes: Iterable[bytes]) -> None:
        """Add many leaves, as ``append`` does one by one, without returning the nodes they complete (what a
        verifier extending a verified frontier to a signed root needs, and nothing more)."""
        frontier = self._frontier
        pop, push = frontier.pop, frontier.append
        copy_primed = hashlib.sha256(_NODE_PREFIX).copy
        index = self._size
        try:
            for value in leaf_hashes:
                if len(value) != HASH_SIZE:
                    raise ValueError(f"leaf hash is {len(value)} bytes, expected {HASH_SIZE}")
                carry = index
                while carry & 1:  # each trailing 1 bit of the size is a left sibling waiting for this right half
                    hasher = copy_primed()
                    hasher.update(pop())
                    hasher.update(value)
                    value = hasher.digest()
                    carry >>= 1
                push(value)
                index += 1
        finally:
            self._size = index

    def frontier(self) -> list[bytes]:
        """The hashes of frontier_nodes(size), left to right: what the tree is extended from."""
        return list(self._frontier)

    def root(self) -> bytes:
        if not self._frontier:
            return EMPTY_ROOT
        return range_hash(self._frontier)


def subtree_cover(begin: int, end: int) -> list[Node]:
    """The largest aligned complete subtrees covering leaves [begin, end), left to right."""
    if not 0 <= begin <= end:
        raise ValueError(f"leaf range [{begin}, {end}) is not a range")
    cover: list[Node] = []
    while begin < end:
        level = (end - begin).bit_length() - 1
        if begin:
            level = min(level, (begin & -begin).bit_length() - 1)
        cover.append((level, begin >> level))
        begin += 1 << level
    return cover


def range_hash(hashes: Sequence[bytes]) -> bytes:
    """MTH of a range from its cover's hashes: node(c1, node(c2, ... node(c[k-1], c[k]))).

    This equals the RFC tree hash for every range a proof plan yields, because such a range starts
    at a multiple of a power of two at least its length, so its cover shrinks strictly left to right.
    """
    if not hashes:
        raise ValueError("an empty cover has no range hash")
    value = hashes[-1]
    for left in reversed(hashes[:-1]):
        value = node_hash(left, value)
    return value


def _split(size: int) -> int:
    """k, the largest power of two smaller than size (RFC 9162 §2.1.1), for size > 1."""
    return 1 << ((size - 1).bit_length() - 1)


def inclusion_plan(index: int, size: int) -> list[LeafRange]:
    """Leaf ranges of PATH(index, D[size]) (RFC 9162 §2.1.3.1), in proof order (leaf side first)."""
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is not in a tree of size {size}")
    top_down: list[LeafRange] = []
    begin, end = 0, size
    while end - begin > 1:
        middle = begin + _split(end - begin)
        if index < middle:
            top_down.append((middle, end))
            end = middle
        else:
            top_down.append((begin, middle))
            begin = middle
    return top_down[::-1]


def consistency_plan(size1: int, size2: int) -> list[LeafRange]:
    """Leaf ranges of PROOF(size1, D[size2]) (RFC 9162 §2.1.4.1), in proof order."""
    if not 0 < size1 <= size2:
        raise ValueError(f"no consistency proof from size {size1} to size {size2}")
    top_down: list[LeafRange] = []
    begin, end = 0, size2
    whole_old_tree = True  # SUBPROOF's flag b: the old root is known to the verifier, so omitted
    while end != size1:
        middle = begin + _split(end - begin)
        if size1 <= middle:
            top_down.append((middle, end))
            end = middle
        else:
            top_down.append((begin, middle))
            begin = middle
            whole_old_tree = False
    seed = [] if whole_old_tree else [(begin, end)]
    return seed + top_down[::-1]


def _fetch_ranges(ranges: list[LeafRange], get_node: NodeLookup) -> list[bytes]:
    covers = [subtree_cover(begin, end) for begin, end in ranges]
    stored = get_node([node for cover in covers for node in cover])
    proof: list[bytes] = []
    for cover in covers:
        hashes: list[bytes] = []
        for node in cover:
            value = stored.get(node)
            if value is None or len(value) != HASH_SIZE:
                raise ValueError(f"stored node (level {node[0]}, index {node[1]}) missing or malformed")
            hashes.append(value)
        proof.append(range_hash(hashes))
    return proof


def inclusion_proof(index: int, size: int, get_node: NodeLookup) -> list[bytes]:
    """The inclusion proof of leaf `index` in the tree of `size`, from stored nodes in one lookup."""
    return _fetch_ranges(inclusion_plan(index, size), get_node)


def consistency_proof(size1: int, size2: int, get_node: NodeLookup) -> list[bytes]:
    """The consistency proof from `size1` to `size2`, from stored nodes in one lookup."""
    return _fetch_ranges(consistency_plan(size1, size2), get_node)


def _require_hash(value: bytes, what: str) -> None:
    if len(value) != HASH_SIZE:
        raise VerificationError(f"{what} is {len(value)} bytes, expected {HASH_SIZE}")


def _require_proof_hashes(proof: Sequence[bytes], kind: str) -> None:
    for position, value in enumerate(proof):
        _require_hash(value, f"{kind} proof hash {position}")


def _inclusion_length(index: int, size: int) -> int:
    # Below the level where the paths to `index` and to the last leaf part, every level contributes
    # one sibling; above it, only the levels where `index` lies in a right half do.
    inner = (index ^ (size - 1)).bit_length()
    return inner + (index >> inner).bit_count()


def _right_shift_until_odd_or_zero(fn: int, sn: int) -> tuple[int, int]:
    while not fn & 1 and fn != 0:
        fn >>= 1
        sn >>= 1
    return fn, sn


def root_from_inclusion_proof(leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes]) -> bytes:
    """The root implied by an inclusion proof (RFC 9162 §2.1.3.2 steps 1-4)."""
    if not 0 <= index < size:
        raise VerificationError(f"leaf index {index} is not below tree size {size}")
    _require_hash(leaf_hash, "leaf hash")
    _require_proof_hashes(proof, "inclusion")
    expected = _inclusion_length(index, size)
    if len(proof) != expected:
        raise VerificationError(
            f"inclusion proof has {len(proof)} hashes, expected {expected} for index {index} in size {size}"
        )
    # With the length exact, the RFC's "sn is 0" checks (steps 4a and 5) cannot fail, so are omitted.
    fn, sn = index, size - 1
    value = leaf_hash
    for sibling in proof:
        if fn & 1 or fn == sn:
            value = node_hash(sibling, value)
            fn, sn = _right_shift_until_odd_or_zero(fn, sn)
        else:
            value = node_hash(value, sibling)
        fn >>= 1
        sn >>= 1
    return value


def verify_inclusion(leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes) -> None:
    """RFC 9162 §2.1.3.2: leaf `index` of the tree of `size` with root `root` has hash `leaf_hash`."""
    _require_hash(root, "root")
    calculated = root_from_inclusion_proof(leaf_hash, index, size, proof)
    if calculated != root:
        raise VerificationError(
            f"inclusion proof for index {index} in size {size} leads to root {calculated.hex()}, expected {root.hex()}"
        )


def verify_consistency(size1: int, size2: int, proof: Sequence[bytes], root1: bytes, root2: bytes) -> None:
    """RFC 9162 §2.1.4.2: the tree of `size2` with `root2` extends the tree of `size1` with `root1`."""
    if size1 <= 0:
        # Every tree extends the empty tree; a "proof" of that shows nothing, so asking is a mistake.
        raise VerificationError(f"consistency from size {size1} is meaningless; size1 must be at least 1")
    if size1 > size2:
        raise VerificationError(f"size1 {size1} is greater than size2 {size2}")
    _require_hash(root1, "root1")
    _require_hash(root2, "root2")
    _require_proof_hashes(proof, "consistency")
    if size1 == size2:
        if proof:
            raise VerificationError(
                f"consistency proof between equal sizes {size1} has {len(proof)} hashes, expected none"
            )
        if root1 != root2:
            raise VerificationError(f"roots differ for equal size {size1}: {root1.hex()} and {root2.hex()}")
        return
    old_is_perfect = size1 & (size1 - 1) == 0
    trailing_zeros = (size1 & -size1).bit_length() - 1
    # The old tree's path to its last leaf, minus the levels inside its last perfect subtree, whose
    # root is the proof's first hash; when the old tree is perfect that root is root1 and is omitted.
    expected = _inclusion_length(size1 - 1, size2) - trailing_zeros + (0 if old_is_perfect else 1)
    if len(proof) != expected:
        raise VerificationError(
            f"consistency proof has {len(proof)} hashes, expected {expected} from size {size1} to size {size2}"
        )
    # Step 2 prepends root1 when size1 is a power of two. With the length exact, the RFC's
    # "sn is 0" checks (steps 6a and 7) cannot fail, so are omitted.
    path = [root1, *proof] if old_is_perfect else list(proof)
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    first = second = path[0]
    for sibling in path[1:]:
        if fn & 1 or fn == sn:
            first = node_hash(sibling, first)
            second = node_hash(sibling, second)
            fn, sn = _right_shift_until_odd_or_zero(fn, sn)
        else:
            second = node_hash(second, sibling)
        fn >>= 1
        sn >>= 1
    if first != root1:
        raise VerificationError(
            f"consistency proof leads to root {first.hex()} for size {size1}, expected {root1.hex()}"
        )
    if second != root2:
        raise VerificationError(
            f"consistency proof leads to root {second.hex()} for size {size2}, expected {root2.hex()}"
        )
