"""Which subtree hashes the database keeps, and how every other one is read: the tree in strata.

Keeping the hash of every complete subtree (one node row per entry) made the nodes' index the largest part of
a log (169 MB at a million entries, its pages half full) and put one of its pages per level, ~20, on every
proof's path. As in Trillian's subtree strata and Tessera's tiles, the tree is cut into strata of ``STRATUM``
levels and only the bottom row of each stratum is kept: the leaves (level 0, ``ledger_leaves``) and the nodes
of levels 4, 8, 12, … (``ledger_nodes``). A node inside a stratum, d = level mod 4 levels above its bottom row,
is folded from the 2^d (at most 8) stored hashes beneath it. A proof then reads one short run of consecutive
rows per stratum — five at a million entries, each on one or two index pages, and as many at the tree's right
edge, the same for every proof at one size — instead of one row per level, and the nodes kept are a fifteenth
of the entries.

Nodes are addressed as in merkle.py: (level, index) is the root of the complete subtree over leaves
[index·2^level, (index+1)·2^level). Only complete subtrees are ever asked for, so whatever a node is folded
from is stored once the log has reached it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from sqlalchemy.orm import Session

from service.ledger.merkle import HASH_SIZE, Node
from service.ledger.verify import node_hashes

STRATUM = 4


def is_stored(level: int) -> bool:
    """Whether the nodes of ``level`` are kept: the leaves and the bottom row of every stratum."""
    return level % STRATUM == 0


def is_node_row(level: int) -> bool:
    """Whether a completed node of ``level`` is stored as a row of ``ledger_nodes``: a kept level above the leaves
    (which are rows of ``ledger_leaves``)."""
    return level > 0 and is_stored(level)


class Run(NamedTuple):
    """The stored hashes [begin, end) of one kept level."""

    level: int
    begin: int
    end: int


_MERGE_GAP = 1 << STRATUM  # runs of a level closer than this are read as one
_ALIGN = 1 << (STRATUM - 1)  # a run starts at a multiple of this: every node inside it is folded from whole pairs


class ReadPlan:
    """The runs of stored hashes that the ``wanted`` nodes are made of. Runs of a level less than a stratum's
    width apart are merged (the few hashes between them lie on the same index pages), so that a proof's
    siblings inside one stratum, which surround the path's own node, are one run; a run starts at a multiple of
    8, so the levels above it inside the stratum are each one pass over it (``node_hashes``)."""

    def __init__(self, wanted: Iterable[Node]) -> None:
        # node -> (kept level beneath it, first stored index beneath it, levels between)
        self._beneath: dict[Node, tuple[int, int, int]] = {}
        for level, index in wanted:
            depth = level % STRATUM
            self._beneath[(level, index)] = (level - depth, index << depth, depth)
        self.runs: list[Run] = []
        self._holder: dict[tuple[int, int, int], int] = {}  # (kept level, begin, depth) -> its run
        for part in sorted(set(self._beneath.values())):
            level, begin, depth = part
            end = begin + (1 << depth)
            last = self.runs[-1] if self.runs else None
            if last is not None and last.level == level and begin - last.end < _MERGE_GAP:
                if end > last.end:
                    self.runs[-1] = Run(level, last.begin, end)
            else:
                self.runs.append(Run(level, begin - begin % _ALIGN, end))
            self._holder[part] = len(self.runs) - 1

    def assemble(self, read: Mapping[Run, bytes]) -> dict[Node, bytes]:
        """The wanted nodes whose run ``read`` holds whole (its hashes, concatenated in index order)."""
        found: dict[Node, bytes] = {}
        levels: dict[int, list[bytes]] = {}  # per run: its hashes, then the levels above them
        for node, part in self._beneath.items():
            held = self._holder[part]
            above = levels.get(held)
            if above is None:
                hashes = read.get(self.runs[held])
                if hashes is None:
                    continue
                above = levels[held] = [hashes]
            _, begin, depth = part
            while len(above) <= depth:
                above.append(node_hashes(above[-1]))
            at = ((begin - self.runs[held].begin) >> depth) * HASH_SIZE
            found[node] = above[depth][at : at + HASH_SIZE]
        return found


def whole(run: Run, hashes: bytes | None) -> bool:
    """Whether ``hashes`` are all of ``run``: read with every hash that is not 32 bytes left out, and at most one
    row per index (the primary key), the right length means every row is there and of the right length."""
    return hashes is not None and len(hashes) == (run.end - run.begin) * HASH_SIZE


# One constant statement on PostgreSQL (the runs travel as arrays), so the server plans it once: per run, its
# level and start, and its 32-byte hashes in index order. The arrays are sent as text literals ('{1,2,3}'):
# psycopg's list dumper cost more than the lookups themselves.
PG_READ_RUNS = (
    "SELECT r.level, r.lo, CASE WHEN r.level = 0 THEN "
    "(SELECT string_agg(leaf_hash, ''::bytea ORDER BY index) FILTER (WHERE octet_length(leaf_hash) = 32) "
    "FROM ledger_leaves WHERE agency_id = %(a)s AND index >= r.lo AND index < r.hi) "
    "ELSE (SELECT string_agg(hash, ''::bytea ORDER BY index) FILTER (WHERE octet_length(hash) = 32) "
    "FROM ledger_nodes WHERE agency_id = %(a)s AND level = r.level AND index >= r.lo AND index < r.hi) END "
    "FROM unnest(%(levels)s::int[], %(los)s::bigint[], %(his)s::bigint[]) AS r(level, lo, hi)"
)


def _array(values: Iterable[int]) -> str:
    return "{" + ",".join(map(str, values)) + "}"


def pg_run_parameters(agency_id: uuid.UUID, plan: ReadPlan) -> dict[str, object]:
    """The parameters of ``PG_READ_RUNS`` for the runs of ``plan``."""
    return {
        "a": agency_id,
        "levels": _array(run.level for run in plan.runs),
        "los": _array(run.begin for run in plan.runs),
        "his": _array(run.end for run in plan.runs),
    }


def pg_runs_read(plan: ReadPlan, rows: Iterable[tuple[Any, ...]]) -> dict[Run, bytes]:
    """The whole runs among rows of ``PG_READ_RUNS`` (level, start, hashes)."""
    by_start = {(run.level, run.begin): run for run in plan.runs}
    read: dict[Run, bytes] = {}
    for level, begin, hashes in rows:
        run = by_start.get((level, begin))
        if run is not None and hashes is not None and whole(run, hashes := bytes(hashes)):
            read[run] = hashes
    return read


# SQLite, in process: one statement with a primary-key range per run, on the driver's cursor (SQLAlchemy's
# expressions cost more than the lookups). Only these constant parts are joined into the text; every value is
# a parameter. A plan's runs come sorted by level, so a handful of texts recur (the driver caches them).
_SQLITE_LEAVES = (
    'SELECT ?, "index", leaf_hash FROM ledger_leaves WHERE agency_id = ? AND "index" >= ? AND "index" < ? '
    "AND length(leaf_hash) = 32"
)
_SQLITE_NODES = (
    'SELECT ?, "index", hash FROM ledger_nodes WHERE agency_id = ? AND level = ? AND "index" >= ? AND "index" < ? '
    "AND length(hash) = 32"
)


def _sqlite_runs_read(lite: Any, agency_id: uuid.UUID, plan: ReadPlan) -> dict[Run, bytes]:
    agency = agency_id.hex  # how SQLAlchemy stores a UUID on SQLite
    parts: list[str] = []
    values: list[object] = []
    for number, run in enumerate(plan.runs):
        if run.level == 0:
            parts.append(_SQLITE_LEAVES)
            values += (number, agency, run.begin, run.end)
        else:
            parts.append(_SQLITE_NODES)
            values += (number, agency, run.level, run.begin, run.end)
    found: dict[int, list[tuple[int, bytes]]] = {}
    for number, index, value in lite.execute(" UNION ALL ".join(parts), values):
        found.setdefault(number, []).append((index, value))
    read: dict[Run, bytes] = {}
    for number, rows in found.items():
        run = plan.runs[number]
        hashes = b"".join(bytes(value) for _, value in sorted(rows))
        if whole(run, hashes):
            read[run] = hashes
    return read


def found_nodes(session: Session, agency_id: uuid.UUID, wanted: Iterable[Node]) -> dict[Node, bytes]:
    """Those of the ``wanted`` nodes (leaves included) whose stored hashes are all there."""
    plan = ReadPlan(wanted)
    if not plan.runs:
        return {}
    connection = session.connection()
    driver: Any = connection.connection.driver_connection
    if connection.dialect.name == "postgresql":
        with driver.cursor() as cursor:
            cursor.execute(PG_READ_RUNS, pg_run_parameters(agency_id, plan))
            return plan.assemble(pg_runs_read(plan, cursor.fetchall()))
    return plan.assemble(_sqlite_runs_read(driver, agency_id, plan))


def read_nodes(session: Session, agency_id: uuid.UUID, wanted: Iterable[Node]) -> dict[Node, bytes]:
    """The hashes of the ``wanted`` complete subtrees, leaves included; every one of them must be there."""
    wanted = set(wanted)
    return all_nodes(agency_id, wanted, found_nodes(session, agency_id, wanted))


def all_nodes(agency_id: uuid.UUID, wanted: set[Node], found: dict[Node, bytes]) -> dict[Node, bytes]:
    """``found``, if it holds every one of ``wanted``."""
    missing = wanted - found.keys()
    if missing:
        raise LookupError(f"ledger nodes missing for agency {agency_id}: {sorted(missing)[:5]}")
    return found
