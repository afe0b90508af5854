"""Casework through the console calls the case service the API calls: what it records is in the ledger, and what
the law refuses is shown on the page with the article."""

from __future__ import annotations

import ast
import html
import re
import uuid
from datetime import datetime
from pathlib import Path
from typing import cast

import sqlalchemy as sa
from fastapi.testclient import TestClient
from httpx import Response

from service.cases import schedule
from service.cases.guards import GUARDS
from service.cases.router import DOCUMENTED_WORKFLOWS
from service.cases.steps import STEPS
from service.cases.workflow import CaseState, GuardFailure, Procedure, TransitionCheck, TransitionRefused
from service.clock import FixedClock
from service.console.i18n import DEADLINE_NAMES, ENTRY_NAMES, STEP_NAMES, deadline_name, words
from service.console.web import TEMPLATES, problem_view
from service.ledger.models import LedgerEntry
from service.ledger.projection import known_entry_types
from service.officers.models import Officer
from service.policy.calendar import SHANGHAI
from service.runtime import Runtime
from tests.cases.driver import Auth, Cases

from .helpers import form, part_of, sign_in

CASE_URL = re.compile(r"/cases/([0-9a-f-]{36})$")


def officer_id(runtime: Runtime, name: str) -> str:
    with runtime.database.transaction(write=False) as session:
        return str(session.scalar(sa.select(Officer.id).where(Officer.name == name)))


def case_entries(runtime: Runtime, case_id: str) -> list[str]:
    with runtime.database.transaction(write=False) as session:
        return list(
            session.scalars(
                sa.select(LedgerEntry.type)
                .where(LedgerEntry.stream == f"case:{case_id}")
                .order_by(LedgerEntry.stream_seq)
            )
        )


def open_case(client: TestClient, csrf: str, runtime: Runtime, **extra: str | list[str]) -> str:
    fields: dict[str, str | list[str]] = {
        "csrf": csrf,
        "item_code": "CQ-TM-003",
        "procedure": "general",
        "title": "在村道旁倾倒生活垃圾",
        "party_type": "individual",
        "party_name": "张三",
        "id_number": "500228199001011234",
        "source_description": "日常巡查发现\r\n第二行",
        "occurred_on": "2026-05-28",  # a few days before the tests' clock: within the time bar (第三十六条)
        "officers": officer_id(runtime, "李娜"),
        "idempotency_key": uuid.uuid4().hex,
    }
    answer = client.post("/cases/new", files=form(**(fields | extra)), follow_redirects=False)
    assert answer.status_code == 303, answer.text
    found = CASE_URL.search(answer.headers["location"])
    assert found is not None
    return found.group(1)


def step_form(client: TestClient, case_id: str, step: str) -> dict[str, str]:
    page = client.get(f"/cases/{case_id}/steps/{step}")
    assert page.status_code == 200, page.text
    hidden = {k: html.unescape(v) for k, v in re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', page.text)}
    return hidden


def submit_step(client: TestClient, case_id: str, step: str, **fields: str | list[str]) -> Response:
    """A step's form posted as the browser posts it: its hidden fields (the session's token, the case's version, the
    form's idempotency key) and ``fields``."""
    hidden = step_form(client, case_id, step)
    return client.post(f"/cases/{case_id}/steps/{step}", files=form(**hidden, **fields), follow_redirects=False)


def file_as_head(client: TestClient, case_id: str) -> None:
    """The head, signed in on their own console, approves the case's filing (立案) from its step form."""
    head = TestClient(client.app)
    head_csrf = sign_in(head, "head")
    hidden = step_form(head, case_id, "approve_filing")
    filed = head.post(f"/cases/{case_id}/steps/approve_filing", files=form(**hidden | {"csrf": head_csrf}))
    assert filed.status_code == 200, filed.text


def test_an_officer_registers_a_case_and_it_is_in_the_ledger(client: TestClient, runtime: Runtime) -> None:
    csrf = sign_in(client, "officer1")
    case_id = open_case(client, csrf, runtime)
    assert case_entries(runtime, case_id) == ["case:case:registered"]
    page = client.get(f"/cases/{case_id}")
    assert "在村道旁倾倒生活垃圾" in page.text
    # The item by its code and its name in the case's catalogue version.
    assert 'id="case-item">CQ-TM-003 随意倾倒、抛撒、堆放或者焚烧生活垃圾<' in page.text
    # The filing waits for a head: the officer sees so, and is not offered the head's form.
    assert f"/cases/{case_id}/steps/approve_filing" not in page.text
    theirs = page.text[page.text.index('id="their-steps"') :]
    assert "批准立案（负责人）" in theirs[: theirs.index("</ul>")]
    assert "在村道旁倾倒生活垃圾" in client.get("/").text


def test_the_same_form_sent_twice_registers_one_case(client: TestClient, runtime: Runtime) -> None:
    csrf = sign_in(client, "officer1")
    key = uuid.uuid4().hex
    first = open_case(client, csrf, runtime, idempotency_key=key)
    second = open_case(client, csrf, runtime, idempotency_key=key)
    assert first == second


def test_a_step_form_is_generated_from_the_payload_schema_and_recorded(client: TestClient, runtime: Runtime) -> None:
    officer = TestClient(client.app)
    csrf = sign_in(officer, "officer1")
    case_id = open_case(officer, csrf, runtime)
    head = TestClient(client.app)
    head_csrf = sign_in(head, "head")
    assert "批准立案" in head.get("/").text  # the head's approvals waiting
    hidden = step_form(head, case_id, "approve_filing")
    approved = head.post(
        f"/cases/{case_id}/steps/approve_filing", files=form(**hidden | {"csrf": head_csrf}), follow_redirects=False
    )
    assert approved.status_code == 303, approved.text
    page = officer.get(f"/cases/{case_id}/steps/record_inquiry")
    for name in ("place", "summary", "subject"):  # the fields of FieldRecord (service/cases/payloads.py)
        assert f'name="{name}"' in page.text
    hidden = step_form(officer, case_id, "record_inquiry")
    recorded = officer.post(
        f"/cases/{case_id}/steps/record_inquiry",
        files=form(
            **hidden,
            place="当事人家中",
            summary="当事人承认\r\n倾倒垃圾",
            subject="当事人",
            officers=officer_id(runtime, "李娜"),
        ),
        follow_redirects=False,
    )
    assert recorded.status_code == 303, recorded.text
    assert case_entries(runtime, case_id)[-1] == "case:inquiry:recorded"
    history = officer.get(f"/cases/{case_id}/history")
    assert "询问笔录" in history.text
    assert "哈希链完整" in history.text
    # The filing's move between states in words (the entry's type stays shown as the code it is recorded under).
    assert "案件来源已登记 → 已立案，调查取证" in history.text
    assert "registered → investigating" not in history.text
    assert "<dt>hash</dt>" not in history.text


def test_an_unqualified_second_officer_is_greyed_and_refused_with_the_article(
    client: TestClient, runtime: Runtime
) -> None:
    csrf = sign_in(client, "officer1")
    case_id = open_case(client, csrf, runtime)
    file_as_head(client, case_id)
    page = client.get(f"/cases/{case_id}/steps/record_inquiry")
    wang = officer_id(runtime, "王强")  # certified for fire safety and forest fires only
    assert re.search(r'class="officer unqualified">\s*<input type="checkbox" name="officers" value="' + wang, page.text)
    # The case's own second officer (registered with it, qualified) is ticked beforehand; nobody else is.
    li = officer_id(runtime, "李娜")
    assert re.search(rf'name="officers" value="{li}" id="officer-{li}" checked>', page.text)
    assert not re.search(rf'name="officers" value="{wang}" id="officer-{wang}" checked>', page.text)
    # An act one officer does alone names nobody else beforehand: the record would say they were there.
    alone = client.get(f"/cases/{case_id}/steps/request_preservation_approval").text
    assert f'id="officer-{li}" checked' not in alone
    before = case_entries(runtime, case_id)
    refused = submit_step(client, case_id, "record_inquiry", place="现场", summary="询问", officers=wang)
    assert refused.status_code == 409, refused.text
    assert "第四十二条" in refused.text or "第42条" in refused.text
    assert case_entries(runtime, case_id) == before
    # The page names the step and what to do about the rule, not the codes the API's detail names them by.
    alert = html.unescape(part_of(refused.text, 'id="problem"', "</div>"))
    assert "不予办理“询问笔录”" in alert
    assert "record_inquiry" not in alert
    assert "two_qualified_officers" not in alert
    assert "请在“共同执法人员”中勾选另一名" in alert


def test_an_officer_records_evidence_custody_on_the_case_page_and_two_return_it(
    client: TestClient, runtime: Runtime, auth: Auth
) -> None:
    """Each piece of evidence shows its chain of custody with the officers who handled it, and a form for the next
    link. Returned, the evidence leaves the agency's hands: the form asks for the basis and a second qualified
    officer (第四十二条), names the article when refused, keeps what was typed; once returned, no form is offered."""
    csrf = sign_in(client, "officer1")
    case_id = open_case(client, csrf, runtime)
    file_as_head(client, case_id)
    li = officer_id(runtime, "李娜")
    uploaded = client.post(
        f"/api/v1/cases/{case_id}/evidence",
        params={"kind": "physical", "description": "扣押的三轮车", "filename": "trike.png", "officers": [li]},
        content=b"\x89PNG\r\n\x1a\n" + b"photo " * 100,
        headers=auth("officer1") | {"Content-Type": "image/png"},
    )
    assert uploaded.status_code == 201, uploaded.text
    evidence_id = uploaded.json()["id"]
    page = client.get(f"/cases/{case_id}").text
    chain = part_of(page, f'id="evidence-{evidence_id}"', "</ol>")
    assert "收集" in chain
    assert "李娜" in chain  # the collecting officers by name
    action = f"/cases/{case_id}/evidence/{evidence_id}/custody"
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page[page.index(action) :])
    assert key is not None
    sent = {"csrf": csrf, "idempotency_key": key.group(1), "event": "returned", "holder": "当事人张三"}
    before = case_entries(runtime, case_id)

    no_basis = client.post(action, files=form(**sent, officers=li), follow_redirects=False)
    assert no_basis.status_code == 422, no_basis.text
    assert "须在备注中写明依据" in html.unescape(part_of(no_basis.text, 'id="problem"', "</div>"))
    assert 'value="当事人张三"' in no_basis.text  # what was typed is kept
    alone = client.post(action, files=form(**sent, note="解除扣押决定"), follow_redirects=False)
    assert alone.status_code == 409, alone.text
    alert = html.unescape(part_of(alone.text, 'id="problem"', "</div>"))
    assert "不得少于2人" in alert
    assert "第42条" in alert
    assert case_entries(runtime, case_id) == before

    returned = client.post(action, files=form(**sent, note="解除扣押决定", officers=li), follow_redirects=False)
    assert returned.status_code == 303, returned.text
    assert case_entries(runtime, case_id) == [*before, "case:evidence:custody_changed"]
    page = client.get(f"/cases/{case_id}").text
    chain = part_of(page, f'id="evidence-{evidence_id}"', "</ol>")
    assert "退还 · " in chain
    assert "当事人张三" in chain
    assert "解除扣押决定" in chain
    assert chain.count("李娜") == 2  # collected and returned, each with its officers
    assert action not in page  # it has left the agency's hands: nothing more to record


def test_a_custody_form_with_bad_input_is_answered_on_the_page_and_records_nothing(
    client: TestClient, runtime: Runtime, auth: Auth
) -> None:
    """An officer id that is not one, an event the chain has no name for, no holder, or no form token: each is
    refused on the case's page (the token: the form has expired), and the chain is as it was."""
    csrf = sign_in(client, "officer1")
    case_id = open_case(client, csrf, runtime)
    file_as_head(client, case_id)
    uploaded = client.post(
        f"/api/v1/cases/{case_id}/evidence",
        params={"kind": "physical", "description": "现场照片", "officers": [officer_id(runtime, "李娜")]},
        content=b"photo " * 100,
        headers=auth("officer1") | {"Content-Type": "image/png"},
    )
    action = f"/cases/{case_id}/evidence/{uploaded.json()['id']}/custody"
    before = case_entries(runtime, case_id)
    good = {"csrf": csrf, "event": "transferred", "holder": "证物室"}
    for bad in ({"officers": "not-an-id"}, {"event": "lost"}, {"holder": ""}):
        answer = client.post(action, files=form(**good | bad), follow_redirects=False)
        assert answer.status_code == 422, (bad, answer.text)
        assert 'id="problem"' in answer.text
    expired = client.post(action, files=form(**good | {"csrf": "forged"}), follow_redirects=False)
    assert expired.status_code == 403, expired.text  # the form has expired
    assert case_entries(runtime, case_id) == before
    assert client.post(action, files=form(**good), follow_redirects=False).status_code == 303


def test_times_are_shown_in_beijing_time_as_they_are_typed(
    client: TestClient, runtime: Runtime, clock: FixedClock
) -> None:
    # 06:30 in Beijing is 22:30 the day before in UTC, the zone instants are stored and answered in by the API:
    # a township's console shows the day and hour its officers lived, as the forms take them (service/console/web.py)
    clock.at = datetime(2026, 6, 2, 6, 30, tzinfo=SHANGHAI)
    csrf = sign_in(client, "officer1")
    case_id = open_case(client, csrf, runtime)
    assert "2026-06-02 06:30" in client.get("/").text  # the officer's list of cases
    page = client.get(f"/cases/{case_id}").text
    assert "2026-06-02 06:30" in page
    assert "22:30" not in page
    assert "北京时间" in page
    file_as_head(client, case_id)
    hidden = step_form(client, case_id, "record_inquiry")
    recorded = client.post(
        f"/cases/{case_id}/steps/record_inquiry",
        files=form(
            **hidden,
            place="当事人家中",
            summary="当事人承认倾倒垃圾",
            subject="当事人",
            officers=officer_id(runtime, "李娜"),
            claimed_at="2026-06-02T05:45",  # typed as the officer's watch showed it: Beijing time
        ),
        follow_redirects=False,
    )
    assert recorded.status_code == 303, recorded.text
    history = client.get(f"/cases/{case_id}/history").text
    assert "2026-06-02 05:45:00" in history  # claimed: as typed
    assert "2026-06-02 06:30:00" in history  # recorded
    assert "21:45" not in history
    assert "22:30" not in history


def test_a_cases_state_and_deadlines_are_named_in_the_consoles_language(client: TestClient, runtime: Runtime) -> None:
    csrf = sign_in(client, "officer1")
    case_id = open_case(client, csrf, runtime)
    file_as_head(client, case_id)
    for page in (client.get("/").text, client.get(f"/cases/{case_id}").text):
        assert "已立案，调查取证" in page
        assert "作出处理决定" in page  # what is due: the decision (第六十条)
    client.get("/lang/en")
    home, case_page = client.get("/").text, client.get(f"/cases/{case_id}").text
    for page in (home, case_page):
        assert "filed and under investigation" in page
        assert "已立案，调查取证" not in page
    assert ": Decision" in home  # an English page, an English colon
    assert "Decision: " in case_page


def test_a_cases_page_names_its_party_as_every_reader_sees_it_and_its_officers(
    client: TestClient, runtime: Runtime
) -> None:
    csrf = sign_in(client, "officer1")
    case_id = open_case(client, csrf, runtime)
    page = client.get(f"/cases/{case_id}").text
    party = page[page.index('id="case-party"') :]
    party = party[: party.index("</dd>")]
    assert "张某" in party  # masked as GET /cases/{id}/party answers it
    assert "张三" not in page
    assert "500228199001011234" not in page
    assert "1234" in party
    officers = page[page.index('id="case-officers"') :]
    officers = officers[: officers.index("</dd>")]
    assert "李娜" in officers  # the second officer named at registration
    assert "张伟" in officers  # the officer who registered it
    assert "综合行政执法大队" in officers  # their unit by its name (policies/officers.yaml), not its code
    assert "brigade" not in officers
    assert '<option value="documentary">书证</option>' in page  # an upload's kind by the law's name (第四十六条)
    assert "2026-05-28" in page  # the day of the act


def test_a_step_on_a_case_that_moved_on_is_refused_with_412(client: TestClient, runtime: Runtime) -> None:
    csrf = sign_in(client, "officer1")
    case_id = open_case(client, csrf, runtime)
    head = TestClient(client.app)
    head_csrf = sign_in(head, "head")
    stale = step_form(head, case_id, "approve_filing")
    flagged = head.post(
        f"/cases/{case_id}/steps/approve_filing",
        files=form(**step_form(head, case_id, "approve_filing") | {"csrf": head_csrf}),
        follow_redirects=False,
    )
    assert flagged.status_code == 303
    again = head.post(f"/cases/{case_id}/steps/approve_filing", files=form(**stale | {"csrf": head_csrf}))
    assert again.status_code == 412, again.text
    assert "案件已更新" in again.text


def test_roles_see_only_their_pages(client: TestClient) -> None:
    sign_in(client, "officer1")
    assert client.get("/audit").status_code == 403
    assert client.get("/admin/users").status_code == 403
    admin = TestClient(client.app)
    sign_in(admin, "admin")
    assert admin.get("/cases/new").status_code == 403
    assert "officer1" in admin.get("/admin/users").text
    supervisor = TestClient(client.app)
    sign_in(supervisor, "supervisor")
    assert supervisor.get("/audit").status_code == 200


def test_public_pages_need_no_sign_in(client: TestClient) -> None:
    assert "CQ-TM-003" in client.get("/public/tiemen/items").text
    assert client.get("/public/tiemen/officers").status_code == 200
    assert client.get("/public/tiemen/decisions").status_code == 200
    assert client.get("/public/nowhere/items").status_code == 404


def test_anyone_verifies_a_printed_document_by_its_identifier(client: TestClient, auth: Auth, runtime: Runtime) -> None:
    """The public verification page (no sign-in): typed from the paper, the identifier answers what the document
    is, when it was recorded and its SHA-256 — and nothing about the party; an identifier never issued is a 404."""
    cases = Cases(client, auth, runtime.clock)
    case = cases.open()
    cases.step(case, "approve_filing", "head")
    issued = client.post(f"/api/v1/cases/{case['id']}/documents/filing_approval/issue", headers=cases.auth("head"))
    assert issued.status_code == 201, issued.text
    document = issued.json()
    printed = f"{document['id'][:4]}-{document['id'][4:8]}-{document['id'][8:]}"
    page = client.get("/public/tiemen/documents", params={"reference": printed})
    assert page.status_code == 200, page.text
    for shown in (document["number"], printed, document["sha256"], "立案审批表"):
        assert shown in page.text, shown
    for private in ("张三", "500228199001011234", "13800000000"):
        assert private not in page.text
    assert client.get("/public/tiemen/documents", params={"reference": document["sha256"]}).status_code == 200
    assert client.get("/public/tiemen/documents", params={"reference": "AAAA-BBBB-CCCC"}).status_code == 404
    assert client.get("/public/tiemen/documents").status_code == 200  # the form alone


def test_a_cases_documents_are_drafted_and_issued_from_the_console(
    client: TestClient, auth: Auth, runtime: Runtime
) -> None:
    """What the API's documents routes do, from the case's documents page: each document the case establishes now
    that the viewer's role issues, each record on its own line; a draft records nothing; an issue is numbered and
    recorded once, however often its form is sent; a refusal is shown on the page."""
    cases = Cases(client, auth, runtime.clock)
    case = cases.open()
    cases.step(case, "approve_filing", "head")
    cases.step(
        case,
        "record_inquiry",
        officers=cases.with_second(),
        data={"place": "当事人家中", "summary": "承认", "subject": "当事人"},
    )
    officer = TestClient(client.app)
    csrf = sign_in(officer, "officer1")
    documents = f"/cases/{case['id']}/documents"
    assert f'href="{documents}"' in officer.get(f"/cases/{case['id']}").text  # reached from the case's page
    page = officer.get(documents).text
    found = re.search(r'action="(/cases/[^"]+/documents/inquiry_record/issue\?entry=(\d+))"', page)
    assert found is not None, page
    issue, entry = found.group(1), found.group(2)
    assert f"询问笔录（记录 {entry}）" in page
    assert "filing_approval/issue" not in page  # the head's (case:approve)
    head = TestClient(client.app)
    sign_in(head, "head")
    assert f"/cases/{case['id']}/documents/filing_approval/issue" in head.get(documents).text

    before = case_entries(runtime, case["id"])
    draft = officer.get(f"{documents}/inquiry_record/draft?entry={entry}")
    assert draft.status_code == 200
    assert draft.headers["content-type"] == "application/pdf"
    assert draft.content.startswith(b"%PDF")
    assert case_entries(runtime, case["id"]) == before

    key = re.search(r'name="idempotency_key" value="([^"]+)"', page)
    assert key is not None
    sent = form(csrf=csrf, idempotency_key=key.group(1))
    for _ in range(2):  # the form sent twice: one document
        issued = officer.post(issue, files=sent, follow_redirects=False)
        assert issued.status_code == 303, issued.text
        assert issued.headers["location"] == documents
    assert case_entries(runtime, case["id"])[len(before) :] == ["case:document:issued"]
    listed = client.get(f"/api/v1/cases/{case['id']}/documents", headers=auth("officer1")).json()
    assert [(d["kind"], d["entry"]) for d in listed] == [("inquiry_record", int(entry))]
    # the API says the same of what the officer can print: the inquiry's record, now issued
    printable = client.get(f"/api/v1/cases/{case['id']}/documents/printable", headers=auth("officer1")).json()
    inquiry = [p for p in printable if p["kind"] == "inquiry_record"]
    assert inquiry == [
        {"kind": "inquiry_record", "title": "询问笔录", "entry": int(entry), "issued": listed[0]["number"]}
    ]
    assert "filing_approval" not in {p["kind"] for p in printable}
    page = officer.get(documents).text
    assert f"已制发 {listed[0]['number']}" in page
    assert issue not in page  # issued: drafted again, not issued a second time from here
    issued_table = page[page.rindex("<thead>") :]
    assert "文书编号" in issued_table  # the document's own number, not the case's (案号)
    assert "案号" not in issued_table

    for wrong in (f"{documents}/bogus/draft", f"{documents}/inquiry_record/draft?entry=-1"):
        answer = officer.get(wrong)
        assert answer.status_code == 422, wrong
        assert 'role="alert"' in answer.text, wrong  # the console's page with the problem, not the API's JSON
    refused = officer.post(f"{documents}/penalty_decision/issue", files=form(csrf=csrf, idempotency_key="k-refused"))
    assert refused.status_code == 403, refused.text
    assert 'role="alert"' in refused.text
    assert case_entries(runtime, case["id"])[len(before) :] == ["case:document:issued"]


def test_every_entry_of_a_case_no_step_records_has_a_name_on_the_console_in_both_languages() -> None:
    """The history names each entry: a step's by its step, the others (registration, signatures, publication,
    disclosures...) by ENTRY_NAMES, never by the type's code."""
    import service.main  # noqa: F401 — every projector registered

    recorded_by_steps = {t.records for w in DOCUMENTED_WORKFLOWS.values() for t in w.transitions}
    others = {t for t in known_entry_types() if t.startswith("case:")} - recorded_by_steps
    assert "case:case:registered" in others
    assert sorted(others - set(ENTRY_NAMES)) == []
    assert all(zh and en for zh, en in ENTRY_NAMES.values())


def test_every_deadline_a_case_runs_against_has_a_name_on_the_console_in_both_languages() -> None:
    """What is due is named, never by the schedule's code: every name service/cases/schedule.py gives a deadline."""
    source = ast.parse(Path(schedule.__file__).read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(source):
        if isinstance(node, ast.Call) and node.args and getattr(node.func, "id", None) == "compute":
            first = node.args[0]
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "append" and node.args:
            if not isinstance(node.args[0], ast.Tuple):
                continue
            first = node.args[0].elts[0]
        else:
            continue
        if isinstance(first, ast.Constant):
            names.add(first.value)
        elif isinstance(first, ast.JoinedStr):  # f"seizure_{seizure.number}"
            names.add(cast(ast.Constant, first.values[0]).value.rstrip("_"))
    assert {"decision", "payment", "seizure", "self_demolition"} <= names
    assert sorted(names - set(DEADLINE_NAMES)) == []
    assert deadline_name("seizure_2", "zh") == "查封、扣押期限（第2项）"
    assert deadline_name("seizure_2", "en") == "Sealing or seizure (no. 2)"


def test_every_role_has_a_name_on_the_console_in_both_languages(runtime: Runtime) -> None:
    """The case page says which roles take the steps the viewer's do not (policies/roles.yaml)."""
    for lang in ("zh", "en"):
        assert all(words(lang).get(f"role_{role}") for role in runtime.roles.grants), lang


def test_every_step_has_a_name_on_the_console_in_both_languages() -> None:
    """A step the registry declares is offered on the console under its name, never its code."""
    assert sorted(set(STEPS) - set(STEP_NAMES)) == []
    assert all(zh and en for zh, en in STEP_NAMES.values())


def test_a_refusal_gives_each_reason_once_with_every_rule_and_article_it_comes_under() -> None:
    # Four rules of an on-the-spot decision refuse it for one reason, the circumstances not recorded: the page
    # says that once, with the four rules' articles, and the other reason on its own line.
    workflow = DOCUMENTED_WORKFLOWS[Procedure.SUMMARY]
    spot = workflow.transition("decide_on_the_spot")
    unrecorded = ("circumstances_recorded", "no_penalty_where_law_excludes", "mitigation_applied", "not_fined_twice")
    same = [
        GuardFailure(rule, "Circumstances are not recorded.", "尚未记录当事人的情节。", GUARDS[rule].basis)
        for rule in unrecorded
    ]
    used = GuardFailure(
        "form_number_unused", "The form was used.", "该决定书已使用。", GUARDS["form_number_unused"].basis
    )
    failures = (*same, used)
    check = TransitionCheck(
        Procedure.SUMMARY, workflow.version, spot, CaseState("summary_started"), CaseState("summary_decided"), failures
    )
    view = problem_view(TransitionRefused(check), "zh")
    assert [f["reason"] for f in view["failures"]] == ["尚未记录当事人的情节。", "该决定书已使用。"]
    assert view["failures"][0]["guards"] == list(unrecorded)
    assert view["failures"][0]["articles"] == [GUARDS[rule].basis.cite() for rule in unrecorded]
    assert view["detail"] == "不予办理“当场处罚决定”："
    box = html.unescape(TEMPLATES.get_template("_problem.html").render(error=view, t=words("zh")))
    assert box.count("尚未记录当事人的情节。") == 1
    assert "（" + "、".join(GUARDS[rule].basis.cite() for rule in unrecorded) + "）" in box
