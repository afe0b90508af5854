"""Verifying an agency's ledger from its rows: pure checks, fed by service/ledger/audit.py.

Two independent halves, so that a 2-core machine can run them side by side over a million entries:

- :class:`EntryChecker` takes the entries in any order, in as many parts as there are processes. Each entry's
  bytes hash to its stored hash, belong to the agency, and say what the columns stored beside them say
  (stream, position, previous hash, type); it hashes the stored bytes as they are — never re-serialises. Each
  part's chains come out as runs of linked entries, and :func:`link_chains` joins the runs of all parts into
  streams that are each an unbroken hash chain 0, 1, 2 ...
- :class:`TreeChecker` takes the log's leaves in index order: indices are gap-free from 0, and the Merkle tree
  rebuilt from them has the root of every stored checkpoint (each signed by the agency's key, hence all
  consistent with one another), of a checkpoint kept outside, and of the log head; stored subtree nodes (which
  answer proofs) are the recomputed ones.

Each leaf is tied to its entry row by the records both sides read (:func:`records_correspond`: entry id and
hash, compared here, never by a join the database ran), and the entry side has tied that hash to the bytes.
Problems raise :class:`VerificationError` (or :class:`EntryProblem`, which names the entry) with the place and
what is wrong.

One algorithm, in Python, whatever is installed: hashing is OpenSSL's through :mod:`hashlib`, and the speed
comes from running as many entry processes as the machine has cores (service/ledger/audit.py).
"""

from __future__ import annotations

import itertools
import json
from binascii import b2a_base64
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from hashlib import sha256
from typing import Any

from service.ledger.canonical import ENTRY_KIND
from service.ledger.errors import VerificationError
from service.ledger.merkle import EMPTY_ROOT, HASH_SIZE, frontier_nodes, range_hash
from service.ledger.note import Checkpoint, NoteVerifier, open_checkpoint
from service.ledger.verified_state import VerifiedState

_LEAF_PREFIX = b"\x00"
_KIND = b',"kind":"' + ENTRY_KIND.encode("ascii") + b'"'
_BEFORE_FIRST = _KIND + b',"prev":null,"recorded_at":"'
_BEFORE_PREV = _KIND + b',"prev":"'
_SEQ_PREFIX = b'","seq":'
_THEN_RECORDED = b'","recorded_at":"'
_INSTANT_LENGTH = 27  # "2026-11-28T01:12:18.123456Z": every instant has this width (canonical.format_instant)


class EntryProblem(VerificationError):
    """A problem with one entry, named by its stored hash (the caller turns it into the entry's log index)."""

    def __init__(self, key: bytes, stream: str, seq: int, reason: str) -> None:
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
    state: VerifiedState | None = None  # what a monitor keeps to verify only what comes after (verified_state.py)


def _json_text(value: str) -> bytes:
    """A string as RFC 8785 writes it (for the ASCII-safe names of streams and entry types)."""
    return json.dumps(value, ensure_ascii=False).encode("utf-8")


EntryRow = tuple[bytes, bytes, str, int, bytes | None, str]
"""(canonical, stored hash, stream, position in the stream, previous hash, type), as stored."""


@dataclass(frozen=True)
class ChainRun:
    """Consecutive entries ``first_seq .. next_seq - 1`` of one stream, each linked to the one before it."""

    stream: str
    first_seq: int
    first_prev: bytes | None  # what the first entry says the hash of its predecessor is
    first_key: bytes  # the first entry's hash, to name it
    next_seq: int
    last_hash: bytes


class _Tails(dict[tuple[str, str], bytes]):
    """(stream, type) -> how an entry of that stream and type ends: ``,"stream":…,"type":…}``."""

    def __missing__(self, key: tuple[str, str]) -> bytes:
        tail = self[key] = b',"stream":' + _json_text(key[0]) + b',"type":' + _json_text(key[1]) + b"}"
        return tail


def entry_problem(
    canonical: bytes, entry_hash: bytes, seq: int, prev: bytes | None, tail: bytes, agency: bytes
) -> str | None:
    """What is wrong with one entry row, or None: its bytes hash to its stored hash, belong to the agency
    (``agency`` is how its code appears after the actor) and say what the stored columns say — ``tail`` being
    how its stream and type end it. Runs once per entry: written for speed (exact types, no parsing)."""
    if not (
        type(canonical) is bytes
        and type(entry_hash) is bytes
        and type(seq) is int
        and (prev is None or type(prev) is bytes)
    ):
        return "the entry's bytes, stored hash, position or previous hash are not stored as what they are"
    if sha256(_LEAF_PREFIX + canonical).digest() != entry_hash:
        return "the stored hash does not match the entry's bytes"
    # The actor comes first (RFC 8785 sorts the keys) and is a JSON string, in which an unescaped quote cannot
    # occur: the first '","agency":' closes it and opens the top-level agency.
    at = canonical.find(b'","agency":', 10, 512)
    if at < 0 or not canonical.startswith(agency, at) or not canonical.startswith(b'{"actor":"'):
        return "the entry does not belong to this agency"
    # An entry ends with exactly ,"kind":"caseledger.entry/v1","prev":<null|"…">,"recorded_at":"<27 characters>",
    # "seq":N,"stream":S,"type":T} — so the stored columns are compared with the bytes without parsing them.
    after = b'","seq":%d%b' % (seq, tail)
    before = _BEFORE_FIRST if prev is None else _BEFORE_PREV + b2a_base64(prev, newline=False) + _THEN_RECORDED
    start = len(canonical) - len(after) - _INSTANT_LENGTH - len(before)
    if start < 0 or not canonical.endswith(after) or not canonical.startswith(before, start):
        return "the stored stream, position, previous hash or type differ from the entry's bytes"
    return None


class EntryChecker:
    """Checks entries given in any order, in any number of parts (one per process): each part's chains come
    out as runs of linked entries, which :func:`link_chains` joins into whole streams."""

    def __init__(self, agency_code: str, *, tie: bool = False) -> None:
        """With ``tie``, each row carries its id seventh (as bytes), and :attr:`records` collects id || stored
        hash of every entry checked: what ties each entry row to its leaf (:func:`records_correspond`)."""
        self._agency = b'","agency":' + _json_text(agency_code) + b',"body":'
        self._tails = _Tails()
        self.records: list[bytes] | None = [] if tie else None
        self._open: dict[str, list[Any]] = {}  # stream -> the run being extended: [first_seq, first_prev,
        self._closed: list[tuple[str, list[Any]]] = []  #                           first_key, next_seq, last_hash]
        self.count = 0

    def check_rows(self, rows: Iterable[tuple[Any, ...]]) -> None:
        """Each entry's bytes hash to its stored hash, belong to the agency, and say what the columns stored
        beside them say (:func:`entry_problem`); every row before the first wrong one extends the chain runs
        (the open run of its stream when it is the next entry, linked to the last one; otherwise that run is
        closed and the entry opens a new one). The first wrong entry raises :class:`EntryProblem`.

        This runs once per entry of the ledger and is most of the time ``caseledger verify`` takes."""
        tails, runs, closed, records, agency = self._tails, self._open, self._closed, self.records, self._agency
        keep = None if records is None else records.append
        checked = 0
        leaf = sha256(_LEAF_PREFIX).copy
        for canonical, entry_hash, stream, seq, prev, type_, *entry_id in rows:
            # entry_problem's checks, inlined (this loop is the verifier's hot path); any doubt is settled by
            # entry_problem itself, which names what is wrong.
            tail = tails[(stream, type_)]
            if (
                type(canonical) is bytes
                and type(entry_hash) is bytes
                and type(seq) is int
                and (prev is None or type(prev) is bytes)
            ):
                hasher = leaf()
                hasher.update(canonical)
                at = canonical.find(b'","agency":', 10, 512)
                after = b'","seq":%d%b' % (seq, tail)
                before = (
                    _BEFORE_FIRST if prev is None else _BEFORE_PREV + b2a_base64(prev, newline=False) + _THEN_RECORDED
                )
                start = len(canonical) - len(after) - _INSTANT_LENGTH - len(before)
                fine = (
                    hasher.digest() == entry_hash
                    and at >= 0
                    and canonical.startswith(agency, at)
                    and canonical.startswith(b'{"actor":"')
                    and start >= 0
                    and canonical.endswith(after)
                    and canonical.startswith(before, start)
                )
            else:
                fine = False
            if not fine:
                reason = entry_problem(canonical, entry_hash, seq, prev, tail, agency)
                self.count += checked
                raise EntryProblem(
                    entry_hash if type(entry_hash) is bytes else b"",
                    stream,
                    seq,
                    reason or "the entry's bytes differ from its stored columns",
                )
            if keep is not None:
                keep(entry_id[0] + entry_hash)
            run = runs.get(stream)
            if run is not None and run[3] == seq and run[4] == prev:
                run[3] = seq + 1
                run[4] = entry_hash
            else:  # the first entry of the stream seen here, or not the next one: links are made at the end
                if run is not None:
                    closed.append((stream, run))
                runs[stream] = [seq, prev, entry_hash, seq + 1, entry_hash]
            checked += 1
        self.count += checked

    def runs(self) -> list[ChainRun]:
        return [ChainRun(stream, *run) for stream, run in itertools.chain(self._closed, self._open.items())]


def records_correspond(
    entry_parts: Iterable[list[bytes]], leaf_records: list[bytes], pending_ids: Collection[bytes], id_width: int
) -> bool:
    """Whether the entry rows and the log correspond one to one, from the records both sides read: the entries'
    records (entry id || the stored hash their bytes were checked against) are the leaves' records (the id of
    the entry row each leaf names || the leaf hash), and one for each id of the pending queue. Sorted and
    compared whole: entry ids are time-ordered (UUIDv7) and each side is read about in that order, so the
    sorts are nearly linear. ``leaf_records`` is sorted in place."""
    entries = [record for part in entry_parts for record in part]
    if pending_ids:
        pending = set(pending_ids)
        if len(pending) != len(pending_ids):
            return False
        queued = [record[:id_width] for record in entries if record[:id_width] in pending]
        if len(queued) != len(pending) or set(queued) != pending:
            return False
        entries = [record for record in entries if record[:id_width] not in pending]
    if len(entries) != len(leaf_records):
        return False
    entries.sort()
    leaf_records.sort()
    return entries == leaf_records


def first_unmatched_leaf(leaf_records: Sequence[bytes], entry_records: Iterable[bytes]) -> int | None:
    """The first leaf (by index) whose record is not among the entries' records, to name what
    :func:`records_correspond` found; None when every leaf has its entry record."""
    known = set(entry_records)
    return next((index for index, record in enumerate(leaf_records) if record not in known), None)


def link_chains(runs: Iterable[ChainRun]) -> tuple[dict[str, tuple[int, bytes]], list[EntryProblem]]:
    """Join the runs of every stream into one chain 0, 1, 2 …: the head (length, last hash) of every stream,
    and the first problem of each stream whose chain is broken."""
    by_stream: dict[str, list[ChainRun]] = {}
    for run in runs:
        by_stream.setdefault(run.stream, []).append(run)
    heads: dict[str, tuple[int, bytes]] = {}
    problems: list[EntryProblem] = []
    for stream, parts in by_stream.items():
        parts.sort(key=lambda run: run.first_seq)
        length, head = 0, b""
        for run in parts:
            seq = run.first_seq
            if seq > length:
                reason = f"stream {stream} expected position {length} next, found {seq}"
            elif seq < length:
                reason = f"two entries at position {seq} of stream {stream}"
            elif run.first_prev != (None if seq == 0 else head):
                reason = f"the previous-entry hash does not match entry {seq - 1} of stream {stream}"
            else:
                length, head = run.next_seq, run.last_hash
                continue
            problems.append(EntryProblem(run.first_key, stream, seq, reason))
            break
        else:
            heads[stream] = (length, head)
    return heads, problems


def node_hashes(below: bytes) -> bytes:
    """The level above ``below`` (32-byte hashes, concatenated): SHA-256(0x01 || left || right) of each pair."""
    pair = 2 * HASH_SIZE
    return b"".join(
        [sha256(b"\x01" + below[start : start + pair]).digest() for start in range(0, len(below) - pair + 1, pair)]
    )


class TreeChecker:
    """The log's leaves in index order, the tree they make, and everything that commits to that tree.

    Each level of the tree is kept as one string of 32-byte hashes: node i of a level is bytes [32·i, 32·i + 32)."""

    def __init__(self, verifier: NoteVerifier, origin: str) -> None:
        self.verifier = verifier
        self.origin = origin
        self._leaves = bytearray()
        self._levels: list[bytes] | None = None

    def add(self, index: int, leaf_hash: bytes) -> None:
        expected = self.size
        if index != expected:
            if index > expected:
                raise VerificationError(f"log index {expected} is missing: the next entry found is {index}")
            raise VerificationError(f"log index {index} appears where index {expected} was expected")
        if len(leaf_hash) != HASH_SIZE:
            raise VerificationError(f"log index {index}: the stored leaf hash is not {HASH_SIZE} bytes long")
        self._leaves += leaf_hash

    def add_all(self, leaf_hashes: bytes) -> None:
        """The whole log at once: every leaf hash in index order from index 0, concatenated."""
        if self._leaves or len(leaf_hashes) % HASH_SIZE:
            raise ValueError("add_all takes every leaf hash, 32 bytes each, on an empty checker")
        self._leaves = bytearray(leaf_hashes)

    @property
    def size(self) -> int:
        return len(self._leaves) // HASH_SIZE

    def _tree_levels(self) -> list[bytes]:
        """Hashes of every complete subtree, level by level (node i of level l covers leaves [i·2^l, (i+1)·2^l))."""
        if self._levels is None:
            levels = [bytes(self._leaves)]
            while len(levels[-1]) > HASH_SIZE:
                levels.append(node_hashes(levels[-1]))
            self._levels = levels
        return self._levels

    def frontier(self, size: int) -> list[bytes]:
        """The hashes of merkle.frontier_nodes(size): what the tree at ``size`` is extended from."""
        return [self._node(level, index) for level, index in frontier_nodes(size)]

    def _node(self, level: int, index: int) -> bytes:
        return self._tree_levels()[level][index * HASH_SIZE : (index + 1) * HASH_SIZE]

    def root_at(self, size: int) -> bytes:
        if not 0 <= size <= self.size:
            raise VerificationError(f"tree size {size} is beyond the log's {self.size} entries")
        if size == 0:
            return EMPTY_ROOT
        return range_hash([self._node(level, index) for level, index in frontier_nodes(size)])

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

    def stored_level_holds(self, level: int, hashes: bytes) -> bool:
        """Whether the stored nodes 0, 1, 2 … of ``level``, concatenated, are the recomputed ones."""
        levels = self._tree_levels()
        return 0 <= level < len(levels) and hashes == levels[level][: len(hashes)]

    def check_stored_nodes(self, nodes: Iterable[tuple[int, int, bytes]]) -> int:
        """Stored subtree hashes (which answer proofs) equal the recomputed ones."""
        levels = self._tree_levels()
        count = 0
        for level, index, value in nodes:
            if not (0 <= level < len(levels) and 0 <= index < len(levels[level]) // HASH_SIZE) or (
                self._node(level, index) != value
            ):
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
