"""Which subtree hashes the database keeps, and how every other one is read: the tree in strata.

Keeping the hash of every complete subtree (one node row per entry) made the nodes' index the largest part of
a log (169 MB at a million entries, its pages half full) and put one of its pages per level, ~20, on every
proof's path. As in Trillian's subtree strata and Tessera's tiles, the tree is cut into strata of ``STRATUM``
levels and only the bottom row of each stratum is kept: the leaves (level 0, ``ledger_leaves``) and the nodes
of levels 4, 8, 12, … (``ledger_nodes``). A node inside a stratum, d = level mod 4 levels above its bottom row,
is folded from the 2^d (at most 8) stored hashes beneath it. A proof then reads one short run of consecutive
rows per stratum — five at a million entries, each on one or two index pages — instead of one row per level,
and the nodes kept are a fifteenth of the entries.

Nodes are addressed as in merkle.py: (level, index) is the root of the complete subtree over leaves
[index·2^level, (index+1)·2^level). Only complete subtrees are ever asked for, so whatever a node is folded
from is stored once the log has reached it.
"""

from __future__ import annotations

import bisect
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from service.ledger.merkle import HASH_SIZE, Node, root_of

STRATUM = 4


def is_stored(level: int) -> bool:
    """Whether the nodes of ``level`` are kept: the leaves and the bottom row of every stratum."""
    return level % STRATUM == 0


@dataclass(frozen=True, order=True)
class Run:
    """The stored hashes [begin, end) of one kept level."""

    level: int
    begin: int
    end: int


def _beneath(node: Node) -> Run:
    """The stored hashes node (level, index) is folded from (itself, when its level is kept)."""
    level, index = node
    depth = level % STRATUM
    return Run(level - depth, index << depth, (index + 1) << depth)


class ReadPlan:
    """The runs of stored hashes that the ``wanted`` nodes are made of. Runs of a level less than a stratum's
    width apart are merged (the few hashes between them lie on the same index pages), so that a proof's
    siblings inside one stratum, which surround the path's own node, are one run."""

    def __init__(self, wanted: Iterable[Node]) -> None:
        self.wanted = frozenset(wanted)
        runs: list[Run] = []
        for run in sorted({_beneath(node) for node in self.wanted}):
            last = runs[-1] if runs else None
            if last is not None and last.level == run.level and run.begin - last.end < 1 << STRATUM:
                runs[-1] = Run(last.level, last.begin, max(last.end, run.end))
            else:
                runs.append(run)
        self.runs = runs
        self._starts = [(run.level, run.begin) for run in runs]

    def _run_holding(self, part: Run) -> Run:
        return self.runs[bisect.bisect_right(self._starts, (part.level, part.begin)) - 1]

    def assemble(self, read: Mapping[Run, bytes]) -> dict[Node, bytes]:
        """The wanted nodes whose run ``read`` holds whole (its hashes, concatenated in index order)."""
        found: dict[Node, bytes] = {}
        for node in self.wanted:
            part = _beneath(node)
            run = self._run_holding(part)
            hashes = read.get(run)
            if hashes is not None:
                below = hashes[(part.begin - run.begin) * HASH_SIZE : (part.end - run.begin) * HASH_SIZE]
                found[node] = below if part.end - part.begin == 1 else _fold(below)
        return found

    def whole(self, run: Run, count: int, hashes: bytes) -> bool:
        """Whether ``count`` 32-byte hashes, concatenated as ``hashes``, are all of ``run``."""
        return count == run.end - run.begin and len(hashes) == count * HASH_SIZE


def _fold(hashes: bytes) -> bytes:
    """The root of a complete subtree from its 2^d hashes at some level, concatenated."""
    return root_of([hashes[i : i + HASH_SIZE] for i in range(0, len(hashes), HASH_SIZE)])


# One constant statement on PostgreSQL (the runs travel as arrays), so the server plans it once: per run, its
# level and start, how many of its rows hold a 32-byte hash, and the hashes in index order. The arrays are sent
# as text literals ('{1,2,3}'): psycopg's list dumper cost more than the lookups themselves.
PG_READ_RUNS = (
    "SELECT r.level, r.lo, count(*) FILTER (WHERE octet_length(s.hash) = 32), "
    "string_agg(s.hash, ''::bytea ORDER BY s.index) "
    "FROM unnest(%(levels)s::int[], %(los)s::bigint[], %(his)s::bigint[]) AS r(level, lo, hi) "
    "CROSS JOIN LATERAL ("
    "SELECT index, leaf_hash AS hash FROM ledger_leaves "
    "WHERE r.level = 0 AND agency_id = %(a)s AND index >= r.lo AND index < r.hi "
    "UNION ALL SELECT index, hash FROM ledger_nodes "
    "WHERE r.level > 0 AND agency_id = %(a)s AND level = r.level AND index >= r.lo AND index < r.hi"
    ") AS s GROUP BY r.level, r.lo"
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
    """The whole runs among rows of ``PG_READ_RUNS`` (level, start, 32-byte hashes, hashes)."""
    by_start = {(run.level, run.begin): run for run in plan.runs}
    read: dict[Run, bytes] = {}
    for level, begin, count, hashes in rows:
        run = by_start.get((int(level), int(begin)))
        if run is not None and hashes is not None and plan.whole(run, int(count), bytes(hashes)):
            read[run] = bytes(hashes)
    return read


# SQLite, in process: one range of a primary key per run, with the driver's cursor (SQLAlchemy's expressions
# cost more than the lookups).
_SQLITE_LEAVES = (
    'SELECT leaf_hash FROM ledger_leaves WHERE agency_id = ? AND "index" >= ? AND "index" < ? ORDER BY "index"'
)
_SQLITE_NODES = (
    'SELECT hash FROM ledger_nodes WHERE agency_id = ? AND level = ? AND "index" >= ? AND "index" < ? ORDER BY "index"'
)


def _sqlite_runs_read(lite: Any, agency_id: uuid.UUID, plan: ReadPlan) -> dict[Run, bytes]:
    agency = agency_id.hex  # how SQLAlchemy stores a UUID on SQLite
    read: dict[Run, bytes] = {}
    for run in plan.runs:
        if run.level == 0:
            rows = lite.execute(_SQLITE_LEAVES, (agency, run.begin, run.end)).fetchall()
        else:
            rows = lite.execute(_SQLITE_NODES, (agency, run.level, run.begin, run.end)).fetchall()
        hashes = [bytes(value) for (value,) in rows]
        joined = b"".join(hashes)
        if all(len(value) == HASH_SIZE for value in hashes) and plan.whole(run, len(hashes), joined):
            read[run] = joined
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
    found = found_nodes(session, agency_id, wanted)
    missing = wanted - found.keys()
    if missing:
        raise LookupError(f"ledger nodes missing for agency {agency_id}: {sorted(missing)[:5]}")
    return found
