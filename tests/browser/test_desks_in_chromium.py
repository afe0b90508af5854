"""The supervisor's, the reviewer's and the admin's desks in headless Chromium: every page checked by axe-core and
photographed at 390×844 and 1366×768 (var/screenshots/, not committed); the reviewer sees the evidence framed
beside the file, the supervisor reads a document with a reason, and the admin's refusal shows its rule."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from service.auth.models import User
from tests.cases.driver import Cases
from tests.cases.test_reviews import major_case

from .conftest import DESKTOP, PHONE, BrowserErrors, LiveServer, new_context
from .pages import case_entry_types, serious_violations, sign_in

pytestmark = pytest.mark.browser

SIZES = (("390x844", PHONE), ("1366x768", DESKTOP))


def _png() -> bytes:
    """A 4×4 grey PNG: a real image for the evidence frame to show."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + b"\x80" * 4 for _ in range(4))
    header = struct.pack(">IIBBBBB", 4, 4, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def _auth(server: LiveServer) -> Callable[[str], dict[str, str]]:
    runtime = server.runtime

    def headers(username: str) -> dict[str, str]:
        with runtime.database.transaction(write=False) as session:
            found = session.execute(sa.select(User.id, User.token_version).where(User.username == username)).one()
        return {
            "Authorization": f"Bearer {runtime.tokens.issue(found.id, found.token_version, runtime.clock.now()).token}"
        }

    return headers


def _case_under_review(server: LiveServer) -> tuple[str, str, str]:
    """A major case (an organisation, a 100,000 yuan fine) with a photo, its prior notice issued, and its legal
    review requested: (case id, review id, evidence id). Driven through the API, as the officers' phones would."""
    with httpx.Client(base_url=server.url, timeout=60) as client:
        cases = Cases(client, _auth(server), server.clock)  # type: ignore[arg-type]
        case = major_case(cases, server.clock)  # type: ignore[arg-type]
        photo = client.post(
            f"/api/v1/cases/{case['id']}/evidence",
            params={
                "kind": "audio_visual",
                "description": "现场照片",
                "filename": "现场照片.png",
                "officers": [cases.officer("officer2")],
            },
            content=_png(),
            headers={**cases.auth("officer1"), "Content-Type": "image/png"},
        )
        assert photo.status_code == 201, photo.text
        issued = client.post(f"/api/v1/cases/{case['id']}/documents/prior_notice/issue", headers=cases.auth("officer1"))
        assert issued.status_code == 201, issued.text
        requested = cases.step(case, "request_legal_review", data={"materials": "调查终结报告、证据目录"})
        return case["id"], requested["file"]["reviews"][-1]["review_id"], photo.json()["id"]


def _look(page: Any, url: str, name: str, screenshots: Path, size: str) -> list[str]:
    page.goto(url)
    assert page.locator("h1").count() == 1, url
    assert "built-in method" not in page.content(), url  # a word looked up as a dict's method (t.keys)
    page.screenshot(path=str(screenshots / f"{name}-{size}.png"), full_page=True)
    return serious_violations(page)


def test_the_desks_pass_axe_at_phone_and_desktop_sizes(
    live_server: LiveServer, chromium: Any, screenshots: Path, page_errors: BrowserErrors
) -> None:
    base, runtime = live_server.url, live_server.runtime
    case_id, review_id, evidence_id = _case_under_review(live_server)
    desks = {
        "supervisor": [
            ("/audit", "supervisor-audit"),
            ("/audit/overdue", "supervisor-overdue"),
            ("/audit/publicity", "supervisor-unpublished"),
            ("/audit/certificates", "supervisor-certificates"),
            ("/reports/yearly", "supervisor-yearly"),
            ("/reports/file-review", "supervisor-file-review"),
            (f"/cases/{case_id}/documents", "supervisor-documents"),
        ],
        "reviewer": [(f"/cases/{case_id}/reviews/{review_id}", "reviewer-desk")],
        "admin": [
            ("/admin/users", "admin-users"),
            ("/admin/keys", "admin-keys"),
            ("/admin/catalogue", "admin-catalogue"),
            ("/admin/calendar", "admin-calendar"),
            ("/admin/settings", "admin-settings"),
        ],
    }
    violations: list[str] = []
    for role, pages in desks.items():
        for size_name, size in SIZES:
            context = new_context(chromium, size)
            page = context.new_page()
            sign_in(page, base, role, live_server.password)
            for path, name in pages:
                violations += _look(page, base + path, name, screenshots, size_name)
            context.close()

    # The reviewer sees the photo beside the file, in a frame that runs nothing and is served for this console only.
    context = new_context(chromium, DESKTOP)
    page = context.new_page()
    sign_in(page, base, "reviewer", live_server.password)
    served: list[tuple[str, int, str]] = []
    page.on(
        "response",
        lambda r: (
            served.append((r.url, r.status, r.headers.get("content-security-policy", ""))) if "/view" in r.url else None
        ),
    )
    page.goto(f"{base}/cases/{case_id}/reviews/{review_id}")
    frame = page.locator("iframe.evidence-frame")
    assert frame.count() == 1
    assert frame.get_attribute("sandbox") == ""
    frame.scroll_into_view_if_needed()
    page.frame_locator("iframe.evidence-frame").locator("img").wait_for()
    view = f"{base}/cases/{case_id}/evidence/{evidence_id}/view"
    assert [(url, status) for url, status, _ in served] == [(view, 200)]
    assert "sandbox" in served[0][2]
    assert "frame-ancestors 'self'" in served[0][2]
    assert page.frame_locator("iframe.evidence-frame").locator("img").evaluate("i => i.naturalWidth") == 4
    context.close()

    # The supervisor reads the issued notice with a reason: the download happens and the read is on the chain.
    context = new_context(chromium, DESKTOP)
    page = context.new_page()
    sign_in(page, base, "supervisor", live_server.password)
    page.goto(f"{base}/cases/{case_id}/documents")
    page.fill("#reason-1", "监督检查")
    with page.expect_download() as download:
        page.click("#documents button[type=submit]")
    assert download.value.suggested_filename.endswith(".pdf")
    assert case_entry_types(runtime, case_id)[-1] == "case:personal_data:disclosed"
    context.close()

    # The admin's refusal is shown with its rule, and nothing is written.
    for size_name, size in SIZES:
        context = new_context(chromium, size)
        page = context.new_page()
        sign_in(page, base, "admin", live_server.password)
        page.goto(f"{base}/admin/users")
        page.fill("#new-username", f"dual-{size_name}")
        page.fill("#new-password", "a long enough pass 1")
        page.check("#new-role-admin")
        page.check("#new-role-officer")
        page_errors.expect_refusal(r"/admin/users", 409)  # the refusal page this step provokes
        page.click("#add-user button[type=submit]")
        alert = page.locator("[role=alert]")
        alert.wait_for()
        page.screenshot(path=str(screenshots / f"admin-refused-{size_name}.png"), full_page=True)
        violations += serious_violations(page)
        context.close()
    with runtime.database.transaction(write=False) as session:
        assert session.scalar(sa.select(sa.func.count()).where(User.username.like("dual-%"))) == 0
    assert not violations, "\n".join(violations)
