"""Instructions per request, counted by valgrind's callgrind: a figure that does not move with the machine's load.

On a shared machine the rates of ``bench http`` move ±15 % between identical runs, and even the CPU seconds per
request ±25 % (other tenants share the caches and the cores): a change worth 5 % cannot be seen there. Callgrind
counts the instructions the service's process executes, the same for the same code and the same data, whatever
else runs (``bench/README.md``: two runs of the same code 1 % apart).

The service runs in one process under callgrind (``create_app`` on PostgreSQL with the demo data, without its
background integrator), driven through ASGI directly — no HTTP server, no client library: what is counted is the
application (middlewares, routing, dependencies, endpoint, the thread-pool hop, SQLAlchemy and psycopg), not
PostgreSQL's backend, not uvicorn's parsing. The data is made beforehand outside callgrind: ``--cases`` filed
cases, one with ``--history`` entries. Each kind is warmed with ``--warm`` requests, then ``--requests`` are
counted between two dumps (``callgrind_control -d``). Kinds: ``GET /healthz`` (the floor), the case view as its
officer, ``record_inquiry``, a public inclusion proof, and the case view of a case with 5 entries and of one with
``--history``. Printed: instructions per request and the ratio to ``/healthz`` (the issue's "× /healthz", here
in work done rather than in rate). Needs valgrind (Debian: ``apt-get install -y valgrind``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import console, print_params, print_table, scratch_postgres
from bench.http import INQUIRY
from service.config import Settings

NAME = "instructions"
HELP = "instructions per request under callgrind (repeatable on a busy machine), each kind × /healthz"
KINDS = ("healthz", "view", "inquiry", "proof", "view_short", "view_long")
_LABELS = {
    "healthz": "GET /healthz",
    "view": "GET a case as its officer",
    "inquiry": "POST record_inquiry",
    "proof": "GET inclusion proof",
    "view_short": "GET a case with 5 entries",
    "view_long": "GET a case with --history entries",
}


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--cases", type=int, default=16, help="cases the views and inquiries go round")
    parser.add_argument("--history", type=int, default=1000, help="entries of the long case's history")
    parser.add_argument("--warm", type=int, default=10, help="requests of each kind before counting")
    parser.add_argument("--requests", type=int, default=30, help="requests of each kind counted")
    parser.add_argument("--worker", help=argparse.SUPPRESS)  # the process callgrind runs: a JSON plan


# -- the process under callgrind ---------------------------------------------------------------------------------


async def _asgi(app: Any, method: str, path: str, headers: dict[str, str], body: bytes = b"") -> tuple[int, bytes]:
    """One request straight through the ASGI interface, as a server hands it over."""
    raw_path, _, query = path.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": raw_path,
        "raw_path": raw_path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()]
        + [(b"host", b"bench"), (b"content-length", str(len(body)).encode())],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    sent = False
    status = 0
    chunks: list[bytes] = []

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.sleep(3600)  # no disconnect while the answer is built
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return status, b"".join(chunks)


def _dump(label: str) -> None:
    subprocess.run(["callgrind_control", "-d", label, str(os.getpid())], check=True, capture_output=True)


def _worker(plan_json: str) -> None:
    from service.main import create_app

    plan = json.loads(plan_json)
    settings = Settings(data_dir=Path(plan["data_dir"]), database_url=plan["url"], run_integrator=False)
    app = create_app(settings=settings)
    officer = {"Authorization": f"Bearer {plan['token']}"}
    posting = {**officer, "Content-Type": "application/json"}
    inquiry = json.dumps({"officers": [plan["second"]], "data": INQUIRY}, ensure_ascii=False).encode()
    cases = plan["cases"]
    kinds: dict[str, Callable[[int], tuple[str, str, dict[str, str], bytes]]] = {
        "healthz": lambda i: ("GET", "/healthz", {}, b""),
        "view": lambda i: ("GET", f"/api/v1/cases/{cases[i % len(cases)]}", officer, b""),
        "inquiry": lambda i: ("POST", f"/api/v1/cases/{cases[i % len(cases)]}/steps/record_inquiry", posting, inquiry),
        "proof": lambda i: ("GET", f"/api/v1/agencies/tiemen/ledger/proof/inclusion?index={i % 40}", {}, b""),
        "view_short": lambda i: ("GET", f"/api/v1/cases/{plan['short']}", officer, b""),
        "view_long": lambda i: ("GET", f"/api/v1/cases/{plan['long']}", officer, b""),
    }

    async def run() -> None:
        for kind in KINDS:
            make = kinds[kind]
            for i in range(plan["warm"]):
                status, answer = await _asgi(app, *make(i))
                if status != 200:
                    raise SystemExit(f"{kind}: {status} {answer[:300]!r}")
            _dump(f"before_{kind}")
            for i in range(plan["requests"]):
                await _asgi(app, *make(plan["warm"] + i))
            _dump(f"counted_{kind}")

    asyncio.run(run())


# -- the benchmark -------------------------------------------------------------------------------------------------


def _prepare(settings: Settings, args: argparse.Namespace) -> dict[str, Any]:
    """The demo data, the cases and their history, entries integrated and a checkpoint signed: made at full speed,
    outside callgrind. What the counted process needs to know of it."""
    from fastapi.testclient import TestClient

    from bench.http import Demo, demo_passwords
    from service.ledger.runner import IntegratorRunner
    from service.main import create_app

    passwords = demo_passwords(settings)
    app = create_app(settings=settings)
    with TestClient(app) as client:
        demo = Demo("http://bench", {u: passwords[u] for u in ("officer1", "officer2", "head")}, http=client)
        cases, short, long = demo.cases_with_history(args.cases, args.history)
        runtime = app.state.runtime
        IntegratorRunner(runtime.database, runtime.signers, runtime.checkpoints, runtime.clock).run_once(
            force_checkpoint=True
        )
        return {
            "url": settings.database_url,
            "data_dir": str(settings.data_dir),
            "token": demo.tokens["officer1"],
            "second": demo.second,
            "cases": cases,
            "short": short,
            "long": long,
            "warm": args.warm,
            "requests": args.requests,
        }


_TOTALS = re.compile(r"^(?:summary|totals):\s+(\d+)", re.MULTILINE)


def _counted(out_dir: Path) -> dict[str, int]:
    """Instructions of each kind's counted requests: the dump made after them (callgrind zeroes its counters at
    every dump, so a dump holds what ran since the one before)."""
    found = {}
    for path in out_dir.glob("callgrind.out.*"):
        text = path.read_text(errors="replace")
        label = re.search(r"^desc: Trigger: .*?counted_(\w+)", text, re.MULTILINE)
        totals = _TOTALS.search(text)
        if label and totals:
            found[label.group(1)] = int(totals.group(1))
    return found


def main(args: argparse.Namespace) -> None:
    if args.worker:
        _worker(args.worker)
        return
    if shutil.which("valgrind") is None or shutil.which("callgrind_control") is None:
        console.print("instructions: skipped — needs valgrind (Debian: apt-get install -y valgrind)")
        return
    print_params(
        "instructions: callgrind over the app in one process, PostgreSQL, demo data, driven through ASGI",
        {"cases": args.cases, "history": args.history, "warm": args.warm, "requests": args.requests},
    )
    with scratch_postgres("instructions") as url, tempfile.TemporaryDirectory(prefix="cl_bench_instr_") as tmp:
        data = Path(tmp) / "data"
        plan = _prepare(Settings(data_dir=data, database_url=url), args)
        out = Path(tmp) / "callgrind"
        out.mkdir()
        subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                f"--callgrind-out-file={out}/callgrind.out.%p",
                sys.executable,
                "-m",
                "bench",
                NAME,
                "--worker",
                json.dumps(plan),
            ],
            check=True,
            cwd=Path(__file__).resolve().parent.parent,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        counted = _counted(out)
    missing = [k for k in KINDS if k not in counted]
    if missing:
        raise SystemExit(f"callgrind left no count for {missing}")
    per = {k: counted[k] / args.requests for k in KINDS}
    floor = per["healthz"]
    rows = [[_LABELS[k], f"{per[k] / 1e6:.2f} M", f"{per[k] / floor:.1f}×"] for k in KINDS]
    rows.append(["case view, --history entries × 5 entries", "", f"{per['view_long'] / per['view_short']:.3f}×"])
    print_table(
        "instructions per request (the application's process; not PostgreSQL's)",
        ["request", "instructions", "× /healthz"],
        rows,
    )
