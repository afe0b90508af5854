"""Reading the log: entries by index, proofs from stored hashes (nodes.py), the latest checkpoint."""

from __future__ import annotations

import contextlib
import functools
import uuid
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.errors import InvalidInput, NotFound
from service.ledger.integrator import latest_checkpoint
from service.ledger.merkle import LeafRange, Node, consistency_plan, inclusion_plan, range_hash, subtree_cover
from service.ledger.models import LedgerCheckpoint, LedgerEntry, LedgerHead, LedgerLeaf
from service.ledger.nodes import (
    PG_READ_RUNS,
    ReadPlan,
    all_nodes,
    found_nodes,
    pg_run_parameters,
    pg_runs_read,
    read_nodes,
)

if TYPE_CHECKING:
    from service.loop_reads import LoopReads


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


# The latest checkpoint's size each agency's proofs last defaulted to: a hint, so that a proof at the latest
# checkpoint reads the log's head and the nodes it will need in one statement. When a newer checkpoint has been
# signed meanwhile, the nodes it needs are read in a second statement; an answer never depends on the hint.
_SIGNED_SIZE_HINT: dict[uuid.UUID, int] = {}
_UNBOUNDED = 1 << 62  # the head's size in a guess: any size asked for fits

# The head and latest checkpoint as rows -1 and -2 of the read of stored hashes, so that all of it is one
# snapshot, one planned statement and one round trip.
_PG_HEAD_AND_RUNS = " UNION ALL ".join(
    (
        "SELECT -1, size, root FROM ledger_heads WHERE agency_id = %(a)s",
        "(SELECT -2, size, root FROM ledger_checkpoints WHERE agency_id = %(a)s ORDER BY size DESC LIMIT 1)",
        PG_READ_RUNS,
    )
)


_SQLITE_HEAD = (  # the agency's id as SQLAlchemy stores a UUID on SQLite: 32 hexadecimal digits
    "SELECT -1, size, root FROM ledger_heads WHERE agency_id = ? UNION ALL SELECT * FROM "
    "(SELECT -2, size, root FROM ledger_checkpoints WHERE agency_id = ? ORDER BY size DESC LIMIT 1)"
)


def _head_and_nodes(session: Session, agency_id: uuid.UUID, wanted: set[Node]) -> tuple[_Head, dict[Node, bytes]]:
    """The log's head, its latest checkpoint and those of the ``wanted`` nodes that are stored."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        plan = ReadPlan(wanted)
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        cursor.execute(_PG_HEAD_AND_RUNS, pg_run_parameters(agency_id, plan))
        return _head_of_rows(agency_id, plan, cursor.fetchall())
    # SQLite, in process: the driver's cursor (the ORM's two lookups cost more than the nodes' read)
    lite = connection.connection.driver_connection
    rows = lite.execute(_SQLITE_HEAD, (agency_id.hex, agency_id.hex)).fetchall()  # type: ignore[union-attr]
    head = _head_of(agency_id, rows)
    return head, found_nodes(session, agency_id, wanted)


def _head_of_rows(
    agency_id: uuid.UUID, plan: ReadPlan, rows: Sequence[tuple[Any, ...]]
) -> tuple[_Head, dict[Node, bytes]]:
    """The head and nodes of ``_PG_HEAD_AND_RUNS``' rows."""
    return _head_of(agency_id, rows), plan.assemble(pg_runs_read(plan, (row for row in rows if row[0] >= 0)))


def _head_of(agency_id: uuid.UUID, rows: Sequence[Sequence[Any]]) -> _Head:
    head = next(((int(size), bytes(root)) for which, size, root in rows if which == -1), None)
    signed = next(((int(size), bytes(root)) for which, size, root in rows if which == -2), None)
    if head is None:
        raise NotFound("this agency has no ledger", "该执法主体没有账本")
    # Proofs default to the latest signed checkpoint: a size an outside verifier can hold us to.
    answer = _Head(head[0], head[1], *(signed or head))
    _SIGNED_SIZE_HINT[agency_id] = answer.signed_size
    return answer


@functools.lru_cache(maxsize=4096)
def _cover(begin: int, end: int) -> tuple[Node, ...]:
    """subtree_cover, remembered: a proof's shape is worked out for the hinted checkpoint and again for the head
    it reads (the same ranges when no checkpoint was signed meanwhile), and roots' covers recur across calls."""
    return tuple(subtree_cover(begin, end))


@dataclass(frozen=True)
class _Shape:
    """What a proof is made of: range hashes in proof order, roots at some sizes, and single nodes."""

    plan: list[LeafRange]
    roots: list[int]
    extra: list[Node]

    @functools.cached_property
    def covers(self) -> list[tuple[Node, ...]]:
        return [_cover(begin, end) for begin, end in self.plan]

    def root_covers(self, known: Callable[[int], bytes | None]) -> dict[int, tuple[Node, ...]]:
        return {size: _cover(0, size) for size in self.roots if known(size) is None}

    def nodes(self, known: Callable[[int], bytes | None]) -> set[Node]:
        covers = [*self.covers, *self.root_covers(known).values()]
        return {node for cover in covers for node in cover} | set(self.extra)


@dataclass(frozen=True)
class _HeadRead:
    """A proof's first read: the head, the latest checkpoint, and those of ``wanted`` that are stored."""

    agency_id: uuid.UUID
    wanted: set[Node]


@dataclass(frozen=True)
class _NodesRead:
    """A proof's second read, when the head shows more nodes are needed: every one of ``wanted``."""

    agency_id: uuid.UUID
    wanted: set[Node]


_Answer = tuple[_Head, list[bytes], list[bytes], dict[Node, bytes]]
T = TypeVar("T")
# A proof worked out as a generator of the reads it needs (sans I/O), its answer the generator's value: a session's
# statements answer the reads in the thread pool (``answered``), the event loop's asyncio connection on the loop
# (``answered_on_loop``).
ProofSteps = Generator[_HeadRead | _NodesRead, Any, T]


def _answer(agency_id: uuid.UUID, shape_at: Callable[[_Head], _Shape]) -> ProofSteps[_Answer]:
    """The head, the proof's range hashes, its roots and its single nodes.

    The nodes the proof would need if the latest checkpoint were still the one proofs last defaulted to are
    read with the head; whatever the head shows is still needed is read after. A root already stored
    (checkpoint, head) is not recomputed."""
    prefetch: set[Node] = set()
    hint = _SIGNED_SIZE_HINT.get(agency_id)
    if hint is not None:
        with contextlib.suppress(InvalidInput, ValueError):  # a request that does not fit the hint: the head tells
            prefetch = shape_at(_Head(_UNBOUNDED, b"", hint, b"")).nodes(lambda size: b"" if size == hint else None)
    head, nodes = yield _HeadRead(agency_id, prefetch)
    shape = shape_at(head)
    missing = shape.nodes(head.known_root) - nodes.keys()
    if missing:
        nodes.update((yield _NodesRead(agency_id, missing)))
    hashes = [range_hash([nodes[node] for node in cover]) for cover in shape.covers]
    root_covers = shape.root_covers(head.known_root)
    roots = [head.known_root(size) or range_hash([nodes[n] for n in root_covers[size]]) for size in shape.roots]
    return head, hashes, roots, nodes


def answered(session: Session, steps: ProofSteps[T]) -> T:
    """The proof ``steps`` work out, their reads made with ``session``."""
    try:
        read = next(steps)
        while True:
            if isinstance(read, _HeadRead):
                read = steps.send(_head_and_nodes(session, read.agency_id, read.wanted))
            else:
                read = steps.send(read_nodes(session, read.agency_id, read.wanted))
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]


async def answered_on_loop(reads: LoopReads, steps: ProofSteps[T]) -> T:
    """The proof ``steps`` work out, their reads awaited on the event loop's connection (PostgreSQL)."""
    try:
        read = next(steps)
        while True:
            plan = ReadPlan(read.wanted)
            if isinstance(read, _HeadRead):
                rows = await reads.rows(_PG_HEAD_AND_RUNS, pg_run_parameters(read.agency_id, plan))
                read = steps.send(_head_of_rows(read.agency_id, plan, rows))
            else:
                rows = await reads.rows(PG_READ_RUNS, pg_run_parameters(read.agency_id, plan)) if plan.runs else []
                read = steps.send(all_nodes(read.agency_id, read.wanted, plan.assemble(pg_runs_read(plan, rows))))
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]


@dataclass(frozen=True)
class InclusionAnswer:
    index: int
    size: int
    root: bytes
    leaf_hash: bytes
    proof: list[bytes]


def prove_inclusion(session: Session, agency_id: uuid.UUID, index: int, size: int | None) -> InclusionAnswer:
    return answered(session, inclusion_steps(agency_id, index, size))


def inclusion_steps(agency_id: uuid.UUID, index: int, size: int | None) -> ProofSteps[InclusionAnswer]:
    def shape_at(head: _Head) -> _Shape:
        at = head.signed_size if size is None else size
        _check_size(head.size, at, "size")
        if not 0 <= index < at:
            raise InvalidInput(f"index={index} is not below size={at}", f"index={index} 须小于 size={at}")
        return _Shape(inclusion_plan(index, at), [at], [(0, index)])

    head, proof, (root,), nodes = yield from _answer(agency_id, shape_at)
    return InclusionAnswer(index, head.signed_size if size is None else size, root, nodes[(0, index)], proof)


@dataclass(frozen=True)
class ConsistencyAnswer:
    size1: int
    size2: int
    root1: bytes
    root2: bytes
    proof: list[bytes]


def prove_consistency(session: Session, agency_id: uuid.UUID, size1: int, size2: int | None) -> ConsistencyAnswer:
    return answered(session, consistency_steps(agency_id, size1, size2))


def consistency_steps(agency_id: uuid.UUID, size1: int, size2: int | None) -> ProofSteps[ConsistencyAnswer]:
    def shape_at(head: _Head) -> _Shape:
        to = head.signed_size if size2 is None else size2
        _check_size(head.size, size1, "from")
        _check_size(head.size, to, "to")
        if size1 > to:
            raise InvalidInput(f"from={size1} is greater than to={to}", f"from={size1} 大于 to={to}")
        return _Shape(consistency_plan(size1, to), [size1, to], [])

    head, proof, (root1, root2), _ = yield from _answer(agency_id, shape_at)
    return ConsistencyAnswer(size1, head.signed_size if size2 is None else size2, root1, root2, proof)


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
