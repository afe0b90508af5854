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
   hashes and links) replayed with the streams every such replay takes (the agency's own, its calendar's, its
   case numberings: the caller's ``context``), in log order, into an empty database, and every row that replay
   makes compared with the live one — but for a column counted over every stream of a kind, which the whole
   replay compares. An entry that changes the rows of a stream not replayed (a number given to a case no new
   entry touches) is not applied: replaying that stream too would make the run follow the year's cases.

What it reads: the new entries by their log positions (a range of the leaves' primary key, each joined to its
entry row by id), the touched streams' other entries by their positions in their streams (before the first new
one, after the last: index ranges of the (agency, stream, position) key), and the checkpoints from the verified
size on — on PostgreSQL planned as index lookups, never a scan of the log. Its time follows the new entries
and the streams they touch, not the log's size. The replay runs in a second process (forked, so it replays the
very bytes read and checked here) while this one checks; its outcome is reported once every check has passed.

What it leaves to a full run (``caseledger verify`` without ``--since``): entries the verified checkpoint
covers, in streams the new entries do not touch (their bytes are not re-read: only their hashes, folded into
the frontier, are held to the signed roots); entry rows neither in the log nor pending; the stored heads of
streams; the stored tree nodes other than those the consistency proof uses; entries after the latest
checkpoint and pending ones; current-state rows that no replayed entry writes (rows of untouched streams — a
case's number among them when its case is not replayed —, rows added outside the service); each case's path
through its procedure; evidence files and parties' data.
"""

from __future__ import annotations

import gc
import itertools
import multiprocessing
import queue
import threading
import uuid
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from service.ledger.audit import AgencyLog, RowReader
from service.ledger.canonical import EntryContent, parse_entry
from service.ledger.errors import VerificationError
from service.ledger.merkle import HASH_SIZE, CompactRange, frontier_nodes, verify_consistency
from service.ledger.note import NoteVerifier, open_checkpoint
from service.ledger.replay import ReplayedState, compare_replayed_rows, empty_schema
from service.ledger.service import prove_consistency
from service.ledger.verified_state import VerifiedState
from service.ledger.verify import ChainRun, EntryChecker, EntryProblem, link_chains

_CHECKPOINTS_FROM = "SELECT size, root, note FROM ledger_checkpoints WHERE agency_id = ? AND size >= ?"
_NEW_ENTRIES = (  # the join only selects: each leaf's entry id is read beside the row's own id and compared here
    'SELECT l."index", l.leaf_hash, {id:l.entry_id}, e.canonical, e.entry_hash, e.stream, e.stream_seq, '
    "e.prev_hash, e.type, {id:e.id} FROM ledger_leaves l LEFT JOIN ledger_entries e ON e.id = l.entry_id "
    'WHERE l.agency_id = ? AND l."index" >= ? AND l."index" < ? ORDER BY l."index"'
)
# The other entries of the replayed streams (before the verified checkpoint, after the new one, pending), found
# by their positions: of each stream r, those before its first new one (r.lo) and those from the one after its
# last new one (r.hi) on; with where each stands: its log index, else its place in the pending queue. Two index
# range scans per stream and a lookup per row found: the new entries are not read twice, no table is scanned.
_STREAM_SIDE = (
    'SELECT e.canonical, e.entry_hash, e.stream, e.stream_seq, e.prev_hash, e.type, (SELECT l."index" FROM '
    "ledger_leaves l WHERE l.entry_id = e.id), (SELECT p.seq FROM ledger_pending p WHERE p.entry_id = e.id) "
    "FROM a JOIN r ON 1 = 1 JOIN ledger_entries e ON e.agency_id = a.agency_id AND e.stream = r.stream AND {side}"
)
_STREAM_ENTRIES = (
    "WITH a(agency_id) AS (SELECT ?), r(stream, lo, hi) AS (VALUES {ranges}) "
    + _STREAM_SIDE.replace("{side}", "e.stream_seq < r.lo")
    + " UNION ALL "
    + _STREAM_SIDE.replace("{side}", "e.stream_seq >= r.hi")
)
_STREAMS_PER_QUERY = 500

Place = tuple[int, int]  # (0, log index) or (1, place in the pending queue): the order replay applies entries in


@dataclass
class IncrementalReport:
    agency: str
    old_size: int
    new_size: int
    checkpoints: int = 0
    streams: int = 0  # streams the new entries touch
    replayed_entries: int = 0  # applied: an entry changing the rows of a stream not replayed is given, not applied
    compared_rows: int = 0
    notes: list[str] = field(default_factory=list)


def verify_since(
    session: Session, log: AgencyLog, trusted: NoteVerifier, state: VerifiedState, context: tuple[str, ...]
) -> tuple[IncrementalReport, VerifiedState]:
    """Verify what was added since ``state`` (checked against ``trusted`` when it was read); the new state.
    ``context`` names the streams every replay needs besides the touched ones (the agency's own stream, which
    every projector reads the agency from, and any other whose entries its row keeps — its calendar's; and those
    whose entries change the rows of other streams — the agency's case numbering, a name ending in ``*`` naming
    every stream whose name begins so: the caller knows their names, the ledger knows no domain). Of those, an
    entry that changes the rows of a stream not replayed is not applied (``projection.stream_changed``). A column
    counted over a whole kind of streams (an agency's officers' version) is left to the whole replay
    (service/ledger/replay.py, ``_stream_local``)."""
    url = session.get_bind().engine.url.render_as_string(hide_password=False)
    rows = RowReader(url, log.agency_id)
    try:
        rows.index_lookups()
        return _verify_since(rows, url, session, log, trusted, state, context)
    finally:
        rows.close()


def _verify_since(
    rows: RowReader,
    url: str,
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

    # The replay runs in a second process while this one reads and checks: it gets the bytes read here as they are
    # read (each tied to its hash by the checks below) and reads them back into entries meanwhile; it applies them
    # in log order once all are in. What it found is reported only when every check here has passed.
    replay = _Replay(url, log.agency_id)
    try:
        leaves, entries = _new_entries(rows, state.size, new_size, replay)
        positions = _new_positions(entries)
        taken = _context_streams(context, state.streams.keys() | positions.keys())
        others = _other_entries(rows, positions, taken)
        replay.add([(place, canonical) for place, canonical, _ in others])
        replay.start_applying(positions.keys() | taken)
        new_state, touched = _check_new(session, log, state, checkpoints, new_size, leaves, entries, others, taken)
        report.streams = touched
        report.compared_rows, report.replayed_entries = replay.outcome()
    finally:
        replay.stop()
    return report, new_state


_BATCH = 1_000  # entries handed to the replay at a time: a few hundred KiB
_PIPE_SIZE = 1 << 20


def _new_entries(
    rows: RowReader, old_size: int, new_size: int, replay: _Replay
) -> tuple[list[bytes], list[tuple[Any, ...]]]:
    """The new entries, by their log positions — each leaf names the entry row read beside it —, handed to the
    replay as they are read: their leaf hashes, and the rows as EntryChecker takes them."""
    expected = old_size
    leaves: list[bytes] = []
    entries: list[tuple[Any, ...]] = []
    batch: list[tuple[Place, bytes]] = []
    for index, leaf, named, canonical, entry_hash, stream, seq, prev, type_, entry_id in rows.rows(
        _NEW_ENTRIES, old_size, new_size
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
        expected += 1
        leaves.append(bytes(leaf))
        batch.append(((0, int(index)), bytes(canonical)))
        entries.append((canonical, entry_hash, stream, seq, prev, type_))
        if len(batch) == _BATCH:
            replay.add(batch)
            batch = []
    if expected != new_size:
        raise VerificationError(f"log index {expected} is missing: the log ends before its checkpoint at {new_size}")
    replay.add(batch)
    return leaves, entries


def _check_new(
    session: Session,
    log: AgencyLog,
    state: VerifiedState,
    checkpoints: dict[int, tuple[bytes, str]],
    new_size: int,
    leaves: list[bytes],
    entries: list[tuple[Any, ...]],
    others: list[tuple[Place, bytes, tuple[Any, ...]]],
    context: tuple[str, ...],
) -> tuple[VerifiedState, int]:
    """The new entries' bytes and columns, the tree they extend, the consistency proof, the chains of the streams
    they touch (and the other entries of those streams, read for the replay); the new state."""
    checker = EntryChecker(log.code)
    try:
        checker.check_rows(entries)
    except EntryProblem as problem:
        raise _named(problem, entries, state.size) from None

    # The new leaves extend the verified frontier to the signed root of every checkpoint on the way: the entries
    # the verified checkpoint covers are folded into that frontier, so none of them can have changed.
    tree = CompactRange.from_nodes(state.size, dict(zip(frontier_nodes(state.size), state.frontier, strict=True)))
    done = state.size
    for size in sorted(size for size in checkpoints if size > state.size):
        tree.extend(leaves[done - state.size : size - state.size])
        done = size
        if tree.root() != checkpoints[size][0]:
            raise VerificationError(
                f"checkpoint at size {size}: the Merkle root of the verified tree extended by the new entries "
                "differs from the signed root: the entries the verified checkpoint covers were changed"
            )

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

    new_runs = checker.runs()
    touched = {run.stream for run in new_runs}
    trusted_runs = [
        ChainRun(stream, 0, None, b"", *state.streams[stream]) for stream in touched if stream in state.streams
    ]
    heads, problems = link_chains(itertools.chain(trusted_runs, new_runs))
    if problems:
        raise _named(problems[0], entries, state.size)
    _check_others(log, others, new_runs, state.streams, sorted(touched | set(context)))
    new_state = VerifiedState(
        log.code,
        log.origin,
        new_size,
        checkpoints[new_size][0],
        checkpoints[new_size][1],
        tree.frontier(),
        {**state.streams, **heads},
    )
    return new_state, len(touched)


def _named(problem: EntryProblem, entries: list[tuple[Any, ...]], first: int) -> VerificationError:
    """The problem of a new entry, named by its log index (``entries`` are the new ones, from index ``first``)."""
    at = next((first + i for i, entry in enumerate(entries) if entry[1] == problem.key), "?")
    return VerificationError(f"entry {at} (stream {problem.stream}, position {problem.seq}): {problem.reason}")


def _context_streams(context: tuple[str, ...], known: Collection[str]) -> tuple[str, ...]:
    """The streams ``context`` names: each by its name, or (a name ending in ``*``) every one of ``known`` whose name
    begins so — ``known`` being the streams the verified state vouches for and those the new entries touch."""
    names: set[str] = set()
    for name in context:
        if name.endswith("*"):
            names.update(stream for stream in known if stream.startswith(name[:-1]))
        else:
            names.add(name)
    return tuple(sorted(names))


def _new_positions(entries: list[tuple[Any, ...]]) -> dict[str, tuple[int, int]]:
    """stream -> (its first new position, the one after its last): where its other entries are not."""
    positions: dict[str, tuple[int, int]] = {}
    for _, _, stream, seq, _, _ in entries:
        found = positions.get(stream)
        positions[stream] = (seq, seq + 1) if found is None else (min(found[0], seq), max(found[1], seq + 1))
    return positions


def _other_entries(
    rows: RowReader, positions: dict[str, tuple[int, int]], context: tuple[str, ...]
) -> list[tuple[Place, bytes, tuple[Any, ...]]]:
    """Every entry of the replayed streams — those the new entries touch and ``context`` — other than the new
    ones: (where it stands, its bytes, the row as EntryChecker takes it)."""
    streams = sorted(set(positions) | set(context))
    out: list[tuple[Place, bytes, tuple[Any, ...]]] = []
    for start in range(0, len(streams), _STREAMS_PER_QUERY):
        chunk = streams[start : start + _STREAMS_PER_QUERY]
        query = _STREAM_ENTRIES.replace("{ranges}", ", ".join(["(?, ?, ?)"] * len(chunk)))
        ranges = [value for stream in chunk for value in (stream, *positions.get(stream, (0, 0)))]
        for canonical, entry_hash, stream, seq, prev, type_, index, queued in rows.rows(query, *ranges):
            place = (0, int(index)) if index is not None else (1, int(queued) if queued is not None else -1)
            out.append((place, bytes(canonical), (canonical, entry_hash, stream, seq, prev, type_)))
    return out


def _check_others(
    log: AgencyLog,
    others: list[tuple[Place, bytes, tuple[Any, ...]]],
    new_runs: list[ChainRun],
    earlier: dict[str, tuple[int, bytes]],
    streams: list[str],
) -> None:
    """The replayed streams' other entries: bytes and columns, one chain with the new ones, through the head
    the state verified."""
    checker = EntryChecker(log.code)
    try:
        checker.check_rows([row for _, _, row in others])
    except EntryProblem as problem:
        raise VerificationError(f"stream {problem.stream}, position {problem.seq}: {problem.reason}") from None
    _, problems = link_chains(itertools.chain(checker.runs(), new_runs))
    if problems:
        raise VerificationError(f"stream {problems[0].stream}: {problems[0].reason}")
    hash_at = {(row[2], int(row[3])): bytes(row[1]) for _, _, row in others}
    for stream in streams:
        verified = earlier.get(stream)
        if verified is not None and hash_at.get((stream, verified[0] - 1)) != verified[1]:
            raise VerificationError(
                f"stream {stream}: its entries before the verified checkpoint do not lead to the head verified "
                f"then (position {verified[0] - 1})"
            )


class _Replay:
    """The replay of the entries' bytes it is given (with where each stands, in any order and in as many parts as
    come), applied in log order into an empty database, and the comparison of every row it writes with the live
    one. Where the machine can fork, a child process reads each part back into entries as it comes, while this
    one goes on reading and checking (a thread hands the parts over: a write that waits for the child does not
    hold up the checks), and applies them all once told to start: its outcome is heard in :meth:`outcome`.
    Elsewhere all of it is done in :meth:`outcome` itself."""

    def __init__(self, url: str, agency_id: uuid.UUID) -> None:
        self._url, self._agency_id = url, agency_id
        self._kept: list[tuple[Place, bytes]] = []  # without a child: what it is given
        self._streams: frozenset[str] = frozenset()  # without a child: the streams replayed
        self._child: multiprocessing.process.BaseProcess | None = None
        self._answer: Connection | None = None  # from the child: its outcome
        self._parts: queue.SimpleQueue[_Message] = queue.SimpleQueue()
        self._sender: threading.Thread | None = None
        if "fork" in multiprocessing.get_all_start_methods():
            context: Any = multiprocessing.get_context("fork")
            take_parts, give_parts = context.Pipe(duplex=False)
            _widen(give_parts)
            self._answer, answer = context.Pipe(duplex=False)
            schema = empty_schema()  # the child's empty database: made in it beside the reads, it cost it 20–70 ms
            self._child = context.Process(
                target=_replay_child, args=(url, agency_id, schema, take_parts, answer), daemon=True
            )
            self._child.start()
            take_parts.close()
            answer.close()
            self._sender = threading.Thread(
                target=_hand_over, args=(self._parts, give_parts), name="replay hand-over", daemon=True
            )
            self._sender.start()

    def add(self, part: list[tuple[Place, bytes]]) -> None:
        if self._sender is None:
            self._kept.extend(part)
        else:
            self._parts.put(part)

    def start_applying(self, streams: Collection[str]) -> None:
        """Every entry has been given, of these ``streams``: the child applies them (without a child,
        :meth:`outcome` does) — but an entry that changes the rows of another stream (``stream_changed``)."""
        self._streams = frozenset(streams)
        self._parts.put(self._streams)

    def outcome(self) -> tuple[int, int]:
        """The rows compared and the entries applied; the replay's problem raised as a VerificationError."""
        if self._answer is None:
            kind, payload = _answered(
                lambda: _replay_and_compare(self._url, self._agency_id, lambda: (self._streams, _read_back(self._kept)))
            )
        else:
            try:
                kind, payload = self._answer.recv()
            except EOFError:
                kind, payload = "error", "the replay ended without an answer"
        if kind == "ok" and isinstance(payload, tuple):
            compared, applied = payload
            return int(compared), int(applied)
        if kind == "problem":
            raise VerificationError(str(payload))
        raise VerificationError(f"the replay failed: {payload}")

    def stop(self) -> None:
        if self._child is not None:
            if self._child.is_alive():
                self._child.terminate()  # a hand-over still writing to it fails, and ends
            self._child.join()
        if self._sender is not None:
            self._parts.put(None)  # a hand-over still waiting for parts ends
            self._sender.join()
        if self._answer is not None:
            self._answer.close()


# What the child is handed: a part; the end of the parts, naming the streams replayed; None, to end the hand-over.
_Message = list[tuple[Place, bytes]] | frozenset[str] | None


def _hand_over(parts: queue.SimpleQueue[_Message], child: Connection) -> None:
    """The parts, to the child, as they come, until the end of the parts or of the child."""
    try:
        while True:
            message = parts.get()
            if message is None:
                return
            child.send(message)
            if not isinstance(message, list):
                return
    except OSError:  # the child has ended: it says why in its answer (outcome)
        return
    finally:
        child.close()


def _widen(pipe: Connection) -> None:
    """A pipe that holds a part whole where the system allows (Linux: 1 MiB, from 64 KiB), so that handing it
    over does not wait for the child to finish reading back the part before."""
    try:
        import fcntl  # where there is fork, there is fcntl

        fcntl.fcntl(pipe.fileno(), fcntl.F_SETPIPE_SZ, _PIPE_SIZE)
    except (AttributeError, OSError):  # not Linux, or a lower limit (/proc/sys/fs/pipe-max-size): a slower handover
        pass


def _read_back(placed: Iterable[tuple[Place, bytes]]) -> list[EntryContent]:
    """The entries, read back from their bytes, in the order replay applies them."""
    return [parse_entry(canonical) for _, canonical in sorted(placed)]


def _replay_and_compare(
    url: str, agency_id: uuid.UUID, what: Callable[[], _ToReplay], schema: bytes | None = None
) -> tuple[int, int]:
    """Replay what ``what`` gives — the streams replayed and their entries in log order, asked for once the empty
    database and the live connection are made (a child waits for its parts there) — and compare every row the
    replay writes with the live one; the rows compared and the entries applied."""
    state = ReplayedState(schema=schema)
    engine = create_engine(url)
    try:
        with Session(engine) as live:
            live.connection()
            streams, contents = what()
            state.only = frozenset(streams)
            for content in contents:
                state.apply_content(content)
            state.session.flush()
            return compare_replayed_rows(live, state, agency_id), state.count
    finally:
        state.close()
        engine.dispose()


_ToReplay = tuple[Collection[str], Iterable[EntryContent]]


def _replay_child(url: str, agency_id: uuid.UUID, schema: bytes, parts: Connection, answer: Connection) -> None:
    # What the child inherited is never freed nor changed here: kept out of the collector's passes, its pages stay
    # shared with the parent instead of being copied as the collections touch them.
    gc.freeze()
    try:
        answer.send(_answered(lambda: _replay_and_compare(url, agency_id, lambda: _received(parts), schema)))
    finally:
        answer.close()
        parts.close()


def _received(parts: Connection) -> _ToReplay:
    """The entries of every part, read back as each part comes, in log order once the last has come; and the
    streams they are of, which come after the last part."""
    read: list[tuple[Place, bytes, EntryContent]] = []
    while isinstance(message := parts.recv(), list):
        read.extend((place, canonical, parse_entry(canonical)) for place, canonical in message)
    if not isinstance(message, frozenset):
        raise RuntimeError("the replay was stopped before it was told what to apply")
    read.sort(key=_placed)
    return message, [content for _, _, content in read]


def _answered(replay: Callable[[], tuple[int, int]]) -> tuple[str, tuple[int, int] | str]:
    """The replay's outcome as the verifier hears it: ("ok", (rows compared, entries applied)), ("problem", what
    the replay found wrong) or ("error", what stopped it)."""
    try:
        return "ok", replay()
    except VerificationError as problem:
        return "problem", problem.reason
    except Exception as exc:  # reported by the verifier, which owns the outcome
        return "error", f"{type(exc).__name__}: {exc}"


def _placed(read: tuple[Place, bytes, EntryContent]) -> tuple[Place, bytes]:
    return read[0], read[1]
