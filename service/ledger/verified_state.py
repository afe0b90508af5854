"""What a monitor trusts between two runs of ``caseledger verify``: the last verified checkpoint of one agency's
log, the tree's frontier at it, and the head of every stream at it. Kept in a file the operator holds, never in
the database it checks (whoever rewrote the database could rewrite it too). Pure: no database, no web.

The file is JSON (``caseledger.verified-state/v1``); on reading, everything in it is held to the rest: the
checkpoint is a note signed by the key the caller trusts for the agency's origin, its size and root are those
stored beside it, and the frontier folds to that root. The stream heads cannot be checked against anything
here: they are the operator's record of what was verified.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from service.ledger.errors import VerificationError
from service.ledger.merkle import EMPTY_ROOT, HASH_SIZE, frontier_nodes, range_hash
from service.ledger.note import NoteVerifier, open_checkpoint

FORMAT = "caseledger.verified-state/v1"


class StateFileError(Exception):
    """The state file is missing, unreadable, or not a state this agency's log and key can have produced."""


@dataclass(frozen=True)
class VerifiedState:
    agency: str
    origin: str
    size: int
    root: bytes
    checkpoint: str  # the signed note at ``size``
    frontier: list[bytes]  # hashes of merkle.frontier_nodes(size), left to right
    streams: dict[str, tuple[int, bytes]] = field(default_factory=dict)  # stream -> (length, last hash) at size

    def to_json(self) -> str:
        return json.dumps(
            {
                "format": FORMAT,
                "agency": self.agency,
                "origin": self.origin,
                "size": self.size,
                "root": _b64(self.root),
                "checkpoint": self.checkpoint,
                "frontier": [_b64(h) for h in self.frontier],
                "streams": {s: [n, _b64(h)] for s, (n, h) in sorted(self.streams.items())},
            },
            ensure_ascii=False,
            indent=1,
        )


def _b64(value: bytes) -> str:
    return base64.b64encode(value).decode("ascii")


def _hash(value: Any, what: str) -> bytes:
    if not isinstance(value, str):
        raise StateFileError(f"{what} is not a base64 string")
    try:
        raw = base64.b64decode(value, validate=True)
    except binascii.Error:
        raise StateFileError(f"{what} is not base64") from None
    if len(raw) != HASH_SIZE:
        raise StateFileError(f"{what} is not a {HASH_SIZE}-byte hash")
    return raw


def parse_state(text: str, *, agency: str, origin: str, trusted: NoteVerifier) -> VerifiedState:
    """The state in ``text``, held to the agency, its log's origin and the trusted checkpoint key."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise StateFileError(f"not JSON ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise StateFileError(f"not a {FORMAT} file")
    if data.get("agency") != agency or data.get("origin") != origin:
        raise StateFileError(f"the state is of {data.get('agency')!r} ({data.get('origin')!r}), not of {agency!r}")
    size, streams, frontier = data.get("size"), data.get("streams"), data.get("frontier")
    if type(size) is not int or size < 0 or not isinstance(streams, dict) or not isinstance(frontier, list):
        raise StateFileError("size, frontier or streams are missing or malformed")
    root = _hash(data.get("root"), "root")
    note = data.get("checkpoint")
    if not isinstance(note, str):
        raise StateFileError("the checkpoint is missing")
    try:
        checkpoint = open_checkpoint(note, trusted, origin=origin)
    except VerificationError as exc:
        raise StateFileError(f"its checkpoint does not verify with the trusted key: {exc.reason}") from None
    if (checkpoint.size, checkpoint.root) != (size, root):
        raise StateFileError("its size or root differ from its signed checkpoint")
    hashes = [_hash(h, "a frontier hash") for h in frontier]
    if len(hashes) != len(frontier_nodes(size)) or (range_hash(hashes) if hashes else EMPTY_ROOT) != root:
        raise StateFileError("its frontier does not fold to the checkpoint's root")
    heads: dict[str, tuple[int, bytes]] = {}
    for stream, head in streams.items():
        if not (isinstance(head, list) and len(head) == 2 and type(head[0]) is int and head[0] > 0):
            raise StateFileError(f"the head of stream {stream!r} is malformed")
        heads[stream] = (head[0], _hash(head[1], f"the head of stream {stream!r}"))
    return VerifiedState(agency, origin, size, root, note, hashes, heads)


def read_state(path: Path, *, agency: str, origin: str, trusted: NoteVerifier) -> VerifiedState:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise StateFileError(
            f"{path} does not exist: a full run writes it (`caseledger verify --agency {agency} --save-state {path}`)"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise StateFileError(f"cannot read {path}: {exc}") from None
    try:
        return parse_state(text, agency=agency, origin=origin, trusted=trusted)
    except StateFileError as exc:
        raise StateFileError(f"{path}: {exc}") from None


def write_state(path: Path, state: VerifiedState) -> None:
    """Replace ``path`` with ``state`` at once (a new file renamed over it, mode 0600): a run that stops half
    way leaves the previous state whole."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as out:
            out.write(state.to_json())
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
