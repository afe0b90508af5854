"""``caseledger verify --since STATE``: verify only what was added to one agency's log since the checkpoint a
previous run verified, trusting nothing but the state file that run wrote (service/ledger/verified_state.py)
and the agency's checkpoint key.

What it checks, from the bytes it reads (the database only selects rows):

1. the state file: its checkpoint signed by the trusted key, its frontier folding to that root;
2. every stored checkpoint from the verified one on is signed by the trusted key; the latest is the new one;
3. the leaves from the verified size to the new one: gap-free, each naming the entry row read beside it, whose
   bytes hash to the leaf hash, belong to the agency and say what its columns say;
4. the tree: the new leaves appended to the verified frontier give the signed root of every checkpoint on the
   way (so no entry the verified checkpoint covers was changed: their hashes are folded into that frontier),
   and the consistency proof the service answers from its stored nodes, from the verified checkpoint to the new
   one, verifies against both roots (a stored tree rewritten under the old checkpoint is caught here);
5. the chains of the streams the new entries touch, each continuing from its head in the state file;
6. the replay of those streams: every entry of theirs (the earlier ones held to the verified head by their
   hashes and links) replayed, after the agency's own stream, into an empty database, and every row that replay
   makes compared with the live one.

What it leaves to a full run (``caseledger verify`` without ``--since``): entries the verified checkpoint
covers, in streams the new entries do not touch (their bytes are not re-read: only their hashes, folded into
the frontier, are held to the signed roots); entry rows neither in the log nor pending; the stored heads of
streams; the stored tree nodes other than those the consistency proof uses; entries after the latest
checkpoint and pending ones; current-state rows that no replayed entry writes (rows of untouched streams, rows
added outside the service); each case's path through its procedure; evidence files and parties' data.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from service.ledger.audit import AgencyLog, RowReader
from service.ledger.errors import VerificationError
from service.ledger.merkle import HASH_SIZE, CompactRange, frontier_nodes, verify_consistency
from service.ledger.note import NoteVerifier, open_checkpoint
from service.ledger.replay import ReplayedState, compare_replayed_rows
from service.ledger.service import prove_consistency
from service.ledger.verified_state import VerifiedState
from service.ledger.verify import ChainRun, EntryChecker, EntryProblem, link_chains

_CHECKPOINTS_FROM = "SELECT size, root, note FROM ledger_checkpoints WHERE agency_id = ? AND size >= ?"
_NEW_ENTRIES = (  # the join only selects: each leaf's entry id is read beside the row's own id and compared here
    'SELECT l."index", l.leaf_hash, {id:l.entry_id}, e.canonical, e.entry_hash, e.stream, e.stream_seq, '
    "e.prev_hash, e.type, {id:e.id} FROM ledger_leaves l LEFT JOIN ledger_entries e ON e.id = l.entry_id "
    'WHERE l.agency_id = ? AND l."index" >= ? AND l."index" < ? ORDER BY l."index"'
)
# The other entries of the replayed streams (before the verified checkpoint, after the new one, pending), with
# where each stands: its log index, else its place in the pending queue.
_STREAM_ENTRIES = (
    'SELECT e.canonical, e.entry_hash, e.stream, e.stream_seq, e.prev_hash, e.type, l."index", p.seq '
    "FROM ledger_entries e LEFT JOIN ledger_leaves l ON l.entry_id = e.id "
    "LEFT JOIN ledger_pending p ON p.entry_id = e.id WHERE e.agency_id = ? AND e.stream IN ({streams}) "
    'AND (l."index" IS NULL OR l."index" < ? OR l."index" >= ?)'
)
_BATCH = 2_000


@dataclass
class IncrementalReport:
    agency: str
    old_size: int
    new_size: int
    checkpoints: int = 0
    streams: int = 0  # streams the new entries touch
    replayed_entries: int = 0
    compared_rows: int = 0
    notes: list[str] = field(default_factory=list)


def verify_since(
    session: Session, log: AgencyLog, trusted: NoteVerifier, state: VerifiedState, context: tuple[str, ...]
) -> tuple[IncrementalReport, VerifiedState]:
    """Verify what was added since ``state`` (checked against ``trusted`` when it was read); the new state.
    ``context`` names the streams every replay needs besides the touched ones (the agency's own stream, which
    every projector reads the agency from: the caller knows its name, the ledger knows no domain)."""
    url = session.get_bind().engine.url.render_as_string(hide_password=False)
    rows = RowReader(url, log.agency_id)
    try:
        return _verify_since(rows, session, log, trusted, state, context)
    finally:
        rows.close()


def _verify_since(
    rows: RowReader,
    session: Session,
    log: AgencyLog,
    trusted: NoteVerifier,
    state: VerifiedState,
    context: tuple[str, ...],
) -> tuple[IncrementalReport, VerifiedState]:
    checkpoints = {}
    for size, root, note in rows.rows(_CHECKPOINTS_FROM, state.size):
        where = f"checkpoint at size {size}"
        try:
            checkpoint = open_checkpoint(str(note), trusted, origin=log.origin)
        except VerificationError as exc:
            raise VerificationError(f"{where}: {exc.reason}") from None
        if (checkpoint.size, checkpoint.root) != (int(size), bytes(root)):
            raise VerificationError(f"{where}: the stored size or root differ from the signed note")
        checkpoints[checkpoint.size] = (checkpoint.root, str(note))
    if state.size not in checkpoints:
        raise VerificationError(
            f"the verified checkpoint at size {state.size} is no longer stored: the log was truncated, or its "
            "checkpoints removed"
        )
    if checkpoints[state.size][0] != state.root:
        raise VerificationError(
            f"the stored checkpoint at size {state.size} has another root than the one verified: the log was "
            "rewritten under a checkpoint signed with the agency's key"
        )
    new_size = max(checkpoints)
    report = IncrementalReport(log.code, state.size, new_size, checkpoints=len(checkpoints) - 1)

    tree = CompactRange.from_nodes(state.size, dict(zip(frontier_nodes(state.size), state.frontier, strict=True)))
    checker = EntryChecker(log.code)
    where_is: dict[bytes, int] = {}  # an entry's hash -> its log index, to name a problem
    expected = state.size
    batch: list[tuple[Any, ...]] = []
    fresh: list[tuple[int, bytes]] = []  # (log index, bytes) of the new entries, for the replay
    for index, leaf, named, canonical, entry_hash, stream, seq, prev, type_, entry_id in rows.rows(
        _NEW_ENTRIES, state.size, new_size
    ):
        if index != expected:
            raise VerificationError(f"log index {expected} is missing: the next entry found is {index}")
        if leaf is None or len(leaf) != HASH_SIZE:
            raise VerificationError(f"log index {index}: the stored leaf hash is not {HASH_SIZE} bytes long")
        if canonical is None or named is None or entry_id is None or bytes(named) != bytes(entry_id):
            raise VerificationError(f"entry {index}: in the log, but its entry row is missing")
        if entry_hash != leaf:
            raise VerificationError(
                f"entry {index} (stream {stream}, position {seq}): the stored leaf hash does not match the entry's "
                "bytes"
            )
        tree.append(bytes(leaf))
        expected += 1
        if expected in checkpoints and tree.root() != checkpoints[expected][0]:
            raise VerificationError(
                f"checkpoint at size {expected}: the Merkle root of the verified tree extended by the new entries "
                "differs from the signed root: the entries the verified checkpoint covers were changed"
            )
        where_is[bytes(leaf)] = int(index)
        fresh.append((int(index), bytes(canonical)))
        batch.append((canonical, entry_hash, stream, seq, prev, type_))
        if len(batch) >= _BATCH:
            _check(checker, batch, where_is)
            batch = []
    _check(checker, batch, where_is)
    if expected != new_size:
        raise VerificationError(f"log index {expected} is missing: the log ends before its checkpoint at {new_size}")

    if new_size > state.size and state.size > 0:
        # The service's own proof, from its stored nodes: a tree rewritten under the verified checkpoint
        # (nodes recomputed over changed entries) answers with hashes that do not lead to the verified root.
        answer = prove_consistency(session, log.agency_id, state.size, new_size)
        try:
            verify_consistency(state.size, new_size, answer.proof, state.root, checkpoints[new_size][0])
        except VerificationError as exc:
            raise VerificationError(
                f"the consistency proof from the verified checkpoint at size {state.size} to the checkpoint at "
                f"size {new_size} does not verify ({exc.reason}): the stored tree was rewritten"
            ) from None

    touched = {run.stream for run in checker.runs()}
    trusted_runs = [
        ChainRun(stream, 0, None, b"", *state.streams[stream]) for stream in touched if stream in state.streams
    ]
    heads, problems = link_chains(itertools.chain(trusted_runs, checker.runs()))
    if problems:
        problem = problems[0]
        raise VerificationError(
            f"entry {where_is.get(problem.key, '?')} (stream {problem.stream}, position {problem.seq}): "
            f"{problem.reason}"
        )
    report.streams = len(touched)
    report.replayed_entries, report.compared_rows = _replay_streams(
        rows, session, log, (state.size, new_size), checker.runs(), fresh, state.streams, context
    )
    new_state = VerifiedState(
        log.code,
        log.origin,
        new_size,
        checkpoints[new_size][0],
        checkpoints[new_size][1],
        tree.frontier(),
        {**state.streams, **heads},
    )
    return report, new_state


def _check(checker: EntryChecker, batch: list[tuple[Any, ...]], where_is: dict[bytes, int]) -> None:
    try:
        checker.check_rows(batch)
    except EntryProblem as problem:
        raise VerificationError(
            f"entry {where_is.get(problem.key, '?')} (stream {problem.stream}, position {problem.seq}): "
            f"{problem.reason}"
        ) from None


def _replay_streams(
    rows: RowReader,
    session: Session,
    log: AgencyLog,
    new_range: tuple[int, int],
    new_runs: list[ChainRun],
    fresh: list[tuple[int, bytes]],
    earlier: dict[str, tuple[int, bytes]],
    context: tuple[str, ...],
) -> tuple[int, int]:
    """Replay every entry of the streams the new entries touch, and of the agency's own stream (which every
    projector reads the agency from), in log order, then pending order; compare each row the replay writes with
    the live one; (entries replayed, rows compared). Their entries other than the new ones (already checked)
    are checked here: bytes and columns, one chain with the new ones, through the head the state verified."""
    streams = sorted({run.stream for run in new_runs} | set(context))
    checker = EntryChecker(log.code)
    hash_at: dict[tuple[str, int], bytes] = {}
    ordered: list[tuple[tuple[int, int], bytes]] = [((0, index), canonical) for index, canonical in fresh]
    for start in range(0, len(streams), 500):
        chunk = streams[start : start + 500]
        query = _STREAM_ENTRIES.replace("{streams}", ", ".join("?" * len(chunk)))
        found = [tuple(row) for row in rows.rows(query, *chunk, *new_range)]
        try:
            checker.check_rows([row[:6] for row in found])
        except EntryProblem as problem:
            raise VerificationError(f"stream {problem.stream}, position {problem.seq}: {problem.reason}") from None
        for canonical, entry_hash, stream, seq, _, _, index, queued in found:
            hash_at[(stream, int(seq))] = bytes(entry_hash)
            place = (0, int(index)) if index is not None else (1, int(queued) if queued is not None else -1)
            ordered.append((place, bytes(canonical)))
    _, problems = link_chains(itertools.chain(checker.runs(), new_runs))
    if problems:
        raise VerificationError(f"stream {problems[0].stream}: {problems[0].reason}")
    for stream in streams:
        verified = earlier.get(stream)
        if verified is not None and hash_at.get((stream, verified[0] - 1)) != verified[1]:
            raise VerificationError(
                f"stream {stream}: its entries before the verified checkpoint do not lead to the head verified "
                f"then (position {verified[0] - 1})"
            )
    ordered.sort(key=lambda item: item[0])
    state = ReplayedState()
    try:
        for _, canonical in ordered:
            state.apply(canonical)
        state.session.flush()
        compared = compare_replayed_rows(session, state, log.agency_id)
    finally:
        state.close()
    return len(ordered), compared
