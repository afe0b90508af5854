"""The agency log through the API: entries, checkpoints, verifier key and proofs an outside verifier checks."""

from __future__ import annotations

import asyncio
import base64
import itertools
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from service.agencies.service import agency_id_by_code
from service.ledger import router as ledger_router
from service.ledger import service as ledger_service
from service.ledger.canonical import parse_entry
from service.ledger.merkle import leaf_hash, root_of, verify_consistency, verify_inclusion
from service.ledger.note import NoteVerifier, open_checkpoint
from service.runtime import Runtime
from tests.conftest import thread_pool_calls

Auth = Callable[[str], dict[str, str]]


def b64d(text: str) -> bytes:
    return base64.b64decode(text)


def all_entries(client: TestClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    start: int | None = 0
    while start is not None:
        page = client.get(f"/api/v1/agencies/tiemen/ledger/entries?start={start}&limit=5", headers=headers).json()
        items += page["items"]
        start = page["next"]
    return items


def test_entries_are_gap_free_and_each_carries_the_exact_hashed_bytes(
    client: TestClient, auth: Auth, append_probe: Callable[..., Any], integrate: Callable[..., Any]
) -> None:
    for n in range(7):
        append_probe(stream=f"probe-{n % 2}", n=n)
    integrate()
    entries = all_entries(client, auth("supervisor"))
    assert [e["index"] for e in entries] == list(range(len(entries)))
    for entry in entries:
        canonical = b64d(entry["canonical"])
        assert leaf_hash(canonical) == b64d(entry["leaf_hash"])
        content = parse_entry(canonical)
        assert (content.stream, content.seq, content.type) == (entry["stream"], entry["stream_seq"], entry["type"])
    assert entries[0]["type"] == "agency:agency:created"


def test_every_stream_is_a_hash_chain(
    client: TestClient, auth: Auth, append_probe: Callable[..., Any], integrate: Callable[..., Any]
) -> None:
    for n in range(4):
        append_probe(stream="chain", n=n)
    integrate()
    chain = [e for e in all_entries(client, auth("supervisor")) if e["stream"] == "chain"]
    assert [e["stream_seq"] for e in chain] == [0, 1, 2, 3]
    assert chain[0]["prev_hash"] is None
    for before, after in itertools.pairwise(chain):
        assert after["prev_hash"] == before["leaf_hash"]


def test_the_checkpoint_is_a_signed_note_that_verifies_with_the_published_vkey(client: TestClient) -> None:
    note = client.get("/api/v1/agencies/tiemen/ledger/checkpoint")
    vkey = client.get("/api/v1/agencies/tiemen/ledger/vkey")
    assert note.headers["content-type"].startswith("text/plain")
    assert vkey.headers["content-type"].startswith("text/plain")
    checkpoint = open_checkpoint(note.text, NoteVerifier.from_vkey(vkey.text.strip()), origin="caseledger.local/tiemen")
    assert checkpoint.size >= 1


def test_inclusion_and_consistency_proofs_verify_against_signed_checkpoints(
    client: TestClient, auth: Auth, append_probe: Callable[..., Any], integrate: Callable[..., Any]
) -> None:
    verifier = NoteVerifier.from_vkey(client.get("/api/v1/agencies/tiemen/ledger/vkey").text.strip())
    old = open_checkpoint(
        client.get("/api/v1/agencies/tiemen/ledger/checkpoint").text, verifier, "caseledger.local/tiemen"
    )
    for n in range(9):
        append_probe(n=n)
    signed = client.post("/api/v1/agencies/tiemen/ledger/checkpoint", headers=auth("supervisor"))
    assert signed.status_code == 200
    new = open_checkpoint(signed.text, verifier, "caseledger.local/tiemen")
    assert new.size == old.size + 9

    proof = client.get(f"/api/v1/agencies/tiemen/ledger/proof/consistency?from={old.size}&to={new.size}").json()
    assert set(proof) == {"size1", "size2", "root1", "root2", "proof"}
    assert b64d(proof["root1"]) == old.root
    assert b64d(proof["root2"]) == new.root
    verify_consistency(old.size, new.size, [b64d(h) for h in proof["proof"]], old.root, new.root)

    for entry in all_entries(client, auth("supervisor")):
        answer = client.get(f"/api/v1/agencies/tiemen/ledger/proof/inclusion?index={entry['index']}").json()
        assert answer["size"] == new.size
        assert answer["leaf_hash"] == entry["leaf_hash"]
        verify_inclusion(
            b64d(entry["leaf_hash"]), entry["index"], new.size, [b64d(h) for h in answer["proof"]], new.root
        )


def test_every_proof_of_a_growing_log_verifies_against_the_root_of_its_own_leaves(
    client: TestClient, auth: Auth, append_probe: Callable[..., Any]
) -> None:
    """Proofs at the latest checkpoint, at a checkpoint that has just been superseded (the size proofs last
    defaulted to is only a hint of which nodes to read), and at sizes no checkpoint has: each against the RFC 9162
    root of its first leaves, computed here from the entries."""
    base = "/api/v1/agencies/tiemen/ledger"
    for round_ in range(2):
        for n in range(5):
            append_probe(n=n, round=round_)
        signed = client.post(f"{base}/checkpoint", headers=auth("supervisor"))
        assert signed.status_code == 200
        leaves = [b64d(entry["leaf_hash"]) for entry in all_entries(client, auth("supervisor"))]
        latest = len(leaves)
        sizes = sorted({1, 2, 3, *range(max(1, latest - 7), latest + 1)})
        for size in sizes:
            root = root_of(leaves[:size])
            for index in sorted({0, 1, size // 2, *range(max(0, size - 6), size)} & set(range(size))):
                asked = "" if size == latest else f"&size={size}"
                answer = client.get(f"{base}/proof/inclusion?index={index}{asked}").json()
                assert (answer["size"], b64d(answer["root"])) == (size, root)
                verify_inclusion(leaves[index], index, size, [b64d(h) for h in answer["proof"]], root)
            to = "" if size == latest else f"&to={size}"
            for old in sorted({1, 2, size // 2, *range(max(1, size - 6), size + 1)} & set(range(1, size + 1))):
                answer = client.get(f"{base}/proof/consistency?from={old}{to}").json()
                assert (b64d(answer["root1"]), b64d(answer["root2"])) == (root_of(leaves[:old]), root)
                verify_consistency(old, size, [b64d(h) for h in answer["proof"]], root_of(leaves[:old]), root)


def test_proofs_across_the_strata_of_the_stored_tree_verify(
    client: TestClient, auth: Auth, append_probe: Callable[..., Any]
) -> None:
    """The database keeps the leaves and every fourth level of nodes (nodes.py); proofs at sizes either side of
    16, 32 and 64 leaves, for every leaf, fold the others from them and verify against the leaves' own root."""
    base = "/api/v1/agencies/tiemen/ledger"
    while len(leaves := [b64d(e["leaf_hash"]) for e in all_entries(client, auth("supervisor"))]) < 70:
        for n in range(70 - len(leaves)):
            append_probe(n=n)
        assert client.post(f"{base}/checkpoint", headers=auth("supervisor")).status_code == 200
    latest = len(leaves)
    for size in (15, 16, 17, 31, 32, 33, 63, 64, 65, latest):
        root = root_of(leaves[:size])
        for index in range(size):
            answer = client.get(f"{base}/proof/inclusion?index={index}&size={size}").json()
            verify_inclusion(leaves[index], index, size, [b64d(h) for h in answer["proof"]], root)
        for old in range(1, size + 1, 1 if size == latest else 7):
            answer = client.get(f"{base}/proof/consistency?from={old}&to={size}").json()
            verify_consistency(old, size, [b64d(h) for h in answer["proof"]], root_of(leaves[:old]), root)


def test_proofs_outside_the_log_are_422(client: TestClient) -> None:
    assert client.get("/api/v1/agencies/tiemen/ledger/proof/inclusion?index=99999").status_code == 422
    assert client.get("/api/v1/agencies/tiemen/ledger/proof/inclusion?index=0&size=99999").status_code == 422
    assert client.get("/api/v1/agencies/tiemen/ledger/proof/consistency?from=5&to=2").status_code == 422
    assert client.get("/api/v1/agencies/tiemen/ledger/proof/consistency?from=0").status_code == 422


def test_signing_a_checkpoint_on_demand_needs_the_permission_in_that_agency(client: TestClient, auth: Auth) -> None:
    path = "/api/v1/agencies/tiemen/ledger/checkpoint"
    assert client.post(path).status_code == 401
    assert client.post(path, headers=auth("officer1")).status_code == 403
    assert client.post(path, headers=auth("other-supervisor")).status_code == 404
    assert client.post(path, headers=auth("admin")).status_code == 200


def test_an_entry_is_written_with_its_state_change_or_not_at_all(
    client: TestClient, auth: Auth, runtime: Any, integrate: Callable[..., Any]
) -> None:
    admin = auth("admin")
    before = len(all_entries(client, auth("supervisor")))
    refused = client.post(
        "/api/v1/users", headers=admin, json={"username": "officer1", "roles": ["officer"], "password": "x" * 16}
    )
    assert refused.status_code == 409  # username taken: nothing written
    created = client.post(
        "/api/v1/users", headers=admin, json={"username": "new-officer", "roles": ["officer"], "password": "y" * 16}
    )
    assert created.status_code == 201
    integrate()
    entries = all_entries(client, auth("supervisor"))
    assert [e["type"] for e in entries[before:]] == ["agency:user:created", "agency:user:password_set"]


def test_a_caller_waits_boundedly_for_its_entrys_place_and_proof(
    client: TestClient, auth: Auth, append_probe: Callable[..., Any], integrate: Callable[..., Any]
) -> None:
    recorded = append_probe(stream="waiting", n=1)
    leaf = base64.b64encode(recorded.entry_hash).decode()
    url = "/api/v1/agencies/tiemen/ledger/proof/entry"
    pending = client.get(url, params={"leaf_hash": leaf}).json()
    assert pending["index"] is None
    placed = client.get(url, params={"leaf_hash": leaf, "wait_ms": 2000}).json()
    assert placed["index"] is not None  # placed by the integrator within the wait
    verify_inclusion(
        recorded.entry_hash, placed["index"], placed["size"], [b64d(h) for h in placed["proof"]], b64d(placed["root"])
    )
    integrate(force_checkpoint=True)
    sealed = client.get(url, params={"leaf_hash": leaf}).json()
    assert sealed["signed"] is True
    checkpoint = client.get("/api/v1/agencies/tiemen/ledger/checkpoint").text
    assert f"\n{sealed['size']}\n{sealed['root']}\n" in checkpoint
    unknown = base64.b64encode(bytes(32)).decode()
    assert client.get(url, params={"leaf_hash": unknown}).status_code == 404


def test_on_postgresql_proofs_are_answered_on_the_event_loop_the_same_as_in_the_thread_pool(
    client: TestClient,
    auth: Auth,
    append_probe: Callable[..., Any],
    runtime: Runtime,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Its reads awaited on the loop's own connection (service/loop_reads.py), once the process knows the agency's
    id; the first proof of a process, and every proof on SQLite, in the thread pool. The same answers, checkpoint
    after checkpoint (the size proofs last defaulted to being only a hint of the nodes to read)."""
    base = "/api/v1/agencies/tiemen/ledger"
    hops = thread_pool_calls(monkeypatch, ledger_router)
    on_loop = runtime.database.loop_reads is not None

    def asked(path: str) -> Any:
        hops.clear()
        answer = client.get(f"{base}/{path}")
        assert answer.status_code == 200, answer.text
        assert hops == ([] if on_loop else ["_proved_in_thread"])
        return answer.json()

    def pooled(prove: Callable[..., Any], *args: Any) -> dict[str, Any]:
        with runtime.database.statements() as session:
            answer = prove(session, agency_id_by_code(session, "tiemen"), *args)
        encoded = {k: base64.b64encode(v).decode() if isinstance(v, bytes) else v for k, v in vars(answer).items()}
        return {**encoded, "proof": [base64.b64encode(h).decode() for h in answer.proof]}

    for round_ in range(3):
        for n in range(4):
            append_probe(n=n, round=round_)
        assert client.post(f"{base}/checkpoint", headers=auth("supervisor")).status_code == 200
        size = len(all_entries(client, auth("supervisor")))
        if round_ == 0:  # the agency's id looked up once in this process (in the pool on PostgreSQL too)
            assert client.get(f"{base}/proof/inclusion?index=0").status_code == 200
        for index in range(size):
            assert asked(f"proof/inclusion?index={index}") == pooled(ledger_service.prove_inclusion, index, None)
        for old in range(1, size + 1):
            assert asked(f"proof/consistency?from={old}") == pooled(ledger_service.prove_consistency, old, None)


def test_proofs_asked_at_once_on_one_event_loop_each_get_their_own_answer(
    client: TestClient, auth: Auth, append_probe: Callable[..., Any], runtime: Runtime
) -> None:
    """Sixty proofs in flight together on one loop share its one connection (PostgreSQL): each statement is sent
    and read to its end before the next (service/loop_reads.py), and every answer is the proof it asked for."""
    base = "/api/v1/agencies/tiemen/ledger"
    for n in range(9):
        append_probe(n=n)
    assert client.post(f"{base}/checkpoint", headers=auth("supervisor")).status_code == 200
    leaves = [b64d(entry["leaf_hash"]) for entry in all_entries(client, auth("supervisor"))]
    assert client.get(f"{base}/proof/inclusion?index=0").status_code == 200  # the agency's id looked up once
    root = root_of(leaves)

    async def at_once() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=client.app)
        try:
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as together:
                return await asyncio.gather(
                    *(together.get(f"{base}/proof/inclusion?index={i % len(leaves)}") for i in range(60))
                )
        finally:
            if runtime.database.loop_reads is not None:
                await runtime.database.loop_reads.close()

    for i, answer in enumerate(asyncio.run(at_once())):
        assert answer.status_code == 200, answer.text
        index = i % len(leaves)
        assert answer.json()["index"] == index
        verify_inclusion(leaves[index], index, len(leaves), [b64d(h) for h in answer.json()["proof"]], root)
