"""Reading the log: entries by index, proofs from stored nodes, the latest checkpoint."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.errors import InvalidInput, NotFound
from service.ledger.integrator import latest_checkpoint, read_nodes
from service.ledger.merkle import Node, consistency_proof, inclusion_proof, range_hash, subtree_cover
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


def _check_size(head: LedgerHead, size: int, name: str) -> None:
    if not 1 <= size <= head.size:
        raise InvalidInput(
            f"{name}={size} is outside the log (1..{head.size})",
            f"{name}={size} 超出账本范围（1..{head.size}）",
        )


@dataclass(frozen=True)
class InclusionAnswer:
    index: int
    size: int
    root: bytes
    leaf_hash: bytes
    proof: list[bytes]


def prove_inclusion(session: Session, agency_id: uuid.UUID, index: int, size: int | None) -> InclusionAnswer:
    head = log_head(session, agency_id)
    size = _default_size(session, head) if size is None else size
    _check_size(head, size, "size")
    if not 0 <= index < size:
        raise InvalidInput(f"index={index} is not below size={size}", f"index={index} 须小于 size={size}")

    def nodes(ids: Iterable[Node]) -> dict[Node, bytes]:
        return read_nodes(session, agency_id, ids)

    proof = inclusion_proof(index, size, nodes)
    leaf = nodes([(0, index)])[(0, index)]
    return InclusionAnswer(index, size, root_at(session, agency_id, size), leaf, proof)


@dataclass(frozen=True)
class ConsistencyAnswer:
    size1: int
    size2: int
    root1: bytes
    root2: bytes
    proof: list[bytes]


def prove_consistency(session: Session, agency_id: uuid.UUID, size1: int, size2: int | None) -> ConsistencyAnswer:
    head = log_head(session, agency_id)
    size2 = _default_size(session, head) if size2 is None else size2
    _check_size(head, size1, "from")
    _check_size(head, size2, "to")
    if size1 > size2:
        raise InvalidInput(f"from={size1} is greater than to={size2}", f"from={size1} 大于 to={size2}")
    proof = consistency_proof(size1, size2, lambda ids: read_nodes(session, agency_id, ids))
    return ConsistencyAnswer(
        size1, size2, root_at(session, agency_id, size1), root_at(session, agency_id, size2), proof
    )


def _default_size(session: Session, head: LedgerHead) -> int:
    """Proofs default to the latest signed checkpoint: a size an outside verifier can hold us to."""
    checkpoint = latest_checkpoint(session, head.agency_id)
    return checkpoint.size if checkpoint is not None else head.size


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
