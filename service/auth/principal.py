"""Who is acting: an authenticated user of one agency, with the permissions of their roles.

A plain value, outside the web layer: services take it as an argument and never import FastAPI or the runtime
to learn who acts (service/auth/deps.py builds it from a request's token).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from service.auth.permissions import Permission
from service.errors import NotFound


@dataclass(frozen=True)
class Principal:
    """An authenticated user of one agency, with the permissions of their roles."""

    user_id: uuid.UUID
    username: str
    display_name: str
    agency_id: uuid.UUID
    agency_code: str
    roles: tuple[str, ...]
    permissions: frozenset[Permission]
    token_id: uuid.UUID
    token_expires_at: datetime

    @property
    def actor(self) -> str:
        """How this user is named in ledger entries."""
        return f"user:{self.user_id}"

    def has(self, permission: Permission) -> bool:
        return permission in self.permissions

    def require_agency(self, agency_code: str) -> None:
        """Nobody reads another agency's data; it answers as if it did not exist."""
        if agency_code != self.agency_code:
            raise NotFound(f"no agency {agency_code!r}", f"执法主体 {agency_code!r} 不存在")
