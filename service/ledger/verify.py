"""Verifying an agency's ledger from its rows: pure checks, fed by service/ledger/audit.py.

Two independent halves, so that a 2-core machine can run them side by side over a million entries:

- :class:`EntryChecker` takes the entries in any order. Each entry's bytes hash to its stored hash, belong to
  the agency, and say what the columns stored beside them say (stream, position, previous hash, type); every
  stream is an unbroken hash chain 0, 1, 2 ... It hashes the stored bytes as they are — never re-serialises.
- :class:`TreeChecker` takes the log's leaves in index order: indices are gap-free from 0, and the Merkle tree
  rebuilt from them has the root of every stored checkpoint (each signed by the agency's key, hence all
  consistent with one another), of a checkpoint kept outside, and of the log head; stored subtree nodes (which
  answer proofs) are the recomputed ones.

Each leaf is read beside its entry row's stored hash, which the entry side has tied to the bytes. Problems
raise :class:`VerificationError` (or :class:`EntryProblem`, which names the entry) with the place and what is
wrong.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from service.ledger.errors import VerificationError
from service.ledger.merkle import EMPTY_ROOT, frontier_nodes, range_hash
from service.ledger.note import Checkpoint, NoteVerifier, open_checkpoint

_LEAF_PREFIX = b"\x00"
_KIND_AND_PREV = b',"kind":"caseledger.entry/v1","prev":'
# ',"recorded_at":"2026-11-28T01:12:18.123456Z"': every instant has the same width (canonical.format_instant).
_RECORDED_LENGTH = len(b',"recorded_at":"') + 27 + 1


class EntryProblem(VerificationError):
    """A problem with one entry, named by its row id (the caller turns it into the entry's log index)."""

    def __init__(self, key: Any, stream: str, seq: int, reason: str) -> None:
        super().__init__(reason)
        self.key = key
        self.stream = stream
        self.seq = seq


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


def _json_text(value: str) -> bytes:
    """A string as RFC 8785 writes it (for the ASCII-safe names of streams and entry types)."""
    return json.dumps(value, ensure_ascii=False).encode("utf-8")


class EntryChecker:
    """Checks entries given in any order; chains are completed as their missing links arrive."""

    def __init__(self, agency_code: str) -> None:
        self._agency = b',"agency":' + _json_text(agency_code) + b',"body":'
        self._tails: dict[tuple[str, str], bytes] = {}  # (stream, type) -> ',"stream":…,"type":…}'
        self._heads: dict[str, tuple[int, bytes]] = {}  # stream -> (length so far, hash of the last entry)
        self._waiting: dict[tuple[str, int], tuple[Any, bytes | None, bytes]] = {}
        self.count = 0

    def check(
        self, key: Any, canonical: bytes, entry_hash: bytes, stream: str, seq: int, prev: bytes | None, type_: str
    ) -> None:
        digest = hashlib.sha256(_LEAF_PREFIX + canonical).digest()
        if digest != entry_hash:
            raise EntryProblem(key, stream, seq, "the stored hash does not match the entry's bytes")
        # The actor (a quoted string) comes first; the first ',"agency":' is then the top-level one.
        at = canonical.find(self._agency, 0, 256)
        if at < 0 or not canonical.startswith(b'{"actor":"') or canonical.find(b',"agency":', 0, at) >= 0:
            raise EntryProblem(key, stream, seq, "the entry does not belong to this agency")
        # RFC 8785 sorts the keys, so an entry ends with exactly ,"kind":"caseledger.entry/v1","prev":<null|"…">,
        # "recorded_at":"<27 characters>","seq":N,"stream":S,"type":T} and the stored columns can be compared
        # with the bytes without parsing them.
        tail = self._tails.get((stream, type_))
        if tail is None:
            tail = self._tails[(stream, type_)] = (
                b',"stream":' + _json_text(stream) + b',"type":' + _json_text(type_) + b"}"
            )
        end = len(canonical) - len(tail)
        seq_text = b',"seq":%d' % seq
        recorded = end - len(seq_text) - _RECORDED_LENGTH
        prev_text = _KIND_AND_PREV + (b"null" if prev is None else b'"' + base64.b64encode(prev) + b'"')
        if (
            not canonical.endswith(tail)
            or not canonical.startswith(seq_text, end - len(seq_text))
            or not canonical.startswith(b',"recorded_at":"', recorded)
            or canonical[recorded + _RECORDED_LENGTH - 1] != 0x22
            or not canonical.startswith(prev_text, recorded - len(prev_text))
        ):
            raise EntryProblem(
                key, stream, seq, "the stored stream, position, previous hash or type differ from the entry's bytes"
            )
        self.count += 1
        self._link(key, stream, seq, prev, digest)

    def _link(self, key: Any, stream: str, seq: int, prev: bytes | None, digest: bytes) -> None:
        length, head = self._heads.get(stream, (0, b""))
        if seq > length:
            if (stream, seq) in self._waiting:
                raise EntryProblem(key, stream, seq, f"two entries at position {seq} of stream {stream}")
            self._waiting[(stream, seq)] = (key, prev, digest)
            return
        if seq < length:
            raise EntryProblem(key, stream, seq, f"two entries at position {seq} of stream {stream}")
        while True:
            expected = None if seq == 0 else head
            if prev != expected:
                raise EntryProblem(
                    key,
                    stream,
                    seq,
                    f"the previous-entry hash does not match entry {seq - 1} of stream {stream}",
                )
            length, head = seq + 1, digest
            waiting = self._waiting.pop((stream, length), None)
            if waiting is None:
                break
            key, prev, digest = waiting
            seq = length
        self._heads[stream] = (length, head)

    def finish(self) -> dict[str, tuple[int, bytes]]:
        """The head of every stream; an entry still waiting for its predecessor means a link is missing."""
        if self._waiting:
            (stream, seq), (key, _, _) = min(self._waiting.items(), key=lambda item: item[0])
            length = self._heads.get(stream, (0, b""))[0]
            raise EntryProblem(key, stream, seq, f"stream {stream} expected position {length} next, found {seq}")
        return dict(self._heads)


class TreeChecker:
    """The log's leaves in index order, the tree they make, and everything that commits to that tree."""

    def __init__(self, verifier: NoteVerifier, origin: str) -> None:
        self.verifier = verifier
        self.origin = origin
        self._leaves: list[bytes] = []
        self._levels: list[list[bytes]] | None = None

    def add(self, index: int, leaf_hash: bytes) -> None:
        expected = len(self._leaves)
        if index != expected:
            if index > expected:
                raise VerificationError(f"log index {expected} is missing: the next entry found is {index}")
            raise VerificationError(f"log index {index} appears where index {expected} was expected")
        self._leaves.append(leaf_hash)

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

    def check_log_head(self, size: int, root: bytes) -> None:
        if size != self.size:
            raise VerificationError(f"the log head says {size} entries but {self.size} were found")
        if self.root_at(size) != root:
            raise VerificationError("the log head's root differs from the recomputed Merkle root")

    def check_stored_nodes(self, nodes: Iterable[tuple[int, int, bytes]]) -> int:
        """Stored subtree hashes (which answer proofs) equal the recomputed ones."""
        levels = self._tree_levels()
        count = 0
        for level, index, value in nodes:
            if level >= len(levels) or index >= len(levels[level]) or levels[level][index] != value:
                raise VerificationError(f"stored tree node (level {level}, index {index}) is wrong")
            count += 1
        return count


def check_stream_heads(computed: dict[str, tuple[int, bytes]], stored: Iterable[tuple[str, int, bytes]]) -> int:
    """The stored head of every stream equals the end of its recomputed chain, and no stream is missing."""
    seen = set()
    for stream, length, head in stored:
        seen.add(stream)
        found = computed.get(stream)
        if found is None:
            raise VerificationError(f"stream head {stream}: no entries of this stream were found")
        if found != (length, head):
            raise VerificationError(
                f"stream head {stream}: stored length {length} but the chain has {found[0]} entries "
                "(or its last hash differs): entries of this stream were removed or added"
            )
    missing = set(computed) - seen
    if missing:
        raise VerificationError(f"stream {sorted(missing)[0]} has entries but no stored head")
    return len(seen)
