"""Reading the log: entries by index, proofs from stored nodes, the latest checkpoint."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.errors import InvalidInput, NotFound
from service.ledger.integrator import latest_checkpoint, read_nodes
from service.ledger.merkle import LeafRange, Node, consistency_plan, inclusion_plan, range_hash, subtree_cover
from service.ledger.models import LedgerCheckpoint, LedgerEntry, LedgerHead, LedgerLeaf


@dataclass(frozen=True)
class LoggedEntry:
    index: int
    entry: LedgerEntry


def log_head(session: Session, agency_id: uuid.UUID) -> LedgerHead:
    head = session.get(LedgerHead, agency_id)
    if head is None:
        raise NotFound("this agency has no ledger", "该执法主体没有账本")
    return head


def entries_page(session: Session, agency_id: uuid.UUID, start: int, limit: int) -> list[LoggedEntry]:
    rows = session.execute(
        select(LedgerLeaf.index, LedgerEntry)
        .join(LedgerEntry, LedgerEntry.id == LedgerLeaf.entry_id)
        .where(LedgerLeaf.agency_id == agency_id, LedgerLeaf.index >= start)
        .order_by(LedgerLeaf.index)
        .limit(limit)
    ).all()
    return [LoggedEntry(int(index), entry) for index, entry in rows]


def root_at(session: Session, agency_id: uuid.UUID, size: int) -> bytes:
    cover = subtree_cover(0, size)
    nodes = read_nodes(session, agency_id, cover)
    return range_hash([nodes[node] for node in cover])


def _check_size(head_size: int, size: int, name: str) -> None:
    if not 1 <= size <= head_size:
        raise InvalidInput(
            f"{name}={size} is outside the log (1..{head_size})",
            f"{name}={size} 超出账本范围（1..{head_size}）",
        )


@dataclass(frozen=True)
class _Head:
    size: int
    root: bytes
    signed_size: int  # the latest checkpoint's size (the log's size when none is signed yet)
    signed_root: bytes

    def known_root(self, size: int) -> bytes | None:
        """The root at ``size`` when it is stored (the latest checkpoint's, or the head's)."""
        if size == self.signed_size:
            return self.signed_root
        return self.root if size == self.size else None


_PG_HEAD = (
    "SELECT h.size, h.root, c.size, c.root FROM ledger_heads h LEFT JOIN LATERAL (SELECT size, root "
    "FROM ledger_checkpoints WHERE agency_id = h.agency_id ORDER BY size DESC LIMIT 1) c ON true "
    "WHERE h.agency_id = %(a)s"
)


def _head(session: Session, agency_id: uuid.UUID) -> _Head:
    """The log's head and latest checkpoint, in one query (on PostgreSQL through the driver: proofs are answered
    often and must be fast)."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        cursor.execute(_PG_HEAD, {"a": agency_id})
        row = cursor.fetchone()
    else:
        latest = latest_checkpoint(session, agency_id)
        head = session.get(LedgerHead, agency_id)
        row = (
            None if head is None else (head.size, head.root, *((latest.size, latest.root) if latest else (None, None)))
        )
    if row is None:
        raise NotFound("this agency has no ledger", "该执法主体没有账本")
    size, root, signed_size, signed_root = row
    # Proofs default to the latest signed checkpoint: a size an outside verifier can hold us to.
    if signed_size is None:
        return _Head(int(size), bytes(root), int(size), bytes(root))
    return _Head(int(size), bytes(root), int(signed_size), bytes(signed_root))


def _answer(
    session: Session, agency_id: uuid.UUID, head: _Head, plan: list[LeafRange], roots: list[int], extra: list[Node]
) -> tuple[list[bytes], list[bytes], dict[Node, bytes]]:
    """The plan's range hashes, the roots at ``roots`` and the ``extra`` nodes, from one read of stored nodes;
    a root already stored (checkpoint, head) is not recomputed."""
    covers = [subtree_cover(b, e) for b, e in plan]
    root_covers = {size: subtree_cover(0, size) for size in roots if head.known_root(size) is None}
    wanted = {n for cover in covers for n in cover} | {n for cover in root_covers.values() for n in cover} | set(extra)
    nodes = read_nodes(session, agency_id, wanted) if wanted else {}
    hashes = [range_hash([nodes[n] for n in cover]) for cover in covers]
    computed = [head.known_root(size) or range_hash([nodes[n] for n in root_covers[size]]) for size in roots]
    return hashes, computed, nodes


@dataclass(frozen=True)
class InclusionAnswer:
    index: int
    size: int
    root: bytes
    leaf_hash: bytes
    proof: list[bytes]


def prove_inclusion(session: Session, agency_id: uuid.UUID, index: int, size: int | None) -> InclusionAnswer:
    head = _head(session, agency_id)
    size = head.signed_size if size is None else size
    _check_size(head.size, size, "size")
    if not 0 <= index < size:
        raise InvalidInput(f"index={index} is not below size={size}", f"index={index} 须小于 size={size}")
    proof, (root,), nodes = _answer(session, agency_id, head, inclusion_plan(index, size), [size], [(0, index)])
    return InclusionAnswer(index, size, root, nodes[(0, index)], proof)


@dataclass(frozen=True)
class ConsistencyAnswer:
    size1: int
    size2: int
    root1: bytes
    root2: bytes
    proof: list[bytes]


def prove_consistency(session: Session, agency_id: uuid.UUID, size1: int, size2: int | None) -> ConsistencyAnswer:
    head = _head(session, agency_id)
    size2 = head.signed_size if size2 is None else size2
    _check_size(head.size, size1, "from")
    _check_size(head.size, size2, "to")
    if size1 > size2:
        raise InvalidInput(f"from={size1} is greater than to={size2}", f"from={size1} 大于 to={size2}")
    proof, (root1, root2), _ = _answer(session, agency_id, head, consistency_plan(size1, size2), [size1, size2], [])
    return ConsistencyAnswer(size1, size2, root1, root2, proof)


def checkpoint_note(session: Session, agency_id: uuid.UUID) -> LedgerCheckpoint:
    checkpoint = latest_checkpoint(session, agency_id)
    if checkpoint is None:
        raise NotFound("no checkpoint has been signed yet", "尚未签发检查点")
    return checkpoint


def entry_index(session: Session, agency_id: uuid.UUID, entry_id: uuid.UUID) -> int | None:
    index = session.scalar(
        select(LedgerLeaf.index).where(LedgerLeaf.agency_id == agency_id, LedgerLeaf.entry_id == entry_id)
    )
    return None if index is None else int(index)


@dataclass(frozen=True)
class EntryProof:
    index: int | None  # None: committed, not yet placed in the log
    size: int
    root: bytes
    signed: bool  # whether a signed checkpoint has this size and root
    proof: list[bytes]


def prove_entry(session: Session, agency_id: uuid.UUID, leaf: bytes) -> EntryProof | None:
    """The inclusion proof of the entry with this hash: against the latest signed checkpoint when it covers the
    entry, otherwise against the current tree head (to be tied to the next checkpoint by a consistency proof)."""
    entry_id = session.scalar(
        select(LedgerEntry.id).where(LedgerEntry.agency_id == agency_id, LedgerEntry.entry_hash == leaf)
    )
    if entry_id is None:
        return None
    head = log_head(session, agency_id)
    index = entry_index(session, agency_id, entry_id)
    if index is None:
        return EntryProof(None, head.size, bytes(head.root), False, [])
    checkpoint = latest_checkpoint(session, agency_id)
    signed = checkpoint is not None and checkpoint.size > index
    size = checkpoint.size if signed and checkpoint is not None else head.size
    answer = prove_inclusion(session, agency_id, index, size)
    return EntryProof(index, size, answer.root, signed, answer.proof)
