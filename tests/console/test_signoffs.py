"""The head's decision and the chair's collective-discussion record, signed from the console as the browser signs
them (the page carries the statement's exact bytes; the signer's own key signs them; the server only verifies),
the collective discussion recorded with its attendance and quorum (行政处罚法 第五十七条第二款), and the head's
desk: what waits for their approval or signature, and the deadlines at risk across the agency."""

from __future__ import annotations

import base64
import html
import json
import re
from typing import Any

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI
from fastapi.testclient import TestClient

from service.auth.models import User
from service.clock import FixedClock
from service.ledger.models import LedgerEntry
from service.runtime import Runtime
from service.signing.client import public_key_of
from tests.cases.driver import Auth, Cases
from tests.cases.test_case_api import refusal
from tests.cases.test_reviews import BIG, major_case, review

from .helpers import form, part_of, sign_in
from .test_casework import case_entries

STATEMENT = re.compile(r'data-statement="([^"]+)"')
ACTION = re.compile(r'id="sign-statement"[^>]*data-action="([^"]+)"')
SHOWN = re.compile(r'<pre class="statement"[^>]*>(.*?)</pre>', re.S)


@pytest.fixture
def cases(client: TestClient, auth: Auth, runtime: Runtime) -> Cases:
    return Cases(client, auth, runtime.clock)


def user_ids(runtime: Runtime, *usernames: str) -> dict[str, str]:
    with runtime.database.transaction(write=False) as session:
        rows = session.execute(sa.select(User.username, User.id).where(User.username.in_(usernames)))
        return {name: str(user_id) for name, user_id in rows}


def browser_key(browser: TestClient, csrf: str, client: TestClient, auth: Auth) -> tuple[Ed25519PrivateKey, str]:
    """What the /keys page's script does — a key made on the signer's side, only its public half sent to the
    console — then the admin's approval through the API, as today."""
    key = Ed25519PrivateKey.generate()
    public, kid = public_key_of(key)
    registered = browser.post("/keys", files=form(csrf=csrf, public_key=public))
    assert registered.status_code == 201, registered.text
    assert registered.json()["key_id"] == kid
    keys = client.get("/api/v1/signing-keys", headers=auth("admin")).json()
    key_row = next(k for k in keys if k["key_id"] == kid)
    assert client.post(f"/api/v1/signing-keys/{key_row['id']}/approve", headers=auth("admin")).status_code == 200
    return key, kid


def signing_page(page: str) -> tuple[bytes, str, Any]:
    """The statement's bytes the page carries, where the signature goes, and the statement as shown in full."""
    carried, action, shown = STATEMENT.search(page), ACTION.search(page), SHOWN.search(page)
    assert carried is not None
    assert action is not None
    assert shown is not None
    return base64.b64decode(html.unescape(carried.group(1))), html.unescape(action.group(1)), shown


def signature(key: Ed25519PrivateKey, statement: bytes) -> str:
    return base64.b64encode(key.sign(statement)).decode("ascii")


def flag_major(client: TestClient, auth: Auth, case: dict[str, Any]) -> None:
    """Of major public interest: a collective discussion is needed before the decision (第五十七条第二款)."""
    flagged = client.post(
        f"/api/v1/cases/{case['id']}/major", headers=auth("officer1"), json={"major": True, "reason": "社会影响大"}
    )
    assert flagged.status_code == 200, flagged.text


def decided(cases: Cases, clock: FixedClock) -> dict[str, Any]:
    case = major_case(cases, clock)
    review(cases, case, cases.signer("reviewer"))
    cases.step(case, "decide_penalty", "head", data={"evidence": cases.evidence(case), "penalty": BIG})
    return case


def test_the_head_signs_the_decision_the_page_shows_in_full(
    app: FastAPI, client: TestClient, auth: Auth, cases: Cases, runtime: Runtime, clock: FixedClock
) -> None:
    case = decided(cases, clock)
    head = TestClient(app)
    csrf = sign_in(head, "head")
    desk = head.get("/").text
    waiting = desk[desk.index('id="decisions-to-sign"') :]
    assert f"/cases/{case['id']}/signoffs/decision" in waiting[: waiting.index("</ul>")]

    page = head.get(f"/cases/{case['id']}/signoffs/decision")
    assert page.status_code == 200, page.text
    statement, action, shown = signing_page(page.text)
    # The API's statement (what `caseledger sign` signs), byte for byte, and shown in full before signing.
    api = client.get(f"/api/v1/cases/{case['id']}/signoffs/decision/statement", headers=auth("head")).json()
    assert statement == base64.b64decode(api["statement"])
    assert json.loads(html.unescape(shown.group(1))) == api["content"] == json.loads(statement)
    assert action == f"/cases/{case['id']}/signoffs/decision/signature"

    key, kid = browser_key(head, csrf, client, auth)
    before = case_entries(runtime, case["id"])
    # A signature of other bytes is refused on the page, and nothing is written.
    forged = head.post(action, files=form(csrf=csrf, key_id=kid, signature=signature(key, statement + b" ")))
    assert forged.status_code == 422
    assert 'role="alert"' in forged.text
    assert case_entries(runtime, case["id"]) == before
    # Another head's key is not the signer's.
    other = TestClient(app)
    other_key, other_kid = browser_key(other, sign_in(other, "head2"), client, auth)
    refused = head.post(action, files=form(csrf=csrf, key_id=other_kid, signature=signature(other_key, statement)))
    assert refused.status_code == 403
    assert case_entries(runtime, case["id"]) == before

    signed = head.post(action, files=form(csrf=csrf, key_id=kid, signature=signature(key, statement)))
    assert signed.status_code == 200  # the sign-off page again, after the redirect
    assert 'id="signoff-state"' in signed.text
    assert "已签名" in signed.text
    assert 'id="sign-statement"' not in signed.text
    assert case_entries(runtime, case["id"])[-1] == "case:decision:signed"
    with runtime.database.transaction(write=False) as session:
        entry = session.scalars(
            sa.select(LedgerEntry).where(
                LedgerEntry.stream == f"case:{case['id']}", LedgerEntry.type == "case:decision:signed"
            )
        ).one()
    body = json.loads(entry.canonical)["body"]
    assert body["key_id"] == kid
    assert base64.b64decode(body["statement"]) == statement
    # Signed once: a second signature is refused, and the desk no longer lists the decision.
    again = head.post(action, files=form(csrf=csrf, key_id=kid, signature=signature(key, statement)))
    assert again.status_code == 409
    desk = head.get("/").text
    waiting = desk[desk.index('id="decisions-to-sign"') :]
    assert f"/cases/{case['id']}/signoffs/decision" not in waiting[: waiting.index("</ul>")]
    # Signed, it is served once its document is issued (第六十一条): the case's page says so and leads to the
    # documents, where the head issues it.
    page = head.get(f"/cases/{case['id']}").text
    blocked = part_of(page, 'class="blocked"', "</section>")
    assert "决定书尚未制发" in blocked
    assert "第61条第1款" in blocked
    assert f'<a href="/cases/{case["id"]}/documents">制发决定书</a>' in blocked
    assert f"/cases/{case['id']}/documents/penalty_decision/issue" in head.get(f"/cases/{case['id']}/documents").text
    to_issue = part_of(head.get("/").text, 'id="decisions-to-issue"', "</ul>")
    assert f'href="/cases/{case["id"]}/documents"' in to_issue  # the head's desk lists it until it is issued
    assert cases.serve_decision(case)["state"] == "served"
    assert f"/cases/{case['id']}" not in part_of(head.get("/").text, 'id="decisions-to-issue"', "</ul>")
    # Served and unpaid, the case is not yet to be closed: its documents page says why the 结案审批表 is not offered.
    documents = head.get(f"/cases/{case['id']}/documents").text
    assert "/documents/closing_approval/issue" not in documents
    held = part_of(documents, 'id="closing-held"', "</section>")
    assert "尚不能制作结案审批表" in held
    assert "行政处罚决定尚未执行完毕" in held
    assert "第66条" in held  # execution_settled's article, as the case page's blocked close_case names it


def test_a_collective_discussion_short_of_the_quorum_is_refused_with_the_article(
    app: FastAPI, client: TestClient, auth: Auth, cases: Cases, runtime: Runtime, clock: FixedClock
) -> None:
    case = major_case(cases, clock)
    client.post(
        f"/api/v1/cases/{case['id']}/major", headers=auth("officer1"), json={"major": True, "reason": "社会影响大"}
    )
    review(cases, case, cases.signer("reviewer"))
    head = TestClient(app)
    csrf = sign_in(head, "head")
    desk = head.get("/").text
    needed = desk[desk.index('id="discussions-needed"') :]
    assert f"/cases/{case['id']}/discussion" in needed[: needed.index("</ul>")]

    page = head.get(f"/cases/{case['id']}/discussion")
    assert page.status_code == 200
    assert 'data-quorum="3"' in page.text
    version = re.search(r'name="version" value="(\d+)"', page.text)
    assert version is not None
    ids = user_ids(runtime, "head", "head2", "head3", "reviewer")
    before = case_entries(runtime, case["id"])
    # Two heads and the reviewer: three people, two heads — short of the catalogue's three heads.
    short = head.post(
        f"/cases/{case['id']}/discussion",
        files=form(
            csrf=csrf,
            version=version.group(1),
            held_on="2026-06-12",
            attendees=[ids["head"], ids["head2"], ids["reviewer"]],
            **{f"opinion.{ids[u]}": "同意" for u in ("head", "head2", "reviewer")},
            conclusion="同意处罚",
            chair=ids["head"],
        ),
    )
    assert short.status_code == 409
    assert "第57条" in short.text
    assert "实到2名" in short.text
    assert "checked" in short.text  # the form keeps what was ticked
    assert case_entries(runtime, case["id"]) == before
    # An attendee with no opinion of their own is refused too.
    silent = head.post(
        f"/cases/{case['id']}/discussion",
        files=form(
            csrf=csrf,
            version=version.group(1),
            held_on="2026-06-12",
            attendees=[ids["head"], ids["head2"], ids["head3"]],
            **{f"opinion.{ids[u]}": "同意" for u in ("head", "head2")},
            conclusion="同意处罚",
            chair=ids["head"],
        ),
    )
    assert silent.status_code == 422
    assert case_entries(runtime, case["id"]) == before


def test_the_chair_signs_the_collective_discussion_and_no_other_head_can(
    app: FastAPI, client: TestClient, auth: Auth, cases: Cases, runtime: Runtime, clock: FixedClock
) -> None:
    case = major_case(cases, clock)
    client.post(
        f"/api/v1/cases/{case['id']}/major", headers=auth("officer1"), json={"major": True, "reason": "社会影响大"}
    )
    review(cases, case, cases.signer("reviewer"))
    ids = user_ids(runtime, "head", "head2", "head3")
    head2 = TestClient(app)
    csrf2 = sign_in(head2, "head2")
    page = head2.get(f"/cases/{case['id']}/discussion").text
    version = re.search(r'name="version" value="(\d+)"', page)
    assert version is not None
    # head2 records the discussion that head chaired: head2 is sent back to the case, not to a signing page.
    recorded = head2.post(
        f"/cases/{case['id']}/discussion",
        files=form(
            csrf=csrf2,
            version=version.group(1),
            held_on="2026-06-12",
            attendees=list(ids.values()),
            **{f"opinion.{i}": f"同意（{u}）" for u, i in ids.items()},
            conclusion="同意处罚十万元",
            chair=ids["head"],
        ),
        follow_redirects=False,
    )
    assert recorded.status_code == 303, recorded.text
    assert recorded.headers["location"] == f"/cases/{case['id']}"
    assert case_entries(runtime, case["id"])[-1] == "case:collective_discussion:held"
    # Not the chair: the record and its statement are shown, no button; a signature sent anyway is refused.
    seen = head2.get(f"/cases/{case['id']}/signoffs/collective_discussion").text
    assert 'id="sign-statement"' not in seen
    assert "陈刚" in seen
    key2, kid2 = browser_key(head2, csrf2, client, auth)
    api = client.get(
        f"/api/v1/cases/{case['id']}/signoffs/collective_discussion/statement", headers=auth("head")
    ).json()
    statement = base64.b64decode(api["statement"])
    action = f"/cases/{case['id']}/signoffs/collective_discussion/signature"
    not_chair = head2.post(action, files=form(csrf=csrf2, key_id=kid2, signature=signature(key2, statement)))
    assert not_chair.status_code == 403
    assert "主持人" in not_chair.text

    head = TestClient(app)
    csrf = sign_in(head, "head")
    desk = head.get("/").text
    mine = desk[desk.index('id="discussions-to-sign"') :]
    assert f"/cases/{case['id']}/signoffs/collective_discussion" in mine[: mine.index("</ul>")]
    page = head.get(f"/cases/{case['id']}/signoffs/collective_discussion").text
    carried, shown_action, shown = signing_page(page)
    assert carried == statement
    assert shown_action == action
    assert json.loads(html.unescape(shown.group(1)))["subject"]["conclusion"] == "同意处罚十万元"
    for u in ("head", "head2", "head3"):
        assert f"同意（{u}）" in page  # each attendee's opinion, in the record shown
    key, kid = browser_key(head, csrf, client, auth)
    # The decision waits for the signed record (第五十七条第二款).
    decision = {"evidence": cases.evidence(case), "penalty": BIG}
    waiting = cases.step(case, "decide_penalty", "head", expect=409, data=decision)
    assert refusal(waiting)[0] == ["collective_discussion_held"]
    signed = head.post(action, files=form(csrf=csrf, key_id=kid, signature=signature(key, statement)))
    assert signed.status_code == 200
    assert "已签名" in signed.text
    assert case_entries(runtime, case["id"])[-1] == "case:collective_discussion:signed"
    assert cases.step(case, "decide_penalty", "head", data=decision)["state"] == "decided"


def test_the_heads_desk_shows_the_deadlines_at_risk_across_the_agency(
    app: FastAPI, cases: Cases, clock: FixedClock
) -> None:
    case = cases.investigated()  # opened by officer1: not the head's own case
    head = TestClient(app)
    sign_in(head, "head")
    at_risk = head.get("/").text
    listed = at_risk[at_risk.index('id="at-risk"') :]
    assert f"/cases/{case['id']}" not in listed[: listed.index("</ul>")]  # 90 days to decide (第六十条)
    clock.advance(days=100)
    sign_in(head, "head")  # a session lasts 8 hours at most
    at_risk = head.get("/").text
    listed = at_risk[at_risk.index('id="at-risk"') :]
    listed = listed[: listed.index("</ul>")]
    assert f"/cases/{case['id']}" in listed
    assert "已超期" in listed
    assert "第60条" in listed


def test_the_heads_desk_lists_every_case_of_the_agency_to_open(app: FastAPI, cases: Cases) -> None:
    """Not only the cases waiting for the head: one under investigation that waits for nothing is opened from here."""
    investigating = cases.investigated()  # opened by officer1, filed: nothing waits for the head
    head = TestClient(app)
    sign_in(head, "head")
    desk = head.get("/").text
    listed = desk[desk.index('id="agency-cases-h"') :]
    listed = listed[: listed.index("</section>")]
    assert f"/cases/{investigating['id']}" in listed
    assert "本机关案件" in listed
    assert head.get(f"/cases/{investigating['id']}").status_code == 200


def test_the_heads_desk_lists_the_approvals_cases_wait_for_and_offers_an_extension_beside_its_deadline(
    app: FastAPI, cases: Cases, clock: FixedClock
) -> None:
    registered = cases.open()
    investigating = cases.investigated()
    head = TestClient(app)
    sign_in(head, "head")
    desk = head.get("/").text
    approvals = desk[desk.index('id="approvals-h"') :]
    approvals = approvals[: approvals.index("</section>")]
    # A registered case waits for its filing (第五十四条); nobody asked to preserve evidence or to extend the time to
    # decide: those approvals are on the case's page, not listed as waiting for every case they are possible in.
    assert f"/cases/{registered['id']}/steps/approve_filing" in approvals
    assert f"/cases/{investigating['id']}" not in approvals
    assert "approve_preservation" not in approvals
    assert "extend_decision_deadline" not in approvals
    clock.advance(days=88)  # two days left of the 90 to decide (第六十条)
    sign_in(head, "head")
    desk = head.get("/").text
    listed = desk[desk.index('id="at-risk"') :]
    listed = listed[: listed.index("</ul>")]
    assert f"/cases/{investigating['id']}/steps/extend_decision_deadline" in listed
    clock.advance(days=12)  # overdue: too late to extend (decision_deadline_not_passed)
    sign_in(head, "head")
    desk = head.get("/").text
    listed = desk[desk.index('id="at-risk"') :]
    listed = listed[: listed.index("</ul>")]
    assert f"/cases/{investigating['id']}" in listed
    assert "extend_decision_deadline" not in listed


def approvals(head: TestClient) -> str:
    """The approvals waiting on the head's desk, as the home page lists them."""
    return part_of(head.get("/").text, 'id="approvals-h"', "</section>")


def test_an_approval_an_officer_asks_for_waits_on_the_heads_desk_with_its_grounds_until_given(
    app: FastAPI, cases: Cases
) -> None:
    """Preserving evidence needs the head's approval (行政处罚法 第五十六条): asked on the case's record, it waits on
    the head's desk with the officer's grounds; given, it waits no more. Unasked, nobody is told it waits."""
    case = cases.open()
    cases.step(case, "approve_filing", "head")
    head = TestClient(app)
    sign_in(head, "head")

    assert f"/cases/{case['id']}" not in approvals(head)
    # The grounds are required: a request without them is refused and writes nothing.
    cases.step(case, "request_preservation_approval", expect=422, data={})
    cases.step(case, "request_preservation_approval", expect=422, data={"grounds": "  "})
    asked = cases.step(case, "request_preservation_approval", data={"grounds": "现场垃圾可能被清运，证据可能灭失"})
    assert asked["state"] == "investigating"  # a request decides nothing
    assert asked["file"]["approval_requests"]["approve_preservation"]["grounds"] == "现场垃圾可能被清运，证据可能灭失"
    waiting = approvals(head)
    assert f"/cases/{case['id']}/steps/approve_preservation" in waiting
    assert "现场垃圾可能被清运，证据可能灭失" in waiting
    assert "张伟请示于" in waiting  # who asked: officer1's name
    assert "extend_decision_deadline" not in waiting  # only what was asked
    given = cases.step(case, "approve_preservation", "head", reason="证据可能灭失")
    assert "approve_preservation" not in given["file"]["approval_requests"]
    assert f"/cases/{case['id']}" not in approvals(head)
    # A request the head alone could give is the officer's to make, and only where the procedure has that approval.
    cases.step(case, "request_preservation_approval", "head", expect=403, data={"grounds": "证据可能灭失"})
    closed = cases.investigated()
    refused = cases.step(closed, "request_preservation_approval", expect=409, data={"grounds": "证据可能灭失"})
    assert refused["code"] == "transition_refused"  # preservation is for the investigation (第五十六条)


def test_an_application_for_recusal_waits_on_the_heads_desk_naming_the_officer_until_decided(
    app: FastAPI, cases: Cases
) -> None:
    """第四十三条: an application for an officer's recusal, once recorded, waits on the head's desk — whose recusal,
    who applied, who recorded it, when and why — and its link opens the decision with that officer chosen; decided,
    it waits no more."""
    case = cases.open()
    cases.step(case, "approve_filing", "head")
    head = TestClient(app)
    sign_in(head, "head")

    assert f"/cases/{case['id']}" not in approvals(head)  # decide_recusal is possible, but nobody applied
    officer2 = cases.officer("officer2")
    grounds = "执法人员李娜系当事人的近亲属"
    cases.step(case, "apply_for_recusal", data={"officer_id": officer2, "applicant": "party", "grounds": grounds})
    waiting = approvals(head)
    link = f"/cases/{case['id']}/steps/decide_recusal?officer_id={officer2}&requested_by=party"
    # The officers see it waiting too, on the case's page.
    officer = TestClient(app)
    sign_in(officer, "officer1")
    page = officer.get(f"/cases/{case['id']}").text
    asked = part_of(page, 'id="asked-waiting"', "</ul>")
    assert "回避决定" in asked
    assert "当事人申请李娜回避" in asked
    assert html.escape(link) in waiting
    assert "当事人申请李娜回避" in waiting  # officer2's name
    assert "张伟记录于" in waiting  # recorded by officer1
    assert grounds in waiting
    page = head.get(link).text
    chosen = re.search(r'<select id="f-officer_id" name="officer_id"[^>]*>(.*?)</select>', page, re.S)
    assert chosen is not None, page
    assert re.search(rf'<option value="{officer2}" selected>李娜</option>', chosen.group(1)), chosen.group(1)
    assert '<option value="party" selected>' in page  # who applied (requested_by)
    # A link chooses only among the form's choices: an officer of another id, or text, is not put in the form.
    foreign = head.get(f"/cases/{case['id']}/steps/decide_recusal?officer_id=x&requested_by=nobody&reason=hi").text
    assert not re.search(r'<option value="[0-9a-f-]{36}" selected>', foreign)
    assert '<option value="officer" selected>' in foreign  # the payload's default, as unchosen
    assert ">hi<" not in foreign
    cases.step(
        case,
        "decide_recusal",
        "head",
        reason="经审查，李娜与当事人系近亲属，决定回避",
        data={"officer_id": officer2, "recused": True, "requested_by": "party"},
    )
    assert f"/cases/{case['id']}" not in approvals(head)
    assert 'id="asked-waiting"' not in officer.get(f"/cases/{case['id']}").text


def test_the_reviewers_queue_says_where_each_review_stands_in_words(
    app: FastAPI, cases: Cases, clock: FixedClock
) -> None:
    """A review requested and not yet taken, then taken: the reviewer's home says so in the page's language."""
    case = major_case(cases, clock)
    requested = cases.step(case, "request_legal_review", data={"materials": "调查终结报告、证据目录"})
    review_id = requested["file"]["reviews"][-1]["review_id"]
    reviewer = TestClient(app)
    sign_in(reviewer, "reviewer")
    assert "（已提请，待接收）" in reviewer.get("/").text
    taken = cases.client.post(f"/api/v1/cases/{case['id']}/reviews/{review_id}/take", headers=cases.auth("reviewer"))
    assert taken.status_code == 200, taken.text
    home = reviewer.get("/").text
    assert "（已接收，审核中）" in home
    assert "(taken)" not in home
    # The case file beside the review, in words: the penalty intended (第五十八条 reviews it), not the file's keys.
    page = html.unescape(reviewer.get(f"/cases/{case['id']}/reviews/{review_id}").text)
    facts = part_of(page, 'id="review-file"', "</dl>")
    assert "拟作出的行政处罚" in facts
    assert "罚款；罚款金额（元） 100000.00" in facts
    assert "法人或其他组织" in facts
    assert "catalogue_version" not in facts
    assert "party_heard" not in facts


def test_the_reviewers_queue_lists_a_renewed_request_not_the_one_it_superseded(
    app: FastAPI, cases: Cases, clock: FixedClock
) -> None:
    case = major_case(cases, clock)
    first = cases.step(case, "request_legal_review", data={"materials": "调查终结报告"})["file"]["reviews"][-1]
    cases.circumstances(case, findings="询问笔录、身份证明、营业执照")  # the case changes: the request is stale
    renewed = cases.step(case, "request_legal_review", data={"materials": "补充后"})["file"]["reviews"][-1]
    reviewer = TestClient(app)
    sign_in(reviewer, "reviewer")
    home = reviewer.get("/").text
    assert f"/reviews/{renewed['review_id']}" in home
    assert f"/reviews/{first['review_id']}" not in home


def test_only_a_head_opens_the_signing_and_discussion_pages(app: FastAPI, cases: Cases, clock: FixedClock) -> None:
    case = decided(cases, clock)
    officer = TestClient(app)
    sign_in(officer, "officer1")
    for path in ("signoffs/decision", "signoffs/collective_discussion", "discussion"):
        assert officer.get(f"/cases/{case['id']}/{path}").status_code == 403
    head = TestClient(app)
    sign_in(head, "head")
    assert head.get(f"/cases/{case['id']}/signoffs/something_else").status_code == 404
    # No discussion recorded: nothing to sign, and no button.
    nothing = head.get(f"/cases/{case['id']}/signoffs/collective_discussion")
    assert nothing.status_code == 200
    assert 'id="sign-statement"' not in nothing.text
