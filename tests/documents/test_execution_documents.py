"""The written notice of a testing period (行政强制法 第二十五条第三款), the compulsory execution decision (第三十七条)
and the announcement of a demolition (第四十四条), read back from the PDF of a case built through the API: what the
law requires each to state, one document per act, and the dossier holding them all."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from service.clock import FixedClock
from service.documents.amounts import date_in_chinese
from tests.cases.driver import Cases
from tests.cases.test_coercive_measures import APPRAISAL
from tests.cases.test_execution import today
from tests.cases.test_own_execution import decision, order_served

from .test_document_contents import issued_text
from .test_issue_and_verify import issue
from .test_seizure_documents import ADDRESS, seized_case
from .walk import text_of

pytestmark = pytest.mark.slow


def unprinted(cases: Cases, case: dict[str, Any]) -> set[int]:
    """The entries the dossier still waits for (its refusal names them)."""
    refused = issue(cases, case, "dossier", "officer1", expect=409)
    return set(refused["entries"])


def test_the_period_of_testing_is_told_to_the_party_in_writing_art_25_3(cases: Cases, clock: FixedClock) -> None:
    case = seized_case(cases)
    seized_on = today(clock)
    refused = issue(cases, case, "appraisal_notice", "officer1", expect=409)
    assert refused["detail"].endswith("尚未将查封、扣押的物品送检测、检验、检疫或者技术鉴定")
    clock.advance(days=5)
    started_on = today(clock)
    cases.step(case, "start_seizure_appraisal", "head", data=APPRAISAL)

    document, text = issued_text(cases, case, "appraisal_notice", "officer1")
    assert document["number"] == "铁门检告〔2026〕1号"
    for required in (
        "检测（检验、检疫、技术鉴定）期间告知书",
        "张三",
        ADDRESS,
        date_in_chinese(seized_on),  # the seizure whose things are tested
        "扣押",
        "农用三轮车",
        "渝D12345",
        "重庆市梁平区环境监测站",
        # the period stated (第二十五条第三款: 应当明确), counted from the day after it starts
        "检测期间：十日"
        f"（{date_in_chinese(started_on + timedelta(days=1))}至{date_in_chinese(started_on + timedelta(days=10))}）",
        "第二十五条第三款",
        "扣押的期间不包括检测的期间",
        "费用由本机关承担",
        "当事人签名（捺印）",
        "（印章）",
    ):
        assert required in text, required


def test_each_testing_has_its_own_notice_and_the_dossier_waits_for_each(cases: Cases, clock: FixedClock) -> None:
    case = seized_case(cases)
    cases.step(case, "start_seizure_appraisal", "head", data=APPRAISAL)
    clock.advance(days=3)
    cases.step(case, "end_seizure_appraisal", data={"seizure": 1, "result": "检测报告：需进一步鉴定"})
    second = APPRAISAL | {"kind": "technical_appraisal", "institution": "重庆市某司法鉴定所", "calendar_days": 7}
    cases.step(case, "start_seizure_appraisal", "head", data=second)
    waiting = unprinted(cases, case)

    # Two appraisals: which notice is printed is a choice.
    ambiguous = issue(cases, case, "appraisal_notice", "officer1", expect=409)
    first, latest = ambiguous["entries"]
    assert {first, latest} <= waiting
    response = cases.client.get(
        f"/api/v1/cases/{case['id']}/documents/appraisal_notice/draft?entry={latest}", headers=cases.auth("officer1")
    )
    assert response.status_code == 200, response.text
    text = text_of(response.content)
    assert "重庆市某司法鉴定所" in text
    assert "技术鉴定期间：七日" in text
    assert "环境监测站" not in text

    response = cases.client.post(
        f"/api/v1/cases/{case['id']}/documents/appraisal_notice/issue?entry={latest}", headers=cases.auth("officer1")
    )
    assert response.status_code == 201, response.text
    assert waiting - unprinted(cases, case) == {latest}
    assert first in unprinted(cases, case)


def executed_order(cases: Cases, clock: FixedClock) -> dict[str, Any]:
    """Item CQ-TM-007: the order to demolish the third floor unperformed, the party reminded with a period
    (第三十五条) and heard (第三十六条), the period passed."""
    case = order_served(cases, clock)
    clock.advance(days=31)
    reinspected = {"corrected": False, "findings": "未改"}
    cases.step(case, "reinspect_correction", officers=cases.with_second(), data=reinspected)
    perform_by = today(clock) + timedelta(days=10)
    cases.step(
        case, "serve_reminder", officers=cases.with_second(),
        data={"method": "直接送达", "perform_by": perform_by.isoformat()},
    )  # fmt: skip
    statement = {
        "statement": "房屋为自住，请求缓拆",
        "review": "经复核，超出许可证的事实清楚，理由不成立",
        "accepted": False,
    }
    cases.step(case, "hear_execution_statement", data=statement)
    clock.advance(days=11)
    return case


def test_the_execution_decision_and_the_demolition_announcement_state_arts_37_and_44(
    cases: Cases, clock: FixedClock
) -> None:
    case = executed_order(cases, clock)
    reminded_on = today(clock) - timedelta(days=11)
    refused = issue(cases, case, "own_execution_decision", "head", expect=409)
    assert refused["detail"].endswith("尚未作出强制执行决定")
    execute_on = today(clock) + timedelta(days=20)
    cases.step(case, "decide_own_execution", "head", data=decision(clock, execute_on=execute_on.isoformat()))
    waiting = unprinted(cases, case)
    # 第三十七条: the head decides, as the decision it executes; an officer cannot issue it.
    issue(cases, case, "own_execution_decision", "officer1", expect=403)

    document, text = issued_text(cases, case, "own_execution_decision", "head")
    assert document["number"] == "铁门强执决〔2026〕1号"
    for required in (
        "行政强制执行决定书",
        # (一) the party's name and address
        "张三",
        ADDRESS,
        # the facts: the order, the reminder and its period, the statement and its review (第三十五条、第三十六条)
        "拆除超出许可证的第三层",
        date_in_chinese(reminded_on),
        date_in_chinese(reminded_on + timedelta(days=10)),
        "逾期仍未履行",
        "房屋为自住，请求缓拆",
        "理由不成立",
        # (二) the reasons and the basis
        "责令限期改正逾期未改正，经催告仍不履行",
        "《中华人民共和国城乡规划法》第六十五条",
        # (三) the manner and the time
        "强制拆除超出许可证的第三层",
        f"自{date_in_chinese(execute_on)}起执行",
        # (四) the ways and periods of remedy
        "申请行政复议或者提起行政诉讼的途径和期限",
        "可在六十日内向梁平区人民政府申请行政复议",
        "六个月内向梁平区人民法院提起行政诉讼",
        # (五) the agency, its seal and the date
        "（印章）",
        date_in_chinese(today(clock)),
    ):
        assert required in text, required
    decided_entry = waiting - unprinted(cases, case)
    assert len(decided_entry) == 1  # the dossier waited for it, and no longer does

    refused = issue(cases, case, "demolition_announcement", "officer1", expect=409)
    assert refused["detail"].endswith("尚未公告强制拆除")
    clock.advance(days=1)
    demolish_by = today(clock) + timedelta(days=10)
    announcement = {
        "text": "限期自行拆除公告",
        "posted_at": "村委会公告栏及现场",
        "demolish_by": demolish_by.isoformat(),
    }
    cases.step(case, "announce_demolition", "head", data=announcement)
    waiting = unprinted(cases, case)
    document, text = issued_text(cases, case, "demolition_announcement", "officer1")
    assert document["number"] == "铁门拆公〔2026〕1号"
    for required in (
        "强制拆除公告",
        "张三",
        "铁门强执决〔2026〕1号",  # the decision it follows (第三十七条)
        "强制拆除超出许可证的第三层",
        f"限当事人于{date_in_chinese(demolish_by)}前自行拆除",  # 第四十四条: the period to demolish oneself
        "第四十四条",
        "不申请行政复议或者提起行政诉讼",
        "六十日",
        "六个月",
        "村委会公告栏及现场",
        "特此公告",
        "（印章）",
    ):
        assert required in text, required
    assert len(waiting - unprinted(cases, case)) == 1


def test_each_announcement_is_its_own_document(cases: Cases, clock: FixedClock) -> None:
    case = executed_order(cases, clock)
    cases.step(case, "decide_own_execution", "head", data=decision(clock))
    for days in (10, 20):
        demolish_by = (today(clock) + timedelta(days=days)).isoformat()
        cases.step(
            case, "announce_demolition", "head", data={"text": "公告", "posted_at": "现场", "demolish_by": demolish_by}
        )
    ambiguous = issue(cases, case, "demolition_announcement", "officer1", expect=409)
    _, latest = ambiguous["entries"]
    response = cases.client.get(
        f"/api/v1/cases/{case['id']}/documents/demolition_announcement/draft?entry={latest}",
        headers=cases.auth("officer1"),
    )
    assert response.status_code == 200, response.text
    text = text_of(response.content)
    assert f"{date_in_chinese(today(clock) + timedelta(days=20))}前自行拆除" in text
    assert f"{date_in_chinese(today(clock) + timedelta(days=10))}前" not in text
