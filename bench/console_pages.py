"""The console's pages: time per page on the demo agency with ``--cases`` cases registered and filed.

Each page is requested ``--rounds`` times through Starlette's TestClient (in process, no network), signed in as
the role whose page it is; the time is the wall time of the whole request as the client sees it, so it includes
the test client's own work and is an upper bound of the server's time. The issue asks for under 50 ms at the
95th percentile on the demo data.
"""

from __future__ import annotations

import argparse
import re
import statistics
import time
import uuid

from fastapi.testclient import TestClient

from bench.common import console, data_dir, print_params, print_table
from service.clock import SystemClock
from service.config import Settings
from service.db import Database
from service.demo import DEMO_USERS, seed_agency
from service.migrations import upgrade_to_head
from service.officers.policy import load_officer_policy
from service.runtime import Runtime

NAME = "console"
HELP = "time per console page (p50, p95) on the demo agency"
PASSWORD = "bench password, long enough"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--cases", type=int, default=30, help="cases registered and filed before measuring")
    parser.add_argument("--rounds", type=int, default=40, help="requests per page")


def _sign_in(client: TestClient, username: str) -> str:
    page = client.get("/login")
    token = page.text.split('name="signin_token" value="')[1].split('"')[0]
    answer = client.post(
        "/login",
        files={"username": (None, username), "password": (None, PASSWORD), "signin_token": (None, token)},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    found = CSRF.search(client.get("/").text)
    assert found is not None
    return found.group(1)


def main(args: argparse.Namespace) -> None:
    from service.main import create_app

    print_params("console pages", {"cases": args.cases, "rounds": args.rounds, "database": "SQLite"})
    with data_dir() as data:
        url = f"sqlite:///{data / 'bench.sqlite3'}"
        upgrade_to_head(url)
        settings = Settings(data_dir=data, database_url=url, run_integrator=False)
        database = Database(url)
        with database.transaction() as session:
            seed_agency(
                session,
                code="tiemen",
                name="铁门乡人民政府",
                users=DEMO_USERS,
                password=PASSWORD,
                keys_dir=settings.keys_dir,
                policies_dir=settings.policies_dir,
                officer_policy=load_officer_policy(settings.policies_dir / "officers.yaml"),
                origin_base=settings.log_origin_base,
                actor="system:bench",
                at=SystemClock().now(),
            )
        database.dispose()
        runtime = Runtime.build(settings)
        app = create_app(runtime)
        officer, head, supervisor, admin = TestClient(app), TestClient(app), TestClient(app), TestClient(app)
        officer_csrf, head_csrf = _sign_in(officer, "officer1"), _sign_in(head, "head")
        _sign_in(supervisor, "supervisor")
        _sign_in(admin, "admin")
        page = officer.get("/cases/new?item=CQ-TM-003").text
        second = re.search(r'name="officers" value="([0-9a-f-]{36})"', page)
        assert second is not None
        case_id = ""
        for n in range(args.cases):
            fields = {
                "csrf": officer_csrf,
                "item_code": "CQ-TM-003",
                "title": f"基准案件{n}",
                "party_type": "individual",
                "party_name": "王某",
                "officers": second.group(1),
                "idempotency_key": uuid.uuid4().hex,
            }
            made = officer.post("/cases/new", files={k: (None, v) for k, v in fields.items()}, follow_redirects=False)
            case_id = made.headers["location"].rsplit("/", 1)[-1]
            step = head.get(f"/cases/{case_id}/steps/approve_filing").text
            hidden = dict(re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', step))
            head.post(
                f"/cases/{case_id}/steps/approve_filing",
                files={k: (None, v) for k, v in (hidden | {"csrf": head_csrf}).items()},
                follow_redirects=False,
            )
        pages = [
            ("officer home", officer, "/"),
            ("head home (approvals)", head, "/"),
            ("supervisor home", supervisor, "/"),
            ("case", officer, f"/cases/{case_id}"),
            ("step form (record_inquiry)", officer, f"/cases/{case_id}/steps/record_inquiry"),
            ("new case with item", officer, "/cases/new?item=CQ-TM-003"),
            ("history", supervisor, f"/cases/{case_id}/history"),
            ("public items", TestClient(app), "/public/tiemen/items"),
            ("supervisor: all cases", supervisor, "/audit"),
            ("supervisor: overdue cases", supervisor, "/audit/overdue"),
            ("supervisor: unpublished decisions", supervisor, "/audit/publicity"),
            ("supervisor: certificates to review", supervisor, "/audit/certificates"),
            ("supervisor: yearly figures", supervisor, "/reports/yearly"),
            ("supervisor: file review", supervisor, "/reports/file-review"),
            ("supervisor: a case's documents", supervisor, f"/cases/{case_id}/documents"),
            ("admin: users", admin, "/admin/users"),
            ("admin: signing keys", admin, "/admin/keys"),
            ("admin: catalogue versions", admin, "/admin/catalogue"),
            ("admin: calendar", admin, "/admin/calendar"),
            ("admin: settings", admin, "/admin/settings"),
        ]
        rows = []
        for name, client, path in pages:
            first = client.get(path)
            assert first.status_code == 200, path
            samples = []
            for _ in range(args.rounds):
                started = time.perf_counter()
                answer = client.get(path)
                samples.append(time.perf_counter() - started)
                # every timed answer is the page itself, not a redirect to sign in or a refusal
                assert answer.status_code == 200, (path, answer.status_code)
                assert len(answer.content) >= len(first.content) // 2, path
            ordered = sorted(samples)
            p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
            rows.append((name, f"{statistics.median(ordered) * 1e3:.1f} ms", f"{p95 * 1e3:.1f} ms"))
        print_table("time per page (TestClient, wall)", ("page", "p50", "p95"), rows)
        runtime.database.dispose()
    console.print("figures are upper bounds of the server's time: they include the test client's work")
