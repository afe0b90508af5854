from collections.abc import Mapping, Sequence
from typing import Any

def node_hashes(level: bytes, /) -> bytes: ...
def check_entries(
    rows: Sequence[tuple[Any, ...]],
    tails: Mapping[tuple[str, str], bytes],
    runs: dict[str, list[Any]],
    closed: list[tuple[str, list[Any]]],
    records: bytearray | None,
    agency: bytes,
    seq_prefix: bytes,
    before_first: bytes,
    before_prev: bytes,
    then_recorded: bytes,
    instant: int,
    /,
) -> int: ...
def record_fields(records: bytes, width: int, offset: int, size: int, /) -> bytes: ...
def sort_records(records: bytes, width: int, /) -> bytes: ...
def same_records(a_parts: Sequence[bytes], b_parts: Sequence[bytes], width: int, /) -> bool: ...
