"""A PROTOTYPE of a faster verify_log, for measurement only: the service never calls this.

It makes the checks service/ledger/audit.verify_log and verify.LogVerifier make — every entry's bytes hash
to its stored entry and leaf hashes, log indices are gap-free from 0, the entry belongs to the agency, the
stream / position / previous hash stored beside the bytes are what the bytes say, every stream is an unbroken
chain, no entry row is outside the log and the pending queue, every stored checkpoint is signed by the
trusted key and its root is the recomputed root at its size, the log head and the stream heads agree, and
every stored subtree node is the recomputed one — but

- reads with the driver alone (PostgreSQL: ``COPY (SELECT ...) TO STDOUT (FORMAT BINARY)``; SQLite: the
  sqlite3 cursor) instead of an ORM select with ``yield_per`` (≈15-20 µs per row here);
- checks the chain fields by matching the entry's top-level tail (RFC 8785 sorts the keys, so after the body
  it is always ``,"claimed_at":…,"kind":…,"prev":…,"recorded_at":…,"seq":…,"stream":…,"type":…}``) with one
  anchored regular expression and comparing the stored columns encoded as the bytes encode them, instead of
  ``json.loads`` and ``base64.b64decode`` per entry.

It is a measurement of what the proposed change to audit.py / verify.py would buy, not a replacement: it is
not hardened (error messages are terse) and is exercised only by the benchmark.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import sqlite3
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import psycopg
import sqlalchemy as sa

from bench.common import libpq_url
from service.ledger.audit import AgencyLog
from service.ledger.errors import VerificationError
from service.ledger.merkle import EMPTY_ROOT, frontier_nodes, range_hash
from service.ledger.note import NoteVerifier, open_checkpoint

_MARK = b',"claimed_at":"'
# The top-level tail of an entry after its body; group 1: prev (null or a quoted hash), 2: seq, 3: stream.
_TAIL = re.compile(
    rb',"claimed_at":"[^"\\]*","kind":"caseledger\.entry/v1","prev":(null|"[A-Za-z0-9+/]{43}="),'
    rb'"recorded_at":"[^"\\]*","seq":(0|[1-9][0-9]*),"stream":("(?:[^"\\]|\\.)*"),"type":"(?:[^"\\]|\\.)*"\}'
)
_SEQUENCED = (
    'SELECT l."index", l.leaf_hash, e.canonical, e.entry_hash, e.stream, e.stream_seq, e.prev_hash '
    "FROM ledger_leaves l LEFT JOIN ledger_entries e ON e.id = l.entry_id "
    'WHERE l.agency_id = {a} ORDER BY l."index"'
)
_PENDING = (
    "SELECT p.seq, NULL, e.canonical, e.entry_hash, e.stream, e.stream_seq, e.prev_hash "
    "FROM ledger_pending p JOIN ledger_entries e ON e.id = p.entry_id WHERE p.agency_id = {a} ORDER BY p.seq"
)
_COUNT = "SELECT count(*) FROM ledger_entries WHERE agency_id = {a}"
_CHECKPOINTS = "SELECT size, root, note FROM ledger_checkpoints WHERE agency_id = {a}"
_STREAMS = "SELECT stream, length, head_hash FROM ledger_streams WHERE agency_id = {a}"
_NODES = 'SELECT level, "index", hash FROM ledger_nodes WHERE agency_id = {a}'
_ROW_TYPES = ["int8", "bytea", "bytea", "bytea", "text", "int4", "bytea"]


class _Source:
    """Rows of one agency's log, read with the driver alone."""

    def __init__(self, url: str, agency_id: uuid.UUID) -> None:
        self.sqlite = url.startswith("sqlite")
        self.agency_id = agency_id
        if self.sqlite:
            path = sa.engine.make_url(url).database
            assert path is not None
            self._lite = sqlite3.connect(path)
            self._param: object = agency_id.hex
        else:
            self._pg = psycopg.connect(libpq_url(url))
            self._param = agency_id

    def rows(self, query: str, types: list[str]) -> Iterator[Any]:
        if self.sqlite:
            yield from self._lite.execute(query.format(a="?"), (self._param,))
            return
        copy_out = f"COPY ({query.format(a='%s')}) TO STDOUT (FORMAT BINARY)"
        with self._pg.cursor(binary=True) as cur, cur.copy(copy_out, (self._param,)) as copy:
            copy.set_types(types)
            yield from copy.rows()

    def close(self) -> None:
        if self.sqlite:
            self._lite.close()
        else:
            self._pg.close()


@dataclass
class FastReport:
    size: int
    pending: int
    streams: int
    checkpoints: int
    nodes: int


def _levels(leaves: list[bytes]) -> list[list[bytes]]:
    levels = [leaves]
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
    return levels


def _root_at(levels: list[list[bytes]], size: int) -> bytes:
    if size == 0:
        return EMPTY_ROOT
    return range_hash([levels[level][index] for level, index in frontier_nodes(size)])


def fast_verify(url: str, log: AgencyLog, trusted: NoteVerifier) -> FastReport:
    source = _Source(url, log.agency_id)
    try:
        return _verify(source, log, trusted)
    finally:
        source.close()


def _verify(source: _Source, log: AgencyLog, trusted: NoteVerifier) -> FastReport:
    needle = b'"agency":' + json.dumps(log.code).encode() + b',"body":'
    sha256 = hashlib.sha256
    b64 = base64.b64encode
    tail = _TAIL.match
    # stream -> [length, head hash, the stream's name as the bytes encode it]
    streams: dict[str, list[object]] = {}
    leaves: list[bytes] = []
    keep = leaves.append

    def check(rows: Iterable[Any], sequenced: bool) -> int:
        count = 0
        for row in rows:
            index, leaf, data, entry_hash, stream, seq, prev = row
            if sequenced and index != count:
                raise VerificationError(f"log index {count} is missing or out of order (found {index})")
            if data is None:
                raise VerificationError(f"entry {index}: in the log, but its entry row is missing")
            digest = sha256(b"\x00" + data).digest()
            if digest != entry_hash or (sequenced and digest != leaf):
                raise VerificationError(f"entry {index}: the stored hash does not match the entry's bytes")
            if data.find(needle, 0, 400) < 0:
                raise VerificationError(f"entry {index}: the entry does not belong to agency {log.code}")
            found = tail(data, data.rfind(_MARK))
            if found is None or found.end() != len(data):
                raise VerificationError(f"entry {index}: the bytes are not a caseledger entry")
            head = streams.get(stream)
            if head is None:
                head = streams[stream] = [0, None, json.dumps(stream, ensure_ascii=False).encode()]
            expected_prev = b"null" if prev is None else b'"' + b64(prev) + b'"'
            if found[1] != expected_prev or int(found[2]) != seq or found[3] != head[2]:
                raise VerificationError(
                    f"entry {index}: the stored stream, position or previous hash differ from the entry's bytes"
                )
            if seq != head[0] or prev != head[1]:
                raise VerificationError(f"entry {index}: stream {stream} is not an unbroken chain here")
            head[0] = seq + 1
            head[1] = digest
            if sequenced:
                keep(digest)
            count += 1
        return count

    size = check(source.rows(_SEQUENCED, _ROW_TYPES), True)
    pending = check(source.rows(_PENDING, _ROW_TYPES), False)
    ((total,),) = list(source.rows(_COUNT, ["int8"]))
    if total != size + pending:
        raise VerificationError(f"{total} entry rows for {size} entries in the log and {pending} pending")

    levels = _levels(leaves)
    checkpoints = 0
    for stored_size, root, note in sorted(source.rows(_CHECKPOINTS, ["int8", "bytea", "text"])):
        checkpoint = open_checkpoint(str(note), trusted, origin=log.origin)
        if (checkpoint.size, checkpoint.root) != (stored_size, bytes(root)):
            raise VerificationError(f"checkpoint at size {stored_size}: the stored size or root differ from the note")
        if checkpoint.size > size or _root_at(levels, checkpoint.size) != checkpoint.root:
            raise VerificationError(f"checkpoint at size {stored_size}: the recomputed root differs")
        checkpoints += 1
    if log.size != size or _root_at(levels, size) != log.root:
        raise VerificationError("the log head differs from the recomputed log")
    seen = 0
    for stream, length, head_hash in source.rows(_STREAMS, ["text", "int4", "bytea"]):
        found_head = streams.get(str(stream))
        if found_head is None or found_head[0] != length or found_head[1] != bytes(head_hash):
            raise VerificationError(f"stream head {stream}: differs from its recomputed chain")
        seen += 1
    if seen != len(streams):
        raise VerificationError("a stream has entries but no stored head")
    nodes = 0
    for level, index, value in source.rows(_NODES, ["int4", "int8", "bytea"]):
        if level >= len(levels) or index >= len(levels[level]) or levels[level][index] != value:
            raise VerificationError(f"stored tree node (level {level}, index {index}) is wrong")
        nodes += 1
    return FastReport(size, pending, len(streams), checkpoints, nodes)
