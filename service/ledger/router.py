"""``/api/v1/agencies/{agency}/ledger``: checkpoints, verifier key, entries and proofs.

These paths, fields and formats are a contract with outside verifiers. Checkpoint, verifier key and proofs
are public (they carry only hashes and signatures, like a transparency log); entries are for the agency's
supervisors and admins.
"""

from __future__ import annotations

import base64
import time
import uuid
from collections.abc import Callable
from functools import partial
from typing import Annotated, TypeVar

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, PlainTextResponse

from service.agencies.service import agency_id_by_code, get_agency_by_code, known_agency_id
from service.auth.deps import PUBLIC, ReadSession, RuntimeDep, requires
from service.auth.permissions import Permission
from service.auth.principal import Principal
from service.db import Database
from service.errors import InvalidInput, NotFound
from service.inputs import INT64_MAX
from service.ledger import service as ledger
from service.ledger.runner import IntegratorRunner
from service.ledger.schemas import (
    ConsistencyProofOut,
    EntriesPage,
    EntryOut,
    EntryProofOut,
    InclusionProofOut,
)
from service.runtime import runtime_of

T = TypeVar("T")

router = APIRouter(prefix="/api/v1/agencies/{agency}/ledger", tags=["ledger"])


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


# The public routes below read append-only rows with one statement each (Database.statements): no transaction,
# no dependency that would cost the request a trip through the thread pool of its own. The reads a monitor and
# every verifier ask for most (the checkpoint, the proofs) take the runtime from the request rather than as a
# dependency: each dependency FastAPI solves costs a request (RequiresInStatement).


@router.get("/checkpoint", response_class=PlainTextResponse, dependencies=[PUBLIC])
def get_checkpoint(agency: str, request: Request) -> PlainTextResponse:
    """The latest signed checkpoint (C2SP signed note)."""
    with runtime_of(request).database.statements() as session:
        return PlainTextResponse(ledger.checkpoint_note(session, agency_id_by_code(session, agency)).note)


@router.post("/checkpoint", response_class=PlainTextResponse)
def sign_checkpoint_now(
    agency: str,
    request: Request,
    runtime: RuntimeDep,
    principal: Principal = requires(Permission.LEDGER_CHECKPOINT),
) -> PlainTextResponse:
    """Integrate every pending entry and sign a checkpoint now."""
    principal.require_agency(agency)
    runner = request.app.state.integrator or IntegratorRunner(
        runtime.database, runtime.signers, runtime.checkpoints, runtime.clock
    )
    runner.run_once(force_checkpoint=True, agency_id=principal.agency_id)
    with runtime.database.transaction(write=False) as session:
        return PlainTextResponse(ledger.checkpoint_note(session, principal.agency_id).note)


@router.get("/vkey", response_class=PlainTextResponse, dependencies=[PUBLIC])
def get_vkey(agency: str, runtime: RuntimeDep) -> PlainTextResponse:
    """The verifier key of the agency's checkpoints (C2SP vkey)."""
    with runtime.database.statements() as session:
        return PlainTextResponse(get_agency_by_code(session, agency).checkpoint_vkey + "\n")


@router.get("/entries", response_model=EntriesPage)
def list_entries(
    agency: str,
    session: ReadSession,
    start: Annotated[int, Query(ge=0, le=INT64_MAX)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    principal: Principal = requires(Permission.LEDGER_READ),
) -> EntriesPage:
    """Entries of the agency's log in index order, with the exact bytes that were hashed."""
    principal.require_agency(agency)
    page = ledger.entries_page(session, principal.agency_id, start, limit + 1)
    items = [
        EntryOut(
            index=item.index,
            stream=item.entry.stream,
            stream_seq=item.entry.stream_seq,
            type=item.entry.type,
            actor=item.entry.actor,
            claimed_at=item.entry.claimed_at.isoformat(),
            recorded_at=item.entry.recorded_at.isoformat(),
            prev_hash=b64(item.entry.prev_hash) if item.entry.prev_hash else None,
            leaf_hash=b64(item.entry.entry_hash),
            canonical=b64(item.entry.canonical),
        )
        for item in page[:limit]
    ]
    return EntriesPage(items=items, next=page[limit].index if len(page) > limit else None)


@router.get("/proof/inclusion", response_model=InclusionProofOut, dependencies=[PUBLIC])
async def get_inclusion_proof(
    agency: str,
    request: Request,
    index: Annotated[int, Query(ge=0, le=INT64_MAX)],
    size: Annotated[int | None, Query(ge=1, le=INT64_MAX)] = None,
) -> JSONResponse:
    """RFC 9162 inclusion proof of leaf ``index`` in the tree of ``size`` (default: latest checkpoint)."""
    answer = await _proved(
        runtime_of(request).database, agency, partial(ledger.inclusion_steps, index=index, size=size)
    )
    return _inclusion_json(answer)


def _inclusion_json(answer: ledger.InclusionAnswer) -> JSONResponse:
    # Built directly (the shape is InclusionProofOut): proofs are asked for often and answered in milliseconds.
    return JSONResponse(
        {
            "index": answer.index,
            "size": answer.size,
            "root": b64(answer.root),
            "leaf_hash": b64(answer.leaf_hash),
            "proof": [b64(h) for h in answer.proof],
        }
    )


@router.get("/proof/entry", response_model=EntryProofOut, dependencies=[PUBLIC])
def get_entry_proof(
    agency: str,
    request: Request,
    runtime: RuntimeDep,
    leaf_hash: Annotated[str, Query(min_length=44, max_length=44, description="the entry's hash (base64)")],
    wait_ms: Annotated[int, Query(ge=0, le=5000, description="wait at most this long for the entry's log index")] = 0,
) -> EntryProofOut:
    """Where an entry is in the log and its inclusion proof — waiting, boundedly, for the integrator to place it."""
    try:
        leaf = base64.b64decode(leaf_hash, validate=True)
    except ValueError:
        raise InvalidInput("leaf_hash is not base64", "leaf_hash 不是有效的 base64") from None
    deadline = time.monotonic() + wait_ms / 1000
    runner = request.app.state.integrator
    while True:
        with runtime.database.transaction(write=False) as session:
            found = get_agency_by_code(session, agency)
            answer = ledger.prove_entry(session, found.id, leaf)
        if answer is None:
            raise NotFound("no entry with this hash", "没有该哈希的记录")
        if answer.index is not None or time.monotonic() >= deadline:
            break
        if runner is not None:
            runner.wake()
        else:
            IntegratorRunner(runtime.database, runtime.signers, runtime.checkpoints, runtime.clock).run_once(
                agency_id=found.id
            )
        time.sleep(0.02)
    return EntryProofOut(
        leaf_hash=leaf_hash,
        index=answer.index,
        size=answer.size,
        root=b64(answer.root),
        signed=answer.signed,
        proof=[b64(h) for h in answer.proof],
    )


@router.get("/proof/consistency", response_model=ConsistencyProofOut, dependencies=[PUBLIC])
async def get_consistency_proof(
    agency: str,
    request: Request,
    size1: Annotated[int, Query(alias="from", ge=1, le=INT64_MAX)],
    size2: Annotated[int | None, Query(alias="to", ge=1, le=INT64_MAX)] = None,
) -> JSONResponse:
    """RFC 9162 consistency proof between tree sizes ``from`` and ``to`` (default: latest checkpoint)."""
    database = runtime_of(request).database
    answer = await _proved(database, agency, partial(ledger.consistency_steps, size1=size1, size2=size2))
    return JSONResponse(
        {
            "size1": answer.size1,
            "size2": answer.size2,
            "root1": b64(answer.root1),
            "root2": b64(answer.root2),
            "proof": [b64(h) for h in answer.proof],
        }
    )


async def _proved(database: Database, agency: str, steps_for: Callable[[uuid.UUID], ledger.ProofSteps[T]]) -> T:
    """A proof of the agency's log, ``steps_for`` its id: on PostgreSQL on the event loop, its reads awaited on the
    loop's connection (service/loop_reads.py) — no turn taken, its work between them a fraction of a millisecond —
    once the agency's id is known in this process; otherwise (SQLite, the first proof) in the thread pool."""
    reads = database.loop_reads
    agency_id = None if reads is None else known_agency_id(str(database.writer.url), agency)
    if reads is not None and agency_id is not None:
        return await ledger.answered_on_loop(reads, steps_for(agency_id))
    return await run_in_threadpool(_proved_in_thread, database, agency, steps_for)


def _proved_in_thread(database: Database, agency: str, steps_for: Callable[[uuid.UUID], ledger.ProofSteps[T]]) -> T:
    with database.statements() as session:
        return ledger.answered(session, steps_for(agency_id_by_code(session, agency)))
