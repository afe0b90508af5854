"""One general-procedure case walked through the console alone, in headless Chromium: the officer on a phone-sized
screen, the head at a desk, an act recorded offline and replayed once, the supervisor's timeline; every page
checked by axe-core; each role's home photographed at 390×844 and 1366×768 (var/screenshots/, not committed)."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from service.agencies.models import Agency
from service.clock import SystemClock
from service.ledger.runner import IntegratorRunner
from service.policy.calendar import local_date

from .conftest import DESKTOP, PHONE, BrowserErrors, LiveServer, new_context
from .pages import case_entry_types, serious_violations, sign_in

pytestmark = pytest.mark.browser

ROLES = ("officer1", "head", "reviewer", "supervisor", "admin")
CASE_PAGE = re.compile(r".*/cases/([0-9a-f-]{36})$")


def _wait_for(condition: Any, seconds: float = 180, said: Any = None) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting" + (f": {said()}" if said is not None else ""))
        time.sleep(0.1)


def test_each_roles_home_at_phone_and_desktop_sizes(live_server: LiveServer, chromium: Any, screenshots: Path) -> None:
    violations: list[str] = []
    for role in ROLES:
        for size_name, size in (("390x844", PHONE), ("1366x768", DESKTOP)):
            context = new_context(chromium, size)
            page = context.new_page()
            sign_in(page, live_server.url, role, live_server.password)
            page.screenshot(path=str(screenshots / f"home-{role}-{size_name}.png"), full_page=True)
            assert page.locator("h1").count() == 1
            violations += serious_violations(page)
            context.close()
    page = new_context(chromium, PHONE).new_page()
    for path in (
        "/login",
        "/public/tiemen/items",
        "/public/tiemen/officers",
        "/public/tiemen/decisions",
        "/public/tiemen/documents",
    ):
        page.goto(live_server.url + path)
        violations += serious_violations(page)
    page.screenshot(path=str(screenshots / "public-decisions-390x844.png"), full_page=True)
    assert not violations, "\n".join(violations)


def test_a_general_case_through_the_console(
    live_server: LiveServer, chromium: Any, screenshots: Path, page_errors: BrowserErrors
) -> None:
    base, runtime, password = live_server.url, live_server.runtime, live_server.password
    violations: list[str] = []
    phone = new_context(chromium, PHONE)
    officer = phone.new_page()
    sign_in(officer, base, "officer1", password)

    # Register a case against a catalogue item: its legal basis and discretion are shown as it is chosen.
    officer.click("text=登记案件 >> nth=0")
    officer.select_option("#item", "CQ-TM-003")
    officer.wait_for_url(re.compile(r".*item=CQ-TM-003"))
    assert officer.locator("text=违法依据与处罚依据").is_visible()
    assert officer.locator("text=裁量基准 >> nth=0").is_visible()
    violations += serious_violations(officer)
    officer.fill("#title", "在村道旁倾倒生活垃圾")
    officer.fill("#party_name", "张三")
    officer.fill("#id_number", "500228199001011234")
    officer.fill("#occurred_on", local_date(SystemClock().now()).isoformat())  # filing needs the day of the act
    officer.check("label:has-text('李娜')")
    officer.screenshot(path=str(screenshots / "officer-new-case-390x844.png"), full_page=True)
    officer.click("form[action='/cases/new'][method=post] button[type=submit]")
    officer.wait_for_url(CASE_PAGE)
    found = CASE_PAGE.match(officer.url)
    assert found is not None
    case_id = found.group(1)
    assert officer.locator("#case-state").inner_text() == "案件来源已登记"
    violations += serious_violations(officer)
    assert case_entry_types(runtime, case_id) == ["case:case:registered"]

    # The head approves the filing from the approvals waiting, at a desk.
    desk = new_context(chromium, DESKTOP)
    head = desk.new_page()
    sign_in(head, base, "head", password)
    assert head.locator("#approvals-h").is_visible()
    head.click(f"a[href='/cases/{case_id}/steps/approve_filing']")
    violations += serious_violations(head)
    head.click("form.step button[type=submit]")
    head.wait_for_url(CASE_PAGE)
    assert "铁门" in head.locator("h1").inner_text()  # the case number the filing gave, e.g. 铁门罚〔2026〕1号
    assert case_entry_types(runtime, case_id)[-1] == "case:filing:approved"

    # An inquiry with an officer not certified for the item: greyed, and refused with the article on the page.
    officer.goto(f"{base}/cases/{case_id}")
    officer.click(f"a[href='/cases/{case_id}/steps/record_inquiry']")
    assert officer.locator(".officer.unqualified", has_text="王强").is_visible()
    violations += serious_violations(officer)
    officer.fill("[name='place']", "当事人家中")
    officer.fill("[name='summary']", "当事人承认倾倒垃圾\n并表示愿意清理")
    officer.check("label:has-text('王强')")
    before = case_entry_types(runtime, case_id)
    page_errors.expect_refusal(rf"/cases/{case_id}/steps/record_inquiry$", 409)  # the refusal is the page
    officer.click("form.step button[type=submit]")
    alert = officer.locator("[role=alert]")
    assert alert.is_visible()
    assert re.search(r"第四十二条|第42条", alert.inner_text())
    violations += serious_violations(officer)
    officer.screenshot(path=str(screenshots / "officer-refused-390x844.png"), full_page=True)
    assert case_entry_types(runtime, case_id) == before
    officer.uncheck("label:has-text('王强')")
    officer.check("label:has-text('李娜')")
    officer.click("form.step button[type=submit]")
    officer.wait_for_url(CASE_PAGE)
    assert case_entry_types(runtime, case_id)[-1] == "case:inquiry:recorded"

    # An inspection recorded with no network: kept on the phone, sent once when the network returns.
    officer.click(f"a[href='/cases/{case_id}/steps/record_inspection']")
    officer.fill("[name='place']", "村道旁")
    officer.fill("[name='summary']", "现场有生活垃圾约两立方米")
    officer.check("label:has-text('李娜')")
    phone.set_offline(True)
    officer.click("form.step button[type=submit]")
    assert officer.locator("p.queued").is_visible()
    queued = officer.evaluate("JSON.parse(localStorage.getItem('caseledger.offline-acts'))")
    assert len(queued) == 1
    assert queued[0]["claimed_at"].endswith("+08:00")
    assert "case:inspection:recorded" not in case_entry_types(runtime, case_id)
    phone.set_offline(False)
    _wait_for(lambda: "case:inspection:recorded" in case_entry_types(runtime, case_id))
    _wait_for(lambda: officer.evaluate("localStorage.getItem('caseledger.offline-acts')") == "[]")
    officer.reload()  # a reload replays whatever is left: nothing
    time.sleep(1)
    assert case_entry_types(runtime, case_id).count("case:inspection:recorded") == 1

    # Evidence from the phone, with progress.
    officer.goto(f"{base}/cases/{case_id}")
    officer.set_input_files(
        "#ev-file",
        files=[{"name": "现场照片.png", "mimeType": "image/png", "buffer": b"\x89PNG\r\n\x1a\n" + b"0" * 2048}],
    )
    officer.select_option("#ev-kind", "audio_visual")
    officer.fill("#ev-description", "现场照片")
    officer.check("form.upload label:has-text('李娜')")
    officer.click("form.upload button[type=submit]")
    officer.wait_for_selector("#evidence-list >> text=现场照片.png")
    assert any("evidence" in t for t in case_entry_types(runtime, case_id))

    # The investigation closed by the two officers.
    officer.click(f"a[href='/cases/{case_id}/steps/close_investigation']")
    officer.fill("[name='report']", "事实清楚，证据确凿")
    officer.check("label:has-text('李娜')")
    officer.click("form.step button[type=submit]")
    officer.wait_for_url(CASE_PAGE)
    assert officer.locator("#case-state").inner_text() != "调查中"
    violations += serious_violations(officer)

    # The supervisor reads the case's history: who, when claimed and recorded, what; each entry verifies.
    supervisor = desk.new_page()
    desk.clear_cookies()
    sign_in(supervisor, base, "supervisor", password)
    supervisor.goto(f"{base}/cases/{case_id}/history")
    recorded = case_entry_types(runtime, case_id)
    assert supervisor.locator("ol.timeline > li").count() == len(recorded)
    assert supervisor.locator("ol.timeline > li.ok").count() == len(recorded)
    for entry_type in recorded:
        assert supervisor.locator(f"li[data-entry-type='{entry_type}']").count() >= 1

    # ... and verifies them itself: leaf hashes, inclusion proofs, the checkpoint's signature under the pinned key.
    def all_proved() -> bool:
        # The server's integrator signs a checkpoint every 0.5 s; one more pass here (serialised with it by the log
        # head) makes sure a checkpoint covers the latest entries however busy the machine is.
        IntegratorRunner(runtime.database, runtime.signers, runtime.checkpoints, runtime.clock).run_once(
            force_checkpoint=True
        )
        supervisor.reload()
        supervisor.click("#verify-case")
        # Done either way: every entry tried ("已验证 n 条…"), or stopped before, e.g. while no checkpoint exists yet.
        supervisor.locator("#verify-summary").filter(has_text=re.compile("已验证|验证中止")).wait_for()
        return bool(supervisor.locator("ol.timeline > li.proved").count() == len(recorded))

    _wait_for(all_proved, said=lambda: supervisor.locator("ol.timeline").inner_text()[-3000:])
    assert supervisor.locator("ol.timeline > li.proved").count() == len(recorded), supervisor.locator(
        "#verify-summary"
    ).inner_text()
    assert supervisor.locator("ol.timeline > li.unproved").count() == 0
    assert "已固定" in supervisor.locator("#vkey-pinned").inner_text()
    # The pinned key is the one the agency published, and its base64 holds a '+' (the conftest chose it so): the
    # case the in-browser verification once failed on about half the runs, proved above.
    with runtime.database.transaction(write=False) as session:
        published = session.scalars(sa.select(Agency.checkpoint_vkey).where(Agency.code == "tiemen")).one()
    assert supervisor.evaluate("localStorage.getItem('caseledger.vkey.tiemen')") == published
    assert "+" in published.split("+", 2)[2]
    fingerprint = supervisor.locator("#vkey-fingerprint").inner_text()
    assert re.fullmatch(r"([0-9a-f]{4} ){7}[0-9a-f]{4}", fingerprint)
    supervisor.screenshot(path=str(screenshots / "supervisor-history-1366x768.png"), full_page=True)
    violations += serious_violations(supervisor)
    # A server that answers another verifier key than the one pinned raises the alarm and proves nothing.
    pinned = supervisor.evaluate("localStorage.getItem('caseledger.vkey.tiemen')")
    name, key_id, key = pinned.split("+", 2)  # the base64 key may contain '+' itself
    other = f"{name}+{key_id}+{key[:-8]}AAAAAAA="
    supervisor.evaluate(f"localStorage.setItem('caseledger.vkey.tiemen', '{other}')")
    supervisor.reload()
    supervisor.click("#verify-case")
    alarm = supervisor.locator("#vkey-alarm")
    alarm.wait_for()
    assert "不同" in alarm.inner_text()
    assert supervisor.locator("ol.timeline > li.proved").count() == 0
    supervisor.screenshot(path=str(screenshots / "supervisor-vkey-alarm-1366x768.png"), full_page=True)
    assert not violations, "\n".join(violations)
