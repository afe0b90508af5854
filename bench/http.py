"""The request path under load: ``caseledger serve --workers 2`` on PostgreSQL with the demo data, driven by
``wrk`` (Debian: ``apt-get install -y wrk``), each kind of request as a ratio to ``GET /healthz`` of the same run.

Kinds: ``GET /healthz`` (the floor of the stack), ``GET /api/v1/cases/{id}`` as the assigned officer over
``--cases`` cases, ``POST …/steps/record_inquiry`` over the same cases, and the public inclusion proof. Each
runs ``--seconds`` at ``--connections`` (throughput) and again at ``--latency-connections`` (latency); the
proofs are also measured on one connection *while* the case-view load runs. Then, on one connection, the cost
of viewing a case with 5 entries of history against one with ``--history`` entries. ``--profile`` runs
pyinstrument over case views and inquiries in-process (the same app, the same database) and prints where the
time goes.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from bench.common import console, print_params, print_table, scratch_postgres
from service.cli import initialise, load_demo_data
from service.config import Settings
from service.policy.calendar import local_date

NAME = "http"
HELP = "wrk against caseledger serve --workers 2 on PostgreSQL: each request kind as a ratio to /healthz"
ROOT = Path(__file__).resolve().parent.parent
INQUIRY = {"place": "当事人家中", "summary": "当事人承认倾倒垃圾", "subject": "当事人"}

# wrk calls request() for every request: each connection walks the list of requests from its own offset.
_LUA = """
local requests = %(requests)s
local counter = 0
local thread_offset = 0
setup = function(thread)
  thread:set("thread_offset", counter * 7)
  counter = counter + 1
end
init = function(args) position = thread_offset end
request = function()
  position = position %% #requests + 1
  local r = requests[position]
  return wrk.format(r[1], r[2], r[3], r[4])
end
done = function(summary, latency, requests)
  local out = io.open("%(out)s", "w")
  out:write(string.format('{"requests": %%d, "seconds": %%f, "p50": %%d, "p90": %%d, "p99": %%d, "errors": %%d, '
    .. '"status": %%d}', summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout, summary.errors.status))
  out:close()
end
"""


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seconds", type=int, default=10, help="each load run")
    parser.add_argument("--connections", type=int, default=32, help="connections of the throughput runs")
    parser.add_argument("--latency-connections", type=int, default=8, help="connections of the latency runs")
    parser.add_argument("--cases", type=int, default=64, help="cases the requests go round")
    parser.add_argument("--history", type=int, default=1000, help="entries of the long case's history")
    parser.add_argument("--views", type=int, default=200, help="single-connection case views at each history")
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="rounds of /healthz and each kind taken in turn: figures are medians over them, ratios with their range",
    )
    parser.add_argument("--profile", action="store_true", help="pyinstrument over case views and inquiries")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


_TICK = os.sysconf("SC_CLK_TCK")


def _cpu_of(pid: int) -> float:
    """User and system CPU seconds of process ``pid`` (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICK


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
    return found


class ServerCpu:
    """CPU seconds spent by the service (``caseledger serve`` and its workers) and by the PostgreSQL backends of
    its database: what a request costs the machine, which the machine's other load does not change as much as it
    changes the rates (wrk's own CPU and the neighbours' are not in it)."""

    def __init__(self, serve_pid: int, url: str) -> None:
        import sqlalchemy as sa

        self.serve_pid = serve_pid
        self.engine = sa.create_engine(url, poolclass=sa.pool.NullPool)

    def _pids(self) -> tuple[list[int], list[int]]:
        """The service's processes, and its database's backends."""
        import sqlalchemy as sa

        with self.engine.connect() as conn:
            backends = conn.execute(
                sa.text(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            ).scalars()
            return [self.serve_pid, *_children(self.serve_pid)], list(backends)

    def snapshot(self) -> dict[int, tuple[float, bool]]:
        """Each process's CPU seconds so far, and whether it is one of the database's backends."""
        service, database = self._pids()
        return {pid: (_cpu_of(pid), pid in database) for pid in [*service, *database]}

    def since(self, before: dict[int, tuple[float, bool]]) -> tuple[float, float]:
        """CPU seconds since ``before``: in all, and the database backends' part of it."""
        after = self.snapshot()
        spent = {pid: (cpu - before.get(pid, (0.0, False))[0], database) for pid, (cpu, database) in after.items()}
        return sum(cpu for cpu, _ in spent.values()), sum(cpu for cpu, database in spent.values() if database)


@contextlib.contextmanager
def _serve(env: dict[str, str]) -> Iterator[tuple[str, int]]:
    port = _free_port()
    # ``python -m service.cli`` from this checkout, not the installed ``caseledger`` script: the run measures
    # the code beside the benchmark.
    process = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "serve", "--workers", "2", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("caseledger serve did not start")
            time.sleep(0.3)
        yield base, process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)


def demo_passwords(settings: Settings) -> dict[str, str]:
    """Set up ``settings``' data directory and database with the demo data (as ``make demo``): the users and their
    passwords."""
    initialise(settings)
    credentials = load_demo_data(settings)
    assert credentials is not None
    return {user: password for user, _, password in credentials}


class Demo:
    """Tokens, officers and cases of the demo agency, made through the API."""

    def __init__(self, base: str, passwords: dict[str, str], http: httpx.Client | None = None) -> None:
        self.http = http if http is not None else httpx.Client(base_url=base, timeout=60)
        self.tokens = {user: self._token(user, password) for user, password in passwords.items()}
        officers = self.http.get("/api/v1/officers", headers=self.auth("head")).json()
        me = self.http.get("/api/v1/auth/me", headers=self.auth("officer2")).json()["user_id"]
        self.second = next(o["id"] for o in officers if o["user_id"] == me)

    def _token(self, user: str, password: str) -> str:
        answer = self.http.post("/api/v1/auth/token", data={"username": user, "password": password})
        answer.raise_for_status()
        return str(answer.json()["access_token"])

    def auth(self, user: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[user]}"}

    def filed_case(self, n: int, occurred_on: date | None = None) -> str:
        """A general case registered and filed today (by the service's clock); the act ``occurred_on`` (default:
        a week before today by this machine's clock)."""
        payload = {
            "procedure": "general",
            "item_code": "CQ-TM-003",
            "title": f"在村道旁倾倒生活垃圾（{n}）",
            "party": {
                "party_type": "individual",
                "name": "张三",
                "id_number": "500228199001011234",
                "phone": "13800000000",
                "address": "重庆市梁平区铁门乡某村三组12号",
            },
            "source_kind": "inspection",
            "source_description": "日常巡查发现",
            # Filing needs the day of the act (第三十六条, the time bar): a week before today.
            "occurred_on": (occurred_on or local_date(datetime.now(UTC)) - timedelta(days=7)).isoformat(),
            "officers": [self.second],
        }
        answer = self.http.post("/api/v1/cases", headers=self.auth("officer1"), json=payload)
        answer.raise_for_status()
        case = str(answer.json()["id"])
        filed = self.http.post(f"/api/v1/cases/{case}/steps/approve_filing", headers=self.auth("head"), json={})
        filed.raise_for_status()  # an unfiled case refuses every inquiry (409): the runs would measure refusals
        return case

    def cases_with_history(self, count: int, history: int) -> tuple[list[str], str, str]:
        """``count`` filed cases, then one with 5 entries of history and one with ``history`` entries."""
        cases = [self.filed_case(n) for n in range(count)]
        short, long = self.filed_case(-1), self.filed_case(-2)
        for _ in range(history - 5):
            self.inquiry(long)
        for _ in range(2):
            self.inquiry(short)
        return cases, short, long

    def inquiry(self, case: str) -> None:
        answer = self.http.post(
            f"/api/v1/cases/{case}/steps/record_inquiry",
            headers=self.auth("officer1"),
            json={"officers": [self.second], "data": INQUIRY},
        )
        answer.raise_for_status()


def _wrk(base: str, requests: list[tuple[str, str, dict[str, str], str | None]], seconds: float, conns: int) -> Any:
    """One wrk run going round ``requests``: its JSON summary (latencies in microseconds)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.json"
        entries = []
        for method, path, headers, body in requests:
            header_lua = "{" + ", ".join(f'["{k}"] = "{v}"' for k, v in headers.items()) + "}"
            body_lua = "nil" if body is None else "[==[" + body + "]==]"
            entries.append(f'{{"{method}", "{path}", {header_lua}, {body_lua}}}')
        script = Path(tmp) / "requests.lua"
        script.write_text(_LUA % {"requests": "{" + ",\n".join(entries) + "}", "out": out})
        threads = max(1, min(2, conns))
        subprocess.run(
            ["wrk", f"-t{threads}", f"-c{conns}", f"-d{max(1, round(seconds))}s", "-s", str(script), base],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        return json.loads(out.read_text())


def _measured(cpu: ServerCpu, run: Any) -> Any:
    """``run()``'s wrk summary with the server's CPU per request added (``cpu_ms``; ``db_ms``: the database's
    backends' part of it)."""
    before = cpu.snapshot()
    result = run()
    spent, database = cpu.since(before)
    result["cpu_ms"] = spent * 1000 / max(1, result["requests"])
    result["db_ms"] = database * 1000 / max(1, result["requests"])
    return result


def _rate(result: Any) -> float:
    return float(result["requests"] / result["seconds"])


def _row(label: str, results: list[Any], floors: list[Any] | None) -> list[str]:
    """One table row: the medians over rounds of each figure; a ratio to ``/healthz`` is taken within each round (the
    two measured minutes apart, not across rounds) and its range shown when there are several."""
    median = statistics.median

    def ratio_cell(ratios: list[float], digits: int) -> str:
        cell = f"{median(ratios):.{digits}f}×"
        return cell if len(ratios) == 1 else f"{cell} ({min(ratios):.{digits}f}–{max(ratios):.{digits}f})"

    rounds = list(zip(results, floors or [None] * len(results), strict=True))
    ratio = "1.00×" if floors is None else ratio_cell([_rate(r) / _rate(f) for r, f in rounds], 3)
    measured_cpu = all("cpu_ms" in r for r in results)
    cpu = (
        f"{median(r['cpu_ms'] for r in results):.2f} ms ({median(r['db_ms'] for r in results):.2f})"
        if measured_cpu
        else ""
    )
    cpu_ratio = (
        ratio_cell([r["cpu_ms"] / f["cpu_ms"] for r, f in rounds], 1)
        if floors is not None and measured_cpu and all("cpu_ms" in f for f in floors)
        else ""
    )
    return [
        label,
        f"{median(_rate(r) for r in results):,.0f}/s",
        ratio,
        cpu,
        cpu_ratio,
        *(f"{median(r[p] for r in results) / 1000:.1f} ms" for p in ("p50", "p90", "p99")),
        str(sum(r["errors"] + r["status"] for r in results)),
    ]


def _paired_views(demo: Demo, cases: tuple[str, str], count: int) -> tuple[list[float], list[float]]:
    """``count`` views of each of two cases on one connection, taken in turn (which goes first alternating), so
    that both see the same machine: on a shared one, two blocks taken one after the other measured the same work
    0.93× to 1.63× apart (stop 31)."""
    seconds: tuple[list[float], list[float]] = ([], [])
    headers = demo.auth("officer1")
    for i in range(count):
        for which in (i % 2, 1 - i % 2):
            began = time.perf_counter()
            demo.http.get(f"/api/v1/cases/{cases[which]}", headers=headers).raise_for_status()
            seconds[which].append(time.perf_counter() - began)
    return seconds


def _profile(settings: Settings, demo: Demo, cases: list[str]) -> None:
    """pyinstrument over case views and inquiries, in-process (the same app on the same database), with the
    work FastAPI sends to its thread pool run in the profiled thread instead, so that every frame is seen."""
    import asyncio
    from unittest import mock

    import fastapi.dependencies.utils
    import fastapi.routing
    from pyinstrument import Profiler

    from service.main import create_app

    async def inline(func: Any, *args: Any, **kwargs: Any) -> Any:
        return func(*args, **kwargs)

    app = create_app(settings=settings)

    async def run(title: str, count: int, method: str, path: str, body: Any) -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:

            async def send(i: int) -> None:
                url = path.format(case=cases[i % len(cases)])
                answer = await client.request(method, url, headers=demo.auth("officer1"), json=body)
                answer.raise_for_status()

            await send(0)  # warm
            profiler = Profiler(interval=0.0005, async_mode="disabled")
            profiler.start()
            for i in range(count):
                await send(i)
            profiler.stop()
        console.rule(f"pyinstrument: {count} × {title}")
        console.print(profiler.output_text(unicode=True, color=False, time="percent_of_total"))

    import service.cases.router
    import service.ledger.router

    with (
        mock.patch.object(fastapi.routing, "run_in_threadpool", inline),
        mock.patch.object(fastapi.dependencies.utils, "run_in_threadpool", inline),
        mock.patch.object(service.cases.router, "run_in_threadpool", inline),
        mock.patch.object(service.ledger.router, "run_in_threadpool", inline),
    ):
        asyncio.run(run("GET a case as its officer", 300, "GET", "/api/v1/cases/{case}", None))
        asyncio.run(
            run(
                "POST record_inquiry",
                150,
                "POST",
                "/api/v1/cases/{case}/steps/record_inquiry",
                {"officers": [demo.second], "data": INQUIRY},
            )
        )


def main(args: argparse.Namespace) -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("bench http needs wrk: apt-get install -y wrk")
    print_params(
        "http: caseledger serve --workers 2, PostgreSQL, demo data, wrk",
        {
            "seconds": args.seconds,
            "connections": args.connections,
            "latency connections": args.latency_connections,
            "cases": args.cases,
            "history": args.history,
            "rounds": args.rounds,
        },
    )
    with scratch_postgres("http") as url, tempfile.TemporaryDirectory(prefix="cl_bench_http_") as tmp:
        data = Path(tmp)
        settings = Settings(data_dir=data, database_url=url)
        passwords = demo_passwords(settings)
        env = {**os.environ, "CASELEDGER_DATA_DIR": str(data), "CASELEDGER_DATABASE_URL": url}
        with _serve(env) as (base, serve_pid):
            cpu = ServerCpu(serve_pid, url)
            demo = Demo(base, {u: passwords[u] for u in ("officer1", "officer2", "head")})
            began = time.perf_counter()
            cases, short, long = demo.cases_with_history(args.cases, args.history)
            console.print(
                f"  {args.cases + 2} cases filed, {args.history} entries on one, in {time.perf_counter() - began:.0f} s"
            )
            view = [("GET", f"/api/v1/cases/{c}", demo.auth("officer1"), None) for c in cases]
            body = json.dumps({"officers": [demo.second], "data": INQUIRY}, ensure_ascii=False)
            officer = {**demo.auth("officer1"), "Content-Type": "application/json"}
            inquire = [("POST", f"/api/v1/cases/{c}/steps/record_inquiry", officer, body) for c in cases]
            proofs = [
                ("GET", f"/api/v1/agencies/tiemen/ledger/proof/inclusion?index={i}", {}, None) for i in range(0, 40)
            ]
            health = [("GET", "/healthz", {}, None)]
            rows = []
            kinds = [
                ("GET a case as its officer", view),
                ("POST record_inquiry", inquire),
                ("GET inclusion proof", proofs),
            ]
            for conns in (args.connections, args.latency_connections):

                def run(requests: Any, conns: int = conns) -> Any:
                    return _measured(cpu, lambda: _wrk(base, requests, args.seconds, conns))

                # Round after round, /healthz then each kind: each ratio is of two runs minutes apart at most.
                floors: list[Any] = []
                measured: dict[str, list[Any]] = {label: [] for label, _ in kinds}
                for _ in range(args.rounds):
                    floors.append(run(health))
                    for label, requests in kinds:
                        measured[label].append(run(requests))
                rows.append(_row(f"GET /healthz, {conns} connections", floors, None))
                rows.extend(_row(f"{label}, {conns}", measured[label], floors) for label, _ in kinds)
            # proofs on one connection while the case views load the server; and /healthz the same way, what any
            # request through the thread pool gets beside them
            beside: dict[str, list[Any]] = {"proof": [], "healthz": []}
            for _ in range(args.rounds):
                for which, requests in (("proof", proofs), ("healthz", health)):
                    loader = threading.Thread(target=lambda: _wrk(base, view, args.seconds, args.connections))
                    loader.start()
                    time.sleep(0.5)
                    beside[which].append(_wrk(base, requests, args.seconds - 1, 1))
                    loader.join()
            rows.append(_row("GET inclusion proof, 1 connection, beside the case views", beside["proof"], floors))
            rows.append(_row("GET /healthz, 1 connection, beside the case views", beside["healthz"], floors))
            cpu.engine.dispose()
            print_table(
                "requests through the API (ratio: to /healthz at the same connections, same run; CPU/req: the "
                "service's processes and its database's backends, per request — in brackets the backends' part)",
                ["request", "req/s", "× /healthz", "CPU/req", "CPU × /healthz", "p50", "p90", "p99", "errors/non-2xx"],
                rows,
            )
            at5, at_long = _paired_views(demo, (short, long), args.views)
            m5, m_long = statistics.median(at5), statistics.median(at_long)
            print_table(
                "one connection: the case view's cost against its history",
                ["case", "median", "p99", "× 5 entries"],
                [
                    ["5 entries", f"{m5 * 1e3:.2f} ms", f"{sorted(at5)[int(0.99 * len(at5))] * 1e3:.2f} ms", "1.00×"],
                    [
                        f"{args.history} entries",
                        f"{m_long * 1e3:.2f} ms",
                        f"{sorted(at_long)[int(0.99 * len(at_long))] * 1e3:.2f} ms",
                        f"{m_long / m5:.2f}×",
                    ],
                ],
            )
            if args.profile:
                _profile(settings, demo, cases)
