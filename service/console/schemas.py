"""What the console keeps between requests."""

from __future__ import annotations

from pydantic import BaseModel


class Recorded(BaseModel):
    """What the console keeps of an idempotent answer: the object made."""

    id: str
