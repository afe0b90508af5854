"""Case work takes turns; the public log's proofs do not wait behind it.

A worker process runs every request it has accepted at once: under a load of case views, a proof a monitor asks
for shares the interpreter with every view in flight and waits as long as all of them together. This pure ASGI
middleware admits at most ``concurrency`` requests of the case routes (``/api/v1/cases…``) at a time in a process;
the others wait, first come first served, before any of their work starts — holding no database connection and
no lock, so a request that holds a lock is always one that runs, and waiting cannot deadlock. A request's body is
read before it waits (bounded by the body limit outside), and its turn ends when its answer starts, so a client
sending or reading slowly holds no turn. Uploads and
printed documents (``exempt``) are not held: they stream, or typeset for seconds, and would stop the views behind
them. Nor is any other request (the ledger's checkpoints and proofs, health checks, the console's pages): a proof
then shares the process with ``concurrency`` case requests, not with all of them.

Throughput is not lost while a few admitted requests keep the process busy (each waits on the database for part
of its time); ``bench/README.md`` has the measurements behind the default.

The case view runs on the event loop itself on PostgreSQL (service/loop_reads.py): its statement awaited, then
a millisecond of work on the row that nothing interrupts. Views queued in a process take turns at that
(``on_the_loop``) — one per pass of the loop, first come first served, the sockets polled between — so that a
request arriving behind a queue of them waits for one view, not for the whole queue.
"""

from __future__ import annotations

import asyncio
import re
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.inputs import read_body

CASE_WORK = re.compile(r"^/api/v1/cases(?:/|$)")


class CaseWorkAdmission:
    def __init__(self, app: ASGIApp, *, concurrency: int, exempt: str, paths: re.Pattern[str] = CASE_WORK) -> None:
        if concurrency < 1:
            raise ValueError(f"at least one case request runs at a time, got {concurrency}")
        self.app = app
        self.concurrency = concurrency
        self.paths = paths
        self.exempt = re.compile(exempt)  # uploads and printed documents: not held (service/main.py)
        # One semaphore per event loop: a process serves from one loop, tests may start several one after another.
        self._turns: dict[asyncio.AbstractEventLoop, asyncio.Semaphore] = {}

    def _semaphore(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        turns = self._turns.get(loop)
        if turns is None:
            self._turns = {k: v for k, v in self._turns.items() if not k.is_closed()}
            turns = self._turns[loop] = asyncio.Semaphore(self.concurrency)
        return turns

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope["path"] if scope["type"] == "http" else ""
        if not self.paths.match(path) or self.exempt.search(path):
            await self.app(scope, receive, send)
            return
        if scope.get("method") not in ("GET", "HEAD"):
            _, receive = await read_body(receive)
        turns = self._semaphore()
        await turns.acquire()
        held = True

        def give_back() -> None:
            nonlocal held
            if held:
                held = False
                turns.release()

        async def send_then_give_back(message: Message) -> None:
            # The turn ends once the answer starts: a client reading slowly holds none.
            if message["type"] == "http.response.start":
                give_back()
            await send(message)

        try:
            await self.app(scope, receive, send_then_give_back)
        finally:
            give_back()


# -- routes that run on the event loop ----------------------------------------------------------------------------

_LOOP_TURNS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = weakref.WeakKeyDictionary()


@asynccontextmanager
async def on_the_loop() -> AsyncIterator[None]:
    """The turn of a route that does its work on the event loop (the case view: its awaited statement, then the
    work on the row, which nothing interrupts).

    The turn is held until the loop's next pass: another such route waiting for it starts a pass later, after
    the loop has polled its sockets and run what became ready, so a request that arrived behind a queue of
    them waits for one of them, not for all. ``asyncio.Lock`` wakes its waiters in order and copes with a waiter
    cancelled (a client gone) before or after it was woken. One lock per event loop (the tests run several)."""
    loop = asyncio.get_running_loop()
    turn = _LOOP_TURNS.get(loop)
    if turn is None:
        turn = _LOOP_TURNS[loop] = asyncio.Lock()
    await turn.acquire()
    try:
        yield
    finally:
        loop.call_soon(turn.release)
