"""The API's request and response models of reviews: what its routes take and answer."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from service.inputs import Line, Paragraph

_STRICT = ConfigDict(extra="forbid")


class ReviewOut(BaseModel):
    review_id: str
    frozen_seq: int
    frozen_head: str
    draft: dict[str, Any]
    requested_at: str
    taken_by: str | None = None
    checks: dict[str, Any] | None = None
    opinion: str | None = None
    comment: str | None = None
    signed: bool = False
    stale: list[str] = Field(default_factory=list, description="entry types recorded after the frozen head")


class OpinionIn(BaseModel):
    model_config = _STRICT
    checks: dict[Line, dict[Line, Paragraph]] = Field(
        description="the ten checks, each {result: passed|problem, comment}"
    )
    opinion: Literal["agree", "problems_found"]
    comment: Paragraph = Field(default="", max_length=4000)


class SignatureIn(BaseModel):
    model_config = _STRICT
    key_id: Line = Field(min_length=16, max_length=16)
    signature: Line = Field(min_length=1, max_length=200, description="base64 Ed25519 signature of the statement")


class StatementOut(BaseModel):
    statement: str = Field(description="base64 of the exact bytes to sign")
    content: dict[str, Any] = Field(description="the same statement, decoded, for people to read")
