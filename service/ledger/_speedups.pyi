from collections.abc import Mapping, Sequence
from typing import Any

def node_hashes(level: bytes, /) -> bytes: ...
def check_entries(
    rows: Sequence[tuple[bytes, bytes, str, int, bytes | None, str]],
    tails: Mapping[tuple[str, str], bytes],
    runs: dict[str, list[Any]],
    closed: list[tuple[str, list[Any]]],
    agency: bytes,
    seq_prefix: bytes,
    before_first: bytes,
    before_prev: bytes,
    then_recorded: bytes,
    instant: int,
    /,
) -> int: ...
