"""The integrator: gives committed entries their place in the agency's Merkle log, and signs checkpoints.

Requests commit their entries into their own stream's chain and leave a pending marker (store.py). The
integrator, holding the agency's log-head row as a lock, takes pending entries in commit order, assigns the
next indices (0-based, gap-free), stores the leaf and every newly completed subtree hash of a kept level
(nodes.py), removes the markers, moves the head and — every N entries or T seconds — signs a checkpoint. It
runs in batches, in its own transaction: a crash leaves either the whole batch or none of it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import and_, delete, func, insert, select
from sqlalchemy.orm import Session

from service.ledger.keys import load_agency_key
from service.ledger.merkle import (
    EMPTY_ROOT,
    CompactRange,
    consistency_proof,
    frontier_nodes,
    verify_consistency,
)
from service.ledger.models import (
    LedgerCheckpoint,
    LedgerEntry,
    LedgerHead,
    LedgerLeaf,
    LedgerNode,
    LedgerPending,
)
from service.ledger.nodes import is_node_row, read_nodes
from service.ledger.note import Checkpoint, NoteSigner
from service.ledger.projection import AgencyRef


@dataclass(frozen=True)
class CheckpointPolicy:
    every_entries: int
    every_seconds: float


@dataclass(frozen=True)
class Integration:
    agency_id: uuid.UUID
    old_size: int
    new_size: int
    checkpoint: LedgerCheckpoint | None


def open_log(session: Session, agency: AgencyRef, origin: str, at: datetime) -> None:
    """Create the empty log of a new agency."""
    session.add(
        LedgerHead(
            agency_id=agency.id,
            agency_code=agency.code,
            origin=origin,
            size=0,
            root=EMPTY_ROOT,
            integrated_at=at,
        )
    )
    session.flush()


def latest_checkpoint(session: Session, agency_id: uuid.UUID) -> LedgerCheckpoint | None:
    return session.scalars(
        select(LedgerCheckpoint)
        .where(LedgerCheckpoint.agency_id == agency_id)
        .order_by(LedgerCheckpoint.size.desc())
        .limit(1)
    ).first()


class SignerCache:
    """Checkpoint signers by agency, loaded from the key files once."""

    def __init__(self, keys_dir: Path) -> None:
        self.keys_dir = keys_dir
        self._signers: dict[uuid.UUID, NoteSigner] = {}

    def signer(self, head: LedgerHead) -> NoteSigner:
        signer = self._signers.get(head.agency_id)
        if signer is None:
            signer = NoteSigner(head.origin, load_agency_key(self.keys_dir, head.agency_code))
            self._signers[head.agency_id] = signer
        return signer


def _lock_head(session: Session, agency_id: uuid.UUID) -> LedgerHead:
    head = session.scalars(select(LedgerHead).where(LedgerHead.agency_id == agency_id).with_for_update()).one_or_none()
    if head is None:
        raise LookupError(f"agency {agency_id} has no ledger")
    return head


def _sequence_pending(session: Session, head: LedgerHead, batch: int) -> int:
    pending = session.execute(
        select(LedgerPending.seq, LedgerEntry.id, LedgerEntry.entry_hash)
        .join(LedgerEntry, LedgerEntry.id == LedgerPending.entry_id)
        .where(LedgerPending.agency_id == head.agency_id)
        .order_by(LedgerPending.seq)
        .limit(batch)
    ).all()
    if not pending:
        return 0
    tree = CompactRange.from_nodes(head.size, read_nodes(session, head.agency_id, frontier_nodes(head.size)))
    leaves: list[dict[str, object]] = []
    nodes: list[dict[str, object]] = []
    for _seq, entry_id, entry_hash in pending:
        index = tree.size
        for level, node_index, node in tree.append(bytes(entry_hash)):
            if is_node_row(level):
                nodes.append({"agency_id": head.agency_id, "level": level, "index": node_index, "hash": node})
        leaves.append(
            {
                "agency_id": head.agency_id,
                "index": index,
                "entry_id": entry_id,
                "leaf_hash": bytes(entry_hash),
            }
        )
    _store_batch(session, head.agency_id, leaves, nodes, [row.seq for row in pending])
    head.size = tree.size
    head.root = tree.root()
    return len(pending)


# PostgreSQL: a batch's leaves and nodes are one statement each (the rows travel as arrays and are unnested),
# not one INSERT per row: the integrator's cost per entry is then mostly hashing.
_PG_INSERT_LEAVES = (  # %(…)b: arrays in the binary format (the text format escapes each element)
    "INSERT INTO ledger_leaves (agency_id, index, entry_id, leaf_hash) "
    "SELECT %(a)s, * FROM unnest(%(indexes)b::bigint[], %(ids)b::uuid[], %(hashes)b::bytea[])"
)
_PG_INSERT_NODES = (
    "INSERT INTO ledger_nodes (agency_id, level, index, hash) "
    "SELECT %(a)s, * FROM unnest(%(levels)b::int[], %(indexes)b::bigint[], %(hashes)b::bytea[])"
)
_PG_DELETE_PENDING = "DELETE FROM ledger_pending WHERE seq = ANY(%(seqs)b::bigint[])"


def _store_batch(
    session: Session,
    agency_id: uuid.UUID,
    leaves: list[dict[str, object]],
    nodes: list[dict[str, object]],
    sequenced: list[int],
) -> None:
    """Insert the batch's leaves and newly completed nodes, and take its entries off the pending queue."""
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        session.execute(insert(LedgerLeaf), leaves)
        if nodes:
            session.execute(insert(LedgerNode), nodes)
        session.execute(delete(LedgerPending).where(LedgerPending.seq.in_(sequenced)))
        return
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    cursor.execute(
        _PG_INSERT_LEAVES,
        {
            "a": agency_id,
            "indexes": [leaf["index"] for leaf in leaves],
            "ids": [leaf["entry_id"] for leaf in leaves],
            "hashes": [leaf["leaf_hash"] for leaf in leaves],
        },
    )
    if nodes:
        cursor.execute(
            _PG_INSERT_NODES,
            {
                "a": agency_id,
                "levels": [node["level"] for node in nodes],
                "indexes": [node["index"] for node in nodes],
                "hashes": [node["hash"] for node in nodes],
            },
        )
    cursor.execute(_PG_DELETE_PENDING, {"seqs": sequenced})


def _sign_checkpoint(
    session: Session, head: LedgerHead, signer: NoteSigner, previous: LedgerCheckpoint | None, at: datetime
) -> LedgerCheckpoint:
    if previous is not None:
        # A checkpoint must never be inconsistent with an earlier one: prove it before signing.
        proof = consistency_proof(previous.size, head.size, lambda ids: read_nodes(session, head.agency_id, ids))
        verify_consistency(previous.size, head.size, proof, bytes(previous.root), head.root)
    note = signer.sign(Checkpoint(head.origin, head.size, head.root).body())
    checkpoint = LedgerCheckpoint(agency_id=head.agency_id, size=head.size, root=head.root, note=note, signed_at=at)
    session.add(checkpoint)
    session.flush()
    return checkpoint


def integrate(
    session: Session,
    agency_id: uuid.UUID,
    *,
    signers: SignerCache,
    policy: CheckpointPolicy,
    at: datetime,
    batch: int = 5000,
    force_checkpoint: bool = False,
) -> Integration:
    """Sequence up to ``batch`` pending entries and sign a checkpoint when it is due, in ``session``."""
    head = _lock_head(session, agency_id)
    old_size = head.size
    added = _sequence_pending(session, head, batch)
    if added:
        head.integrated_at = at
    previous = latest_checkpoint(session, agency_id)
    checkpoint = None
    unsigned = head.size - (previous.size if previous else 0)
    if unsigned > 0 and (
        force_checkpoint
        or previous is None
        or unsigned >= policy.every_entries
        or at - previous.signed_at >= timedelta(seconds=policy.every_seconds)
    ):
        checkpoint = _sign_checkpoint(session, head, signers.signer(head), previous, at)
    session.flush()
    return Integration(agency_id, old_size, head.size, checkpoint)


# An agency's latest checkpoint, found through the checkpoints' key (agency, size) — the last entry of the agency's
# range — rather than by aggregating every checkpoint it ever signed: every integrator pass (after every commit)
# asks this, and an agency signs a checkpoint a minute while it works, hundreds of thousands in a year.
_LAST_SIGNED_SIZE = (
    select(LedgerCheckpoint.size)
    .where(LedgerCheckpoint.agency_id == LedgerHead.agency_id)
    .order_by(LedgerCheckpoint.size.desc())
    .limit(1)
    .correlate(LedgerHead)
    .scalar_subquery()
)
_HEADS_AND_LAST_CHECKPOINTS = select(
    LedgerHead.agency_id, LedgerHead.size, LedgerCheckpoint.size, LedgerCheckpoint.signed_at
).outerjoin(
    LedgerCheckpoint,
    and_(LedgerCheckpoint.agency_id == LedgerHead.agency_id, LedgerCheckpoint.size == _LAST_SIGNED_SIZE),
)


def agencies_with_work(session: Session, policy: CheckpointPolicy, at: datetime) -> list[uuid.UUID]:
    """Agencies with pending entries, or with entries past the last checkpoint for which one is due (checkpoints
    are signed in the order of their sizes: the largest is the latest)."""
    due = set(session.scalars(select(LedgerPending.agency_id).distinct()))
    for agency_id, size, signed_size, signed_at in session.execute(_HEADS_AND_LAST_CHECKPOINTS):
        if size > (signed_size or 0) and (
            signed_at is None
            or size - signed_size >= policy.every_entries
            or at - _aware(signed_at) >= timedelta(seconds=policy.every_seconds)
        ):
            due.add(agency_id)
    return sorted(due)


def _aware(value: datetime) -> datetime:
    # SQLite hands back a naive (UTC) value where a statement bypasses the column type.
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def pending_count(session: Session, agency_id: uuid.UUID) -> int:
    return int(
        session.scalar(select(func.count()).select_from(LedgerPending).where(LedgerPending.agency_id == agency_id)) or 0
    )
