"""The decision to seal or seize and its list (查封、扣押决定书和清单), read back from the PDF of a case built
through the API: what 中华人民共和国行政强制法 第二十四条 requires them to state."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from service.clock import FixedClock
from service.documents.amounts import date_in_chinese
from service.policy.calendar import local_date
from tests.cases.driver import Cases
from tests.cases.test_coercive_measures import APPRAISAL, SEIZURE

from .test_document_contents import issued_text
from .test_issue_and_verify import issue
from .walk import text_of

pytestmark = pytest.mark.slow

ADDRESS = "重庆市梁平区铁门乡某村三组12号"
GATE = {
    "name": "垃圾转运站铁门",
    "quantity": "1处",
    "identified_by": "address",
    "identifier": "铁门乡某村垃圾转运站",
    "relation_to_act": "当事人违法经营的场所",
    "necessity_of_life": False,
    "sealed_by_other_organ": False,
}


def seized_case(cases: Cases) -> dict[str, Any]:
    case = cases.open()
    cases.step(case, "approve_filing", "head")
    cases.step(case, "approve_seizure", "head", reason="车辆可能被转移")
    cases.step(case, "decide_seizure", officers=cases.with_second(), data=SEIZURE)
    return case


def test_the_seizure_decision_states_what_article_24_requires(cases: Cases, clock: FixedClock) -> None:
    case = cases.open()
    cases.step(case, "approve_filing", "head")
    refused = issue(cases, case, "seizure_decision", "officer1", expect=409)
    assert refused["detail"].endswith("尚未作出查封、扣押决定")
    cases.step(case, "approve_seizure", "head", reason="车辆可能被转移")
    cases.step(case, "decide_seizure", officers=cases.with_second(), data=SEIZURE)

    document, text = issued_text(cases, case, "seizure_decision", "officer1")
    assert document["number"] == "铁门封扣决〔2026〕1号"
    today = local_date(clock.now())
    for required in (
        "查封、扣押决定书",
        # (一) the party's name and address
        "张三",
        ADDRESS,
        # (二) the reason, the basis and the period (第二十五条: thirty days)
        SEIZURE["reason"],
        SEIZURE["basis"],
        "经本机关负责人批准",
        f"三十日（{date_in_chinese(today)}至{date_in_chinese(today + timedelta(days=30))}）",
        # (三) the things, by name and quantity
        "农用三轮车",
        "1辆",
        "编织袋",
        "3袋",
        # each identified, so that it is sealed once (第二十三条第二款)
        "铁门封字2026-0001",
        # (四) reconsideration and litigation: the bodies and the periods
        "重庆市梁平区人民政府",
        "六十日",
        "重庆市梁平区人民法院",
        "六个月",
        # (五) the agency, its seal and the date
        "（印章）",
        date_in_chinese(today),
        "执法证号",
    ):
        assert required in text, required
    assert "扣押" in text
    assert "查封期限" not in text


def test_the_list_names_every_thing_in_two_copies_signed_by_the_party(cases: Cases) -> None:
    case = seized_case(cases)
    document, text = issued_text(cases, case, "seizure_list", "officer1")
    for required in ("查封、扣押清单", "张三", "农用三轮车", "1辆", "编织袋", "3袋", "一式二份"):
        assert required in text, required
    assert text.count("当事人签名（捺印）") > document["pages"]  # on every page, and at the end


def test_each_seizure_has_its_own_papers_and_an_urgent_one_says_so_art_19(cases: Cases) -> None:
    case = seized_case(cases)
    urgent = SEIZURE | {"kind": "seal", "urgent": True, "things": [GATE]}
    cases.step(case, "decide_seizure", officers=cases.with_second(), data=urgent)
    # Two seizures: which one is printed is a choice.
    ambiguous = issue(cases, case, "seizure_decision", "officer1", expect=409)
    second = ambiguous["entries"][1]
    response = cases.client.get(
        f"/api/v1/cases/{case['id']}/documents/seizure_decision/draft?entry={second}", headers=cases.auth("officer1")
    )
    assert response.status_code == 200, response.text
    text = text_of(response.content)
    assert "垃圾转运站铁门" in text
    assert "农用三轮车" not in text
    assert "查封期限" in text
    assert "第十九条" in text
    assert "二十四小时内" in text


def test_the_dossier_holds_the_papers_of_every_seizure(cases: Cases) -> None:
    case = seized_case(cases)
    refused = issue(cases, case, "dossier", "officer1", expect=409)
    assert "查封、扣押决定书" in refused["detail"]
    issue(cases, case, "seizure_decision", "officer1")
    _, dossier = issued_text(cases, case, "dossier", "officer1")
    assert "查封、扣押决定书" in dossier


def test_an_extension_and_a_release_are_told_to_the_party_in_writing_arts_25_and_28(
    cases: Cases, clock: FixedClock
) -> None:
    case = seized_case(cases)
    decided_on = local_date(clock.now())
    assert issue(cases, case, "seizure_extension", "officer1", expect=409)["detail"].endswith(
        "尚未决定延长查封、扣押期限"
    )
    assert issue(cases, case, "seizure_release", "officer1", expect=409)["detail"].endswith("尚未决定解除查封、扣押")
    clock.advance(days=20)
    extension = {"seizure": 1, "calendar_days": 30, "reason": "涉案车辆需送检验"}
    cases.step(case, "extend_seizure", "head", data=extension)
    document, text = issued_text(cases, case, "seizure_extension", "officer1")
    assert document["number"] == "铁门封扣延〔2026〕1号"
    for required in (
        "延长查封、扣押期限决定书",
        "张三",
        date_in_chinese(decided_on),  # the seizure it extends
        "农用三轮车",
        "涉案车辆需送检验",  # 第二十五条第二款: the reason, in writing
        f"三十日，至{date_in_chinese(decided_on + timedelta(days=60))}",
        "第二十五条",
        "六十日",
        "六个月",
    ):
        assert required in text, required

    release = {"seizure": 1, "ground": "no_violation", "returned": "车辆已当场退还当事人"}
    cases.step(case, "release_seizure", "head", data=release)
    document, text = issued_text(cases, case, "seizure_release", "officer1")
    assert document["number"] == "铁门封扣解〔2026〕1号"
    for required in (
        "解除查封、扣押决定书",
        "张三",
        "农用三轮车",
        "当事人没有违法行为",
        "第二十八条",
        "车辆已当场退还当事人",
    ):
        assert required in text, required


def test_an_extension_after_testing_states_the_last_day_without_the_testing_days_art_25_3(
    cases: Cases, clock: FixedClock
) -> None:
    case = seized_case(cases)
    decided_on = local_date(clock.now())
    clock.advance(days=5)
    cases.step(case, "start_seizure_appraisal", "head", data=APPRAISAL)
    clock.advance(days=4)
    cases.step(case, "end_seizure_appraisal", data={"seizure": 1, "result": "检测报告：车厢残留物为生活垃圾"})
    clock.advance(days=10)
    cases.step(case, "extend_seizure", "head", data={"seizure": 1, "calendar_days": 30, "reason": "情况复杂"})
    _, text = issued_text(cases, case, "seizure_extension", "officer1")
    # 30 days, 4 of testing not counted (第二十五条第三款), and 30 more (第二十五条第一款).
    assert f"三十日，至{date_in_chinese(decided_on + timedelta(days=64))}" in text
    assert "渝D12345" in text
