"""The API's request and response models of ledger: what its routes take and answer."""

from __future__ import annotations

from pydantic import BaseModel


class EntryOut(BaseModel):
    index: int
    stream: str
    stream_seq: int
    type: str
    actor: str
    claimed_at: str
    recorded_at: str
    prev_hash: str | None
    leaf_hash: str
    canonical: str


class EntriesPage(BaseModel):
    items: list[EntryOut]
    next: int | None


class InclusionProofOut(BaseModel):
    index: int
    size: int
    root: str
    leaf_hash: str
    proof: list[str]


class ConsistencyProofOut(BaseModel):
    size1: int
    size2: int
    root1: str
    root2: str
    proof: list[str]


class EntryProofOut(BaseModel):
    leaf_hash: str
    index: int | None
    size: int
    root: str
    signed: bool
    proof: list[str]
