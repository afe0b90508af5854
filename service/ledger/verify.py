"""Verifying an agency's ledger from its rows: pure, so the same code checks a database and an export bundle.

Feed :class:`LogVerifier` the log's rows in index order, then the pending rows, then finish with the
stored checkpoints. Every check raises :class:`VerificationError` at the first problem, naming the entry or
row and what is wrong. The stored canonical bytes are hashed as they are; they are never re-serialised.

Checks:
- each entry's bytes hash to its stored entry hash and leaf hash (SHA-256(0x00 || bytes));
- log indices start at 0 and have no gap;
- the columns stored beside the bytes (agency, stream, position in the stream, previous hash) say what the
  hashed bytes say;
- every stream is a hash chain: position 0, 1, 2 ... each naming the hash of the one before;
- the Merkle root recomputed from the leaves equals the root of every stored checkpoint, and each checkpoint
  is signed by the agency's key (so consistent with every other: they all lie on one recomputed tree);
- a checkpoint kept outside (optional) lies on the same tree;
- the stored stream heads and log head agree with the recomputed chains and tree.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from service.ledger.errors import VerificationError
from service.ledger.merkle import EMPTY_ROOT, HASH_SIZE, frontier_nodes, range_hash
from service.ledger.note import Checkpoint, NoteVerifier, open_checkpoint

_LEAF_PREFIX = b"\x00"
# RFC 8785 sorts keys, so the entry's top-level fields after "body" form a short tail that starts at the last
# ',"claimed_at":"' (the body is the only nested value and comes before it; string values escape quotes).
_TAIL_MARK = b',"claimed_at":"'


@dataclass(frozen=True)
class EntryRow:
    """One entry as stored: the hashed bytes and the columns kept beside them."""

    canonical: bytes
    entry_hash: bytes
    stream: str
    stream_seq: int
    prev_hash: bytes | None
    index: int | None = None  # the log index, None for an entry still pending integration
    leaf_hash: bytes | None = None  # as stored in the log's leaf table

    def where(self) -> str:
        place = f"entry {self.index}" if self.index is not None else "pending entry"
        return f"{place} (stream {self.stream}, position {self.stream_seq})"


@dataclass(frozen=True)
class StoredCheckpoint:
    size: int
    root: bytes
    note: str


@dataclass
class VerificationReport:
    agency: str
    log_size: int = 0
    pending: int = 0
    streams: int = 0
    checkpoints: int = 0
    latest_checkpoint_size: int = 0
    external_checkpoint_size: int | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class _StreamHead:
    length: int
    head: bytes


class LogVerifier:
    """Checks one agency's log incrementally, holding one hash per leaf and per stream."""

    def __init__(self, agency_code: str, verifier: NoteVerifier, origin: str) -> None:
        self.agency_code = agency_code
        self.verifier = verifier
        self.origin = origin
        self._agency_needle = b'"agency":' + json.dumps(agency_code).encode() + b',"body":'
        self._leaves: list[bytes] = []
        self._streams: dict[str, _StreamHead] = {}
        self._pending = 0
        self._levels: list[list[bytes]] | None = None

    # -- entries --------------------------------------------------------------------------------------

    def add(self, row: EntryRow) -> None:
        """Check one sequenced entry; rows must come in index order."""
        expected = len(self._leaves)
        if row.index != expected:
            if row.index is not None and row.index > expected:
                raise VerificationError(f"log index {expected} is missing: the next entry found is {row.index}")
            raise VerificationError(f"log index {row.index} appears where index {expected} was expected")
        digest = self._check_entry(row)
        if row.leaf_hash is not None and row.leaf_hash != digest:
            raise VerificationError(f"{row.where()}: the stored leaf hash does not match the entry's bytes")
        self._leaves.append(digest)

    def add_pending(self, row: EntryRow) -> None:
        """Check an entry committed but not yet integrated into the log (comes after all sequenced rows)."""
        self._check_entry(row)
        self._pending += 1

    def _check_entry(self, row: EntryRow) -> bytes:
        data = row.canonical
        digest = hashlib.sha256(_LEAF_PREFIX + data).digest()
        if digest != row.entry_hash:
            raise VerificationError(f"{row.where()}: the stored hash does not match the entry's bytes")
        if data.find(self._agency_needle, 0, 400) < 0:
            raise VerificationError(f"{row.where()}: the entry does not belong to agency {self.agency_code}")
        stream, seq, prev = _chain_fields(data, row)
        if (stream, seq, prev) != (row.stream, row.stream_seq, row.prev_hash):
            raise VerificationError(
                f"{row.where()}: the stored stream, position or previous hash differ from the entry's bytes"
            )
        head = self._streams.get(stream)
        if head is None:
            if seq != 0 or prev is not None:
                raise VerificationError(
                    f"{row.where()}: stream {stream} starts at position {seq}, not 0: earlier entries are missing"
                )
            self._streams[stream] = _StreamHead(1, digest)
            return digest
        if seq != head.length:
            raise VerificationError(f"{row.where()}: stream {stream} expected position {head.length} next, found {seq}")
        if prev != head.head:
            raise VerificationError(
                f"{row.where()}: the previous-entry hash does not match entry {head.length - 1} of stream {stream}"
            )
        head.length += 1
        head.head = digest
        return digest

    # -- the tree -------------------------------------------------------------------------------------

    @property
    def size(self) -> int:
        return len(self._leaves)

    def _tree_levels(self) -> list[list[bytes]]:
        """Hashes of every complete subtree, level by level (levels[l][i] covers leaves [i·2^l, (i+1)·2^l))."""
        if self._levels is None:
            levels = [self._leaves]
            primed = hashlib.sha256(b"\x01").copy
            while len(levels[-1]) > 1:
                below = levels[-1]
                above: list[bytes] = []
                keep = above.append
                for i in range(0, len(below) - 1, 2):
                    hasher = primed()
                    hasher.update(below[i])
                    hasher.update(below[i + 1])
                    keep(hasher.digest())
                levels.append(above)
            self._levels = levels
        return self._levels

    def root_at(self, size: int) -> bytes:
        if not 0 <= size <= self.size:
            raise VerificationError(f"tree size {size} is beyond the log's {self.size} entries")
        if size == 0:
            return EMPTY_ROOT
        levels = self._tree_levels()
        return range_hash([levels[level][index] for level, index in frontier_nodes(size)])

    def node(self, level: int, index: int) -> bytes:
        levels = self._tree_levels()
        if level >= len(levels) or index >= len(levels[level]):
            raise VerificationError(f"no complete subtree at level {level}, index {index}")
        return levels[level][index]

    # -- checkpoints and heads -----------------------------------------------------------------------

    def check_checkpoints(self, checkpoints: Sequence[StoredCheckpoint]) -> int:
        """Every stored checkpoint is signed by the agency's key and lies on the recomputed tree."""
        previous = 0
        for stored in sorted(checkpoints, key=lambda c: c.size):
            where = f"checkpoint at size {stored.size}"
            checkpoint = self._open(stored.note, where)
            if (checkpoint.size, checkpoint.root) != (stored.size, stored.root):
                raise VerificationError(f"{where}: the stored size or root differ from the signed note")
            if checkpoint.size > self.size:
                raise VerificationError(
                    f"{where}: the log has only {self.size} entries: entries were removed after it was signed"
                )
            if self.root_at(checkpoint.size) != checkpoint.root:
                raise VerificationError(
                    f"{where}: the recomputed Merkle root differs from the signed root: entries between index "
                    f"{previous} and {checkpoint.size - 1} were changed, removed, inserted or reordered"
                    + (f" (the checkpoint at size {previous} still holds)" if previous else "")
                )
            previous = checkpoint.size
        return len(checkpoints)

    def check_external_checkpoint(self, note: str) -> int:
        """A checkpoint kept outside the database must lie on the same tree (the log was not rewritten)."""
        checkpoint = self._open(note, "the checkpoint file")
        if checkpoint.size > self.size:
            raise VerificationError(
                f"the checkpoint file is at size {checkpoint.size} but the log has {self.size} entries: "
                "the log was truncated"
            )
        if self.root_at(checkpoint.size) != checkpoint.root:
            raise VerificationError(
                f"the checkpoint file's root at size {checkpoint.size} differs from the log's: "
                "the log was rewritten since that checkpoint was signed"
            )
        return checkpoint.size

    def _open(self, note: str, where: str) -> Checkpoint:
        try:
            return open_checkpoint(note, self.verifier, origin=self.origin)
        except VerificationError as exc:
            raise VerificationError(f"{where}: {exc.reason}") from None

    def check_stream_heads(self, heads: Iterable[tuple[str, int, bytes]]) -> int:
        """The stored head of every stream equals the end of its recomputed chain, and no stream is missing."""
        seen = set()
        for stream, length, head in heads:
            seen.add(stream)
            found = self._streams.get(stream)
            if found is None:
                raise VerificationError(f"stream head {stream}: no entries of this stream were found")
            if (found.length, found.head) != (length, head):
                raise VerificationError(
                    f"stream head {stream}: stored length {length} but the chain has {found.length} entries "
                    "(or its last hash differs): entries of this stream were removed or added"
                )
        missing = set(self._streams) - seen
        if missing:
            raise VerificationError(f"stream {sorted(missing)[0]} has entries but no stored head")
        return len(seen)

    def check_log_head(self, size: int, root: bytes) -> None:
        if size != self.size:
            raise VerificationError(f"the log head says {size} entries but {self.size} were found")
        if self.root_at(size) != root:
            raise VerificationError("the log head's root differs from the recomputed Merkle root")

    def check_stored_nodes(self, nodes: Iterable[tuple[int, int, bytes]]) -> None:
        """Stored subtree hashes (which answer proofs) equal the recomputed ones."""
        for level, index, value in nodes:
            if self.node(level, index) != value:
                raise VerificationError(f"stored tree node (level {level}, index {index}) is wrong")

    def report(self) -> VerificationReport:
        return VerificationReport(
            agency=self.agency_code, log_size=self.size, pending=self._pending, streams=len(self._streams)
        )


def _chain_fields(data: bytes, row: EntryRow) -> tuple[str, int, bytes | None]:
    start = data.rfind(_TAIL_MARK)
    if start < 0:
        raise VerificationError(f"{row.where()}: the bytes are not a caseledger entry")
    try:
        tail = json.loads(b"{" + data[start + 1 :])
        prev = tail["prev"]
        fields = (
            str(tail["stream"]),
            int(tail["seq"]),
            None if prev is None else base64.b64decode(prev, validate=True),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise VerificationError(f"{row.where()}: the entry's bytes are malformed: {exc}") from None
    if fields[2] is not None and len(fields[2]) != HASH_SIZE:
        raise VerificationError(f"{row.where()}: the previous-entry hash is not {HASH_SIZE} bytes")
    return fields
