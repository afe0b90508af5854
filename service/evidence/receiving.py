"""Receiving an evidence file over HTTP, the same way for the API and the console: everything that does not need
the file is checked first (so a refused upload stores nothing), then the body is streamed to the store outside
any transaction (a slow upload holds no lock), hashed as it comes, and refused beyond the size limit or if empty."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from starlette.concurrency import run_in_threadpool

from service import idempotency
from service.auth.principal import Principal
from service.cases import service as cases
from service.errors import InvalidInput, PayloadTooLarge
from service.evidence import service as evidence_service
from service.evidence.store import EvidenceEmpty, EvidenceStore, EvidenceTooLarge, StoredFile
from service.runtime import Runtime


@dataclass(frozen=True)
class Received:
    stored: StoredFile
    media_type: str

    def fingerprint(self, path: str, query: Sequence[tuple[str, str]]) -> str:
        """What a retry must repeat: the query and the file's content (the body is not kept, its hash is)."""
        return idempotency.fingerprint(
            "POST", path, {"query": sorted(query), "sha256": self.stored.sha256, "media_type": self.media_type}
        )


async def receive_evidence(
    runtime: Runtime,
    principal: Principal,
    case_id: uuid.UUID,
    *,
    kind: str,
    officers: Sequence[uuid.UUID],
    claimed_at: datetime | None,
    idempotency_key: str | None,
    body: AsyncIterator[bytes],
    content_type: str | None,
) -> Received:
    policy = runtime.case_context.case_policy

    def admissible() -> None:
        with runtime.database.transaction(write=False) as session:
            case = cases.get_case(session, principal, policy, case_id)  # 404 before a byte of someone else's case
            if idempotency_key is not None and idempotency.answered(session, principal.user_id, idempotency_key):
                return  # a retry: the first answer is returned whatever the case has become since
            evidence_service.check_collection(
                session,
                runtime.case_context,
                principal,
                case,
                kind=kind,
                officers=list(officers),
                claimed_at=claimed_at,
                now=runtime.clock.now(),
            )

    await run_in_threadpool(admissible)
    store = EvidenceStore(runtime.settings.evidence_dir)
    try:
        stored = await store.save_stream(body, runtime.settings.max_upload_bytes)
    except EvidenceTooLarge as exc:
        raise PayloadTooLarge(f"evidence larger than {exc.limit} bytes", f"证据文件超过 {exc.limit} 字节") from None
    except EvidenceEmpty:
        # A file of no bytes proves nothing: recorded, it would read as evidence collected where none was.
        raise InvalidInput("the evidence file is empty: nothing was recorded", "证据文件为空，未予记录") from None
    return Received(stored, (content_type or "application/octet-stream")[:100])
