"""Money is typed in yuan and a decision's evidence is ticked: what an officer or a head types into a step's form is
what the documents and receipts say (元, not 分), and the records a decision relies on (行政处罚法 第四十条) are chosen
from the case's own, by their numbers, never looked up elsewhere and typed."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.clock import FixedClock
from service.console.forms import fen_of_yuan, form_of, numbers_of, read_answer
from service.runtime import Runtime
from tests.cases.driver import Auth, Cases
from tests.cases.test_case_api import to_party_heard

from .helpers import sign_in
from .test_casework import submit_step


@pytest.fixture
def cases(client: TestClient, auth: Auth, runtime: Runtime) -> Cases:
    return Cases(client, auth, runtime.clock)


@pytest.mark.parametrize(
    ("typed", "fen"),
    [("300", 30000), ("300.5", 30050), ("300.50", 30050), ("0.01", 1), (" 1200 ", 120000), ("0", 0)],
)
def test_an_amount_typed_in_yuan_is_sent_in_fen(typed: str, fen: int) -> None:
    assert fen_of_yuan(typed) == fen


@pytest.mark.parametrize("typed", ["300.505", "-5", "3,000", "三百", "1e3", "300元", ".5", ""])
def test_an_amount_that_is_not_yuan_to_the_fen_is_sent_as_typed_for_the_payload_to_refuse(typed: str) -> None:
    assert fen_of_yuan(typed) == typed


def test_numbers_are_ticked_one_by_one_or_typed_in_a_row() -> None:
    assert numbers_of(["2", "5"]) == [2, 5]
    assert numbers_of(["2, 3、4；5 6"]) == [2, 3, 4, 5, 6]
    assert numbers_of(["2, x"]) == "2, x"  # refused by the payload model, with its own message


def test_a_decisions_form_reads_its_fine_in_yuan_and_its_evidence_as_numbers() -> None:
    from service.cases.steps import STEPS

    decide = form_of(STEPS["decide_penalty"].payload.model_json_schema())
    kinds = {f.name: f.kind for f in decide.fields}
    assert kinds["penalty.fine_fen"] == "yuan"
    assert kinds["evidence"] == "numbers"
    fine = next(f for f in decide.fields if f.name == "penalty.fine_fen")
    assert fine.description == ""  # the schema's "an amount in fen" is not what the form takes
    answer: dict[str, Any] = read_answer(
        decide, {"penalty.kinds": ["fine"], "penalty.fine_fen": ["300"], "evidence": ["1", "3"]}
    )
    assert answer["penalty"]["fine_fen"] == 30000
    assert answer["evidence"] == [1, 3]


def test_the_head_decides_a_fine_typed_in_yuan_on_the_records_ticked_and_the_sign_off_shows_it_in_yuan(
    client: TestClient, cases: Cases, clock: FixedClock
) -> None:
    case = to_party_heard(cases, clock, fen=30000)
    sign_in(client, "head")
    page = html.unescape(client.get(f"/cases/{case['id']}/steps/decide_penalty").text)
    assert "罚款金额（元）" in page
    assert "单位：元，可精确到分" in page
    assert "（分）" not in page
    # The penalty the head intended is filled in, in yuan, to restate or change — not typed again.
    assert re.search(r'id="f-penalty-fine_fen" name="penalty.fine_fen"[^>]*value="300.00"', page), page
    assert 'name="penalty.kinds" value="fine" checked' in page
    # The inquiry is the case's evidence (第四十条): offered by its number, kind, time and gist.
    offered = re.findall(r'<input type="checkbox" id="f-evidence-(\d+)" name="evidence" value="\1">', page)
    assert offered, page
    assert "询问笔录 · " in page  # the record by its name, not its entry type
    assert "case:inquiry:recorded" not in page
    assert "当事人家中" in page
    decided = submit_step(
        client,
        case["id"],
        "decide_penalty",
        **{"penalty.kinds": "fine", "penalty.fine_fen": "300", "evidence": offered},
    )
    assert decided.status_code == 303, decided.text
    answer = client.get(f"/api/v1/cases/{case['id']}", headers=cases.auth("head")).json()
    assert answer["state"] == "decided"
    assert answer["file"]["decision"]["penalty"]["fine_fen"] == 30000  # 300 yuan, not 3
    assert answer["file"]["decision"]["evidence"] == [int(n) for n in offered]
    signoff = html.unescape(client.get(f"/cases/{case['id']}/signoffs/decision").text)
    assert "罚款金额（元）</dt><dd>300.00</dd>" in signoff
    assert "罚款</dd>" in signoff  # the kinds by their names (第九条)


def test_an_amount_not_in_yuan_is_refused_in_chinese_and_kept_in_the_form_to_correct(
    client: TestClient, cases: Cases, clock: FixedClock
) -> None:
    case = to_party_heard(cases, clock, fen=30000)
    sign_in(client, "head")
    refused = submit_step(
        client, case["id"], "decide_penalty", **{"penalty.kinds": "fine", "penalty.fine_fen": "三百元", "evidence": "1"}
    )
    assert refused.status_code == 422, refused.text
    page = html.unescape(refused.text)
    assert "data.penalty.fine_fen：应为整数" in page
    assert "Input should be" not in page
    assert 'value="三百元"' in page  # as typed, to correct
    assert cases.client.get(f"/api/v1/cases/{case['id']}", headers=cases.auth("head")).json()["state"] == "party_heard"
