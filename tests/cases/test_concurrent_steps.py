"""Concurrent requests for one step: the check and the record are one act, so exactly one of them happens.

A step re-reads the case under the lock that orders the case's appends and checks its guards there; the others
find the step already taken and are refused (409), or, when they named the version they saw, 412."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient

from service.clock import FixedClock
from service.ledger.models import LedgerEntry
from service.runtime import Runtime

from ..catalogue.test_catalogue_api import SAMPLE
from .driver import Cases
from .test_case_api import TOLD, fine
from .test_coercive_measures import SEIZURE
from .test_reviews import major_case
from .test_year_boundary import NOTICE_2027

Auth = Callable[[str], dict[str, str]]
REQUESTS = 20


def at_once(n: int, request: Callable[[], Any]) -> list[Any]:
    """``request`` run by ``n`` threads released together; their responses."""
    start = threading.Barrier(n)
    responses: list[Any] = [None] * n

    def run(i: int) -> None:
        start.wait()
        responses[i] = request()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return responses


def entries_of(runtime: Runtime, entry_type: str) -> int:
    with runtime.database.transaction(write=False) as session:
        return int(session.scalar(sa.select(sa.func.count()).where(LedgerEntry.type == entry_type)) or 0)


def test_20_concurrent_filing_approvals_file_the_case_once_with_one_number(
    cases: Cases, client: TestClient, auth: Auth, runtime: Runtime
) -> None:
    case = cases.open()
    headers = auth("head")
    responses = at_once(
        REQUESTS, lambda: client.post(f"/api/v1/cases/{case['id']}/steps/approve_filing", headers=headers, json={})
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] + [409] * (REQUESTS - 1), [r.text for r in responses if r.status_code not in (200, 409)]
    assert entries_of(runtime, "case:filing:approved") == 1
    assert entries_of(runtime, "case:number:assigned") == 1
    assert client.get(f"/api/v1/cases/{case['id']}", headers=headers).json()["number"] == "铁门罚〔2026〕1号"


def test_20_concurrent_closings_of_an_investigation_close_it_once(
    cases: Cases, client: TestClient, auth: Auth, runtime: Runtime
) -> None:
    case = cases.open()
    cases.step(case, "approve_filing", "head")
    headers = auth("officer1")
    body = {"officers": [cases.officer("officer2")], "data": {"report": "事实清楚，证据确凿"}}
    responses = at_once(
        REQUESTS,
        lambda: client.post(f"/api/v1/cases/{case['id']}/steps/close_investigation", headers=headers, json=body),
    )
    assert sorted(r.status_code for r in responses) == [200] + [409] * (REQUESTS - 1)
    assert entries_of(runtime, "case:investigation:closed") == 1


def test_8_concurrent_inquiries_on_one_case_are_each_recorded_once_on_one_unbroken_chain(
    cases: Cases, client: TestClient, auth: Auth, runtime: Runtime
) -> None:
    """A step the case allows again and again, sent by eight at once: each is checked and recorded in turn, under
    the case's lock, and each answer is the case as its own step left it."""
    case = cases.open()
    cases.step(case, "approve_filing", "head")
    headers = auth("officer1")
    body = {"officers": [cases.officer("officer2")], "data": {"place": "现场", "summary": "询问", "subject": "当事人"}}
    responses = at_once(
        8, lambda: client.post(f"/api/v1/cases/{case['id']}/steps/record_inquiry", headers=headers, json=body)
    )
    assert [r.status_code for r in responses] == [200] * 8, [r.text for r in responses]
    assert entries_of(runtime, "case:inquiry:recorded") == 8
    with runtime.database.transaction(write=False) as session:
        chain = session.execute(
            sa.select(LedgerEntry.stream_seq, LedgerEntry.prev_hash, LedgerEntry.entry_hash)
            .where(LedgerEntry.stream == f"case:{case['id']}")
            .order_by(LedgerEntry.stream_seq)
        ).all()
    assert [seq for seq, _, _ in chain] == list(range(len(chain)))
    assert all(later[1] == earlier[2] for earlier, later in itertools.pairwise(chain))
    versions = sorted(int(r.headers["ETag"].strip('"')) for r in responses)
    assert versions == list(range(versions[0], versions[0] + 8))  # one version each, none skipped or shared


def test_8_concurrent_takes_of_one_legal_review_record_one_reviewer(
    cases: Cases, clock: FixedClock, client: TestClient, auth: Auth, runtime: Runtime
) -> None:
    case = major_case(cases, clock)
    requested = cases.step(case, "request_legal_review", data={"materials": "调查终结报告、证据目录"})
    review_id = requested["file"]["reviews"][-1]["review_id"]
    headers = auth("reviewer")
    responses = at_once(8, lambda: client.post(f"/api/v1/cases/{case['id']}/reviews/{review_id}/take", headers=headers))
    assert sorted(r.status_code for r in responses) == [200] + [409] * 7
    assert entries_of(runtime, "case:legal_review:taken") == 1


def test_concurrent_loads_of_one_catalogue_version_record_it_once(
    client: TestClient, auth: Auth, runtime: Runtime
) -> None:
    content = SAMPLE.read_text(encoding="utf-8") + "\n# revised\n"
    headers = auth("admin")
    before = entries_of(runtime, "catalogue:version:loaded")
    responses = at_once(
        8, lambda: client.post("/api/v1/catalogue", headers=headers, json={"source": "v2.yaml", "content": content})
    )
    assert sorted(r.status_code for r in responses) == [201] + [409] * 7
    assert entries_of(runtime, "catalogue:version:loaded") == before + 1


# --- the case's version: ETag and If-Match ---


def test_a_step_sent_on_an_older_version_is_refused_with_412_and_writes_nothing(
    cases: Cases, client: TestClient, auth: Auth, runtime: Runtime
) -> None:
    case = cases.open()
    seen = client.get(f"/api/v1/cases/{case['id']}", headers=auth("head"))
    assert seen.headers["ETag"] == '"1"'
    filed = client.post(
        f"/api/v1/cases/{case['id']}/steps/approve_filing",
        headers=auth("head") | {"If-Match": seen.headers["ETag"]},
        json={},
    )
    assert filed.status_code == 200, filed.text
    assert filed.headers["ETag"] == '"2"'
    stale = client.post(
        f"/api/v1/cases/{case['id']}/steps/close_investigation",
        headers=auth("officer1") | {"If-Match": '"1"', "Accept-Language": "en"},
        json={"officers": [cases.officer("officer2")], "data": {"report": "事实清楚"}},
    )
    assert stale.status_code == 412
    assert stale.json()["code"] == "case_changed"
    assert stale.json()["version"] == 2
    assert entries_of(runtime, "case:investigation:closed") == 0
    current = client.post(
        f"/api/v1/cases/{case['id']}/steps/close_investigation",
        headers=auth("officer1") | {"If-Match": '"2"'},
        json={"officers": [cases.officer("officer2")], "data": {"report": "事实清楚"}},
    )
    assert current.status_code == 200, current.text


def test_20_concurrent_steps_on_one_version_give_one_200_and_412s(
    cases: Cases, client: TestClient, auth: Auth, runtime: Runtime
) -> None:
    case = cases.open()
    headers = auth("head") | {"If-Match": '"1"'}
    responses = at_once(
        REQUESTS, lambda: client.post(f"/api/v1/cases/{case['id']}/steps/approve_filing", headers=headers, json={})
    )
    assert sorted(r.status_code for r in responses) == [200] + [412] * (REQUESTS - 1)
    assert entries_of(runtime, "case:filing:approved") == 1


def test_recounted_deadlines_do_not_change_the_version(
    cases: Cases, clock: FixedClock, client: TestClient, auth: Auth
) -> None:
    clock.at = clock.at.replace(month=12, day=2)  # the 90 days to decide reach into 2027: provisional
    case = cases.open()
    cases.step(case, "approve_filing", "head")
    before = client.get(f"/api/v1/cases/{case['id']}", headers=auth("head")).headers["ETag"]
    loaded = client.put("/api/v1/calendar/notices/2027", headers=auth("admin"), json=NOTICE_2027)
    assert loaded.status_code == 200, loaded.text
    history = client.get(f"/api/v1/cases/{case['id']}/history", headers=auth("supervisor")).json()
    assert history[-1]["type"] == "case:deadlines:revised"
    assert client.get(f"/api/v1/cases/{case['id']}", headers=auth("head")).headers["ETag"] == before


def test_8_cases_deciding_on_one_summary_form_at_once_use_it_once(
    cases: Cases, client: TestClient, auth: Auth, runtime: Runtime
) -> None:
    """第五十二条: one numbered form, one decision — also when eight cases decide on the same form at the same
    instant (each would find it unused if the check did not wait for the others' decisions)."""
    n = 8
    opened = [cases.open(procedure="summary", item_code="CQ-TM-014", title="在禁烟场所吸烟") for _ in range(n)]
    for case in opened:
        cases.circumstances(case)  # 第二十九条至第三十三条: considered on the spot too
    body = {"officers": cases.with_second(), "data": {"penalty": fine(5000), "form_number": "渝梁铁简0000777"} | TOLD}
    headers = auth("officer1")
    pending = iter(opened)
    lock = threading.Lock()

    def decide() -> Any:
        with lock:
            case = next(pending)
        return client.post(f"/api/v1/cases/{case['id']}/steps/decide_on_the_spot", headers=headers, json=body)

    responses = at_once(n, decide)
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] + [409] * (n - 1), [r.text for r in responses if r.status_code not in (200, 409)]
    for refused in (r for r in responses if r.status_code == 409):
        assert "form_number_unused" in [f["guard"] for f in refused.json()["failures"]], refused.text
    assert entries_of(runtime, "case:summary_decision:made") == 1


def test_6_cases_sealing_one_thing_at_once_seal_it_once(
    cases: Cases, client: TestClient, auth: Auth, runtime: Runtime
) -> None:
    """行政强制法 第二十三条第二款: one thing is sealed once — also when six cases of the agency seal the same truck at
    the same instant (each would find it free if the look-up did not wait for the others' decisions)."""
    n = 6
    opened = [cases.open() for _ in range(n)]
    for case in opened:
        cases.step(case, "approve_filing", "head")
        cases.step(case, "approve_seizure", "head", reason="车辆可能被转移")
    body = {"officers": cases.with_second(), "data": SEIZURE}
    headers = auth("officer1")
    pending = iter(opened)
    lock = threading.Lock()

    def decide() -> Any:
        with lock:
            case = next(pending)
        return client.post(f"/api/v1/cases/{case['id']}/steps/decide_seizure", headers=headers, json=body)

    responses = at_once(n, decide)
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] + [409] * (n - 1), [r.text for r in responses if r.status_code not in (200, 409)]
    for refused in (r for r in responses if r.status_code == 409):
        assert [f["guard"] for f in refused.json()["failures"]] == ["not_sealed_twice"], refused.text
    assert entries_of(runtime, "case:seizure:decided") == 1
