"""Case requests take turns in a worker process; the ledger's proofs, health checks and uploads do not wait behind
them; a request's body is read before it waits (service/admission.py)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from service.admission import CaseWorkAdmission, on_the_loop
from service.main import NOT_HELD_PATHS


class Held:
    """An app whose requests run until released, counting how many run at once."""

    def __init__(self) -> None:
        self.running = 0
        self.most = 0
        self.release = asyncio.Event()
        self.bodies: list[bytes] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        self.running += 1
        self.most = max(self.most, self.running)
        try:
            if scope["method"] == "POST":
                self.bodies.append((await receive())["body"])
            await self.release.wait()
            await send({"type": "http.response.start", "status": 200, "headers": []})
        finally:
            self.running -= 1


def _scope(path: str, method: str = "GET") -> dict[str, Any]:
    return {"type": "http", "method": method, "path": path, "headers": []}


async def _no_body() -> dict[str, Any]:
    return {"type": "http.request", "body": b"", "more_body": False}


async def _send(message: dict[str, Any]) -> None:
    return None


async def _settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0)


def test_at_most_the_configured_number_of_case_requests_run_at_once_and_the_rest_wait_their_turn() -> None:
    async def scenario() -> None:
        app = Held()
        admission = CaseWorkAdmission(app, concurrency=2, exempt=NOT_HELD_PATHS)
        paths = ["/api/v1/cases", "/api/v1/cases/1", "/api/v1/cases/2/steps/record_inquiry", "/api/v1/cases/3"]
        tasks = [asyncio.create_task(admission(_scope(p), _no_body, _send)) for p in paths]
        await _settle()
        assert app.running == 2
        app.release.set()
        await asyncio.gather(*tasks)
        assert app.most == 2

    asyncio.run(scenario())


def test_a_proof_a_health_check_an_upload_and_a_printed_document_are_not_held_behind_case_requests() -> None:
    async def scenario() -> None:
        app = Held()
        admission = CaseWorkAdmission(app, concurrency=1, exempt=NOT_HELD_PATHS)
        case = asyncio.create_task(admission(_scope("/api/v1/cases/1"), _no_body, _send))
        others = [
            "/api/v1/agencies/tiemen/ledger/proof/inclusion",
            "/healthz",
            "/api/v1/cases/1/evidence",  # uploads stream to disk as they arrive
            "/api/v1/cases/1/documents/penalty_decision",  # typesetting takes seconds
            "/console/cases/1",
            "/api/v1/casesx",  # not a case path
        ]
        tasks = [asyncio.create_task(admission(_scope(p), _no_body, _send)) for p in others]
        await _settle()
        assert app.running == 1 + len(others)
        app.release.set()
        await asyncio.gather(case, *tasks)

    asyncio.run(scenario())


def test_a_body_sent_slowly_holds_no_turn_and_reaches_the_app_whole() -> None:
    async def scenario() -> None:
        app = Held()
        admission = CaseWorkAdmission(app, concurrency=1, exempt=NOT_HELD_PATHS)
        arrived = asyncio.Event()
        chunks = [{"type": "http.request", "body": b'{"data":', "more_body": True}]

        async def slow() -> dict[str, Any]:
            if chunks:
                return chunks.pop(0)
            await arrived.wait()
            return {"type": "http.request", "body": b"{}}", "more_body": False}

        slow_step = asyncio.create_task(admission(_scope("/api/v1/cases/1/steps/x", "POST"), slow, _send))
        view = asyncio.create_task(admission(_scope("/api/v1/cases/2"), _no_body, _send))
        await _settle()
        assert app.running == 1  # the view runs while the step's body is still arriving
        arrived.set()
        app.release.set()
        await asyncio.gather(slow_step, view)
        assert app.bodies == [b'{"data":']  # the app reads the messages as they came, the first one first

    asyncio.run(scenario())


def test_a_waiting_request_starts_when_a_turn_frees_even_if_the_one_before_it_failed() -> None:
    async def scenario() -> None:
        calls: list[str] = []

        async def failing(scope: dict[str, Any], receive: Any, send: Any) -> None:
            calls.append(scope["path"])
            if scope["path"].endswith("/1"):
                raise RuntimeError("boom")

        admission = CaseWorkAdmission(failing, concurrency=1, exempt=NOT_HELD_PATHS)
        with pytest.raises(RuntimeError):
            await admission(_scope("/api/v1/cases/1"), _no_body, _send)
        await asyncio.wait_for(admission(_scope("/api/v1/cases/2"), _no_body, _send), timeout=5)
        assert calls == ["/api/v1/cases/1", "/api/v1/cases/2"]

    asyncio.run(scenario())


def test_the_turn_ends_when_the_answer_starts_so_a_slow_reader_holds_none() -> None:
    async def scenario() -> None:
        reading = asyncio.Event()
        started: list[str] = []

        async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
            started.append(scope["path"])
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"{}"})

        async def slow_send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.body":
                await reading.wait()  # the client does not read

        admission = CaseWorkAdmission(app, concurrency=1, exempt=NOT_HELD_PATHS)
        slow = asyncio.create_task(admission(_scope("/api/v1/cases/1"), _no_body, slow_send))
        await _settle()
        await asyncio.wait_for(admission(_scope("/api/v1/cases/2"), _no_body, _send), timeout=5)
        assert started == ["/api/v1/cases/1", "/api/v1/cases/2"]
        reading.set()
        await slow

    asyncio.run(scenario())


def test_at_least_one_case_request_runs_at_a_time() -> None:
    with pytest.raises(ValueError):
        CaseWorkAdmission(Held(), concurrency=0, exempt=NOT_HELD_PATHS)


# -- routes on the event loop -------------------------------------------------------------------------------------


def test_routes_on_the_loop_take_turns_one_per_pass_so_a_request_behind_a_queue_of_them_waits_for_one() -> None:
    """Five case views arrive at once; while the first runs, another request's data arrives (a callback made
    ready, as the loop's reading of a socket is). It runs before the second view, not after the fifth; the views
    run in the order they came."""

    async def scenario() -> None:
        order: list[str] = []
        loop = asyncio.get_running_loop()

        async def view(n: int) -> None:
            async with on_the_loop():
                order.append(f"view {n}")
                if n == 0:
                    loop.call_soon(order.append, "another request")

        await asyncio.gather(*(view(n) for n in range(5)))
        assert order.index("another request") < order.index("view 1"), order
        assert [o for o in order if o.startswith("view")] == [f"view {n}" for n in range(5)]

    asyncio.run(scenario())


def test_a_route_on_the_loop_that_fails_or_is_cancelled_while_waiting_gives_up_its_turn() -> None:
    async def scenario() -> None:
        done: list[int] = []

        async def view(n: int) -> None:
            async with on_the_loop():
                if n == 0:
                    raise RuntimeError("the first view failed")
                done.append(n)

        failing = asyncio.create_task(view(0))
        waiting = [asyncio.create_task(view(n)) for n in (1, 2, 3)]
        await asyncio.sleep(0)
        waiting[0].cancel()  # its client went away while it waited
        await asyncio.wait_for(asyncio.gather(*waiting, return_exceptions=True), timeout=5)
        with pytest.raises(RuntimeError):
            await failing
        assert done == [2, 3]

    asyncio.run(scenario())
