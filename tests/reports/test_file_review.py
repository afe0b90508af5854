"""The case-file review (案卷评查) after 广东省行政执法案卷评查办法: four grades (第十六条), automatic fails computed
from the case file (第十七条), named independent reviewers (第十条) and re-review of a failed file (第十二条)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from service.cases import workflow
from service.cases.deadlines import Periods
from service.cases.guards import CaseFacts, Refusal
from service.clock import FixedClock
from service.reports.file_review_rules import (
    FailGround,
    FileFacts,
    Grade,
    ReviewerScore,
    assess,
    automatic_fails,
    grade_of,
    load_file_review_policy,
)
from tests.cases.driver import Cases
from tests.cases.test_case_api import NOTICE, fine
from tests.cases.test_publicity_reports import closed
from tests.cases.test_reviews import major_case, review

Auth = Callable[[str], dict[str, str]]
ROOT = Path(__file__).resolve().parents[2]
POLICY = load_file_review_policy(ROOT / "policies" / "file-review.yaml")
CST = ZoneInfo("Asia/Shanghai")

SOUND = FileFacts(
    general=True,
    penalty_decided=True,
    decided_at=datetime(2026, 6, 20, 10, tzinfo=CST),
    evidence_before_decision=2,
    notice_served_before_decision=True,
    hearing_scheduled_for=date(2026, 6, 10),
    hearing_held_on=date(2026, 6, 10),
    decision_deadline=date(2026, 8, 30),
    served_late=False,
    failed_checks=(),
    unqualified_acts=(),
    review_required_not_passed=False,
    decided_despite_review_problems=False,
    cited_evidence=(2, 3),
)


@pytest.mark.parametrize(
    ("score", "grade"),
    [
        (59.9, Grade.FAIL),
        (60, Grade.PASS),
        (74.9, Grade.PASS),
        (75, Grade.GOOD),
        (89.9, Grade.GOOD),
        (90, Grade.EXCELLENT),
    ],
)
def test_four_grades_art_16(score: float, grade: Grade) -> None:
    assert grade_of(score) is grade


def test_a_sound_file_has_no_automatic_fail() -> None:
    assert automatic_fails(SOUND) == []


def test_a_hearing_held_before_its_notified_date_fails_the_file_art_17_3() -> None:
    early = replace(SOUND, hearing_held_on=date(2026, 6, 1))
    fails = automatic_fails(early)
    assert [f.ground for f in fails] == [FailGround.PROCEDURE]
    assert "2026-06-01" in str(fails[0])
    assert "2026-06-10" in str(fails[0])
    assert assess(POLICY, 100, fails, []).grade is Grade.FAIL


def test_a_penalty_relying_on_no_recorded_evidence_fails_the_file_art_17_1() -> None:
    fails = automatic_fails(replace(SOUND, evidence_before_decision=0))
    assert [f.ground for f in fails] == [FailGround.FACTS_OR_EVIDENCE]
    assert "第十七条第1项" in str(fails[0])


def test_a_penalty_citing_no_evidence_fails_the_file_art_17_1() -> None:
    fails = automatic_fails(replace(SOUND, cited_evidence=()))
    assert [f.ground for f in fails] == [FailGround.FACTS_OR_EVIDENCE]
    assert "未载明所依据的证据" in str(fails[0])


def test_a_penalty_citing_what_is_not_recorded_evidence_fails_the_file_art_17_1() -> None:
    fails = automatic_fails(replace(SOUND, cited_evidence=(2, 9), cited_not_recorded=(9,)))
    assert [f.ground for f in fails] == [FailGround.FACTS_OR_EVIDENCE]
    assert "第9号" in str(fails[0])


def test_a_decision_after_its_deadline_fails_the_file_art_17_3() -> None:
    late = replace(SOUND, decision_deadline=date(2026, 6, 19))
    assert [f.ground for f in automatic_fails(late)] == [FailGround.PROCEDURE]


def test_the_reviewers_mean_grades_the_file_once_enough_have_scored() -> None:
    one = [ReviewerScore("user:a", 1, 80)]
    assert not assess(POLICY, 100, [], one).final
    assert assess(POLICY, 100, [], one).grade is Grade.EXCELLENT  # provisional: the computed score
    two = [*one, ReviewerScore("user:b", 1, 70)]
    result = assess(POLICY, 100, [], two)
    assert result.final
    assert result.score == 75
    assert result.grade is Grade.GOOD


# --- through the API ---


def _lifted(facts: CaseFacts, periods: Periods) -> Refusal | None:
    return None


def closed_without_evidence(cases: Cases, clock: FixedClock) -> dict[str, Any]:
    """A fine decided with no inquiry, no inspection and no evidence: the probe's file that scored 80 and passed.
    Such a decision is now refused (guard decision_evidence_recorded, 第四十条); the file is made as it was
    before that rule — the rule lifted while it is decided — because the ledger keeps such files, and the review
    must still fail them."""
    with pytest.MonkeyPatch.context() as patch:
        lifted = dict(workflow.GUARDS)
        lifted["decision_evidence_recorded"] = replace(lifted["decision_evidence_recorded"], check=_lifted)
        patch.setattr(workflow, "GUARDS", MappingProxyType(lifted))
        return _closed_without_evidence(cases, clock)


def _closed_without_evidence(cases: Cases, clock: FixedClock) -> dict[str, Any]:
    case = cases.open()
    cases.step(case, "approve_filing", "head")
    cases.step(case, "close_investigation", officers=cases.with_second(), data={"report": "r"})
    cases.circumstances(case)
    cases.step(case, "intend_penalty", "head", data={"penalty": fine(30000)})
    cases.step(
        case, "serve_prior_notice", officers=cases.with_second(), data={"notice": NOTICE | {"penalty": fine(30000)}}
    )
    clock.advance(days=8)
    cases.step(case, "conclude_party_hearing")
    cases.step(case, "decide_penalty", "head", data={"penalty": fine(30000)})
    cases.sign_decision(case, cases.signer("head"))
    cases.serve_decision(case)
    cases.step(case, "record_payment", data={"amount_fen": 30000, "paid_on": "2026-06-12", "receipt": "NO.0003"})
    cases.step(case, "record_execution")
    return cases.step(case, "close_case", "head")


def review_of(client: TestClient, auth: Auth, case: dict[str, Any]) -> dict[str, Any]:
    response = client.get(f"/api/v1/reports/file-review/{case['id']}", headers=auth("head"))
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_a_fine_decided_without_any_evidence_fails_the_review(
    cases: Cases, clock: FixedClock, client: TestClient, auth: Auth
) -> None:
    review = review_of(client, auth, closed_without_evidence(cases, clock))
    assert review["passed"] is False
    assert review["grade"] == "fail"
    assert review["grade_zh"] == "不合格"
    assert any("证据不足" in f for f in review["automatic_fails"])


def test_named_reviewers_score_independently_and_only_a_failed_file_is_reviewed_again(
    cases: Cases, clock: FixedClock, client: TestClient, auth: Auth
) -> None:
    case = closed_without_evidence(cases, clock)
    path = f"/api/v1/reports/file-review/{case['id']}/scores"
    # 第十条: the head decided this case and is recused (and holds no review permission anyway).
    assert client.post(path, headers=auth("head"), json={"deductions": []}).status_code == 403
    deduction = {"item": "证据材料", "points": 30, "reason": "未收集任何证据"}
    first = client.post(path, headers=auth("reviewer"), json={"deductions": [deduction]})
    assert first.status_code == 201, first.text
    assert first.json() == {"case_id": case["id"], "round": 1, "reviewer": first.json()["reviewer"], "score": 70}
    twice = client.post(path, headers=auth("reviewer"), json={"deductions": []})
    assert twice.status_code == 409
    assert twice.json()["basis"]["law"] == "广东省行政执法案卷评查办法"
    review = review_of(client, auth, case)
    assert review["reviewers"] == [{"reviewer": first.json()["reviewer"], "score": 70}]
    assert review["final"] is False  # two reviewers score each file (policies/file-review.yaml)


def test_the_legal_reviewer_of_a_case_does_not_review_its_file_art_10(
    cases: Cases, clock: FixedClock, client: TestClient, auth: Auth
) -> None:
    case = major_case(cases, clock)
    review(cases, case, cases.signer("reviewer"))
    cases.step(case, "withdraw_case", "head", reason="当事人已注销，无权利义务承受人")
    assert cases.step(case, "archive_case")["state"] == "archived"
    response = client.post(
        f"/api/v1/reports/file-review/{case['id']}/scores", headers=auth("reviewer"), json={"deductions": []}
    )
    assert response.status_code == 409, response.text
    assert response.json()["guard"] == "reviewer_independent"
    assert response.json()["basis"]["article"] == 10


def second_reviewer(client: TestClient, auth: Auth) -> str:
    created = client.post(
        "/api/v1/users",
        headers=auth("admin"),
        json={"username": "reviewer2", "display_name": "钱审", "roles": ["reviewer"], "password": "x" * 16},
    )
    assert created.status_code == 201, created.text
    return "reviewer2"


def test_two_reviewers_grade_a_file_and_only_a_failed_one_is_reviewed_again_art_12(
    cases: Cases, clock: FixedClock, client: TestClient, auth: Auth
) -> None:
    other = second_reviewer(client, auth)
    sound, failed = closed(cases, clock), closed_without_evidence(cases, clock)
    for case, points in ((sound, 5), (failed, 45)):
        for who in ("reviewer", other):
            deduction = {"item": "执法文书", "points": points, "reason": "文书格式不规范"}
            scored = client.post(
                f"/api/v1/reports/file-review/{case['id']}/scores", headers=auth(who), json={"deductions": [deduction]}
            )
            assert scored.status_code == 201, scored.text
    graded = review_of(client, auth, sound)
    assert (graded["final"], graded["grade"], graded["round"]) == (True, "excellent", 1)
    again = client.post(f"/api/v1/reports/file-review/{sound['id']}/scores", headers=auth("reviewer"), json={})
    assert again.status_code == 409
    assert again.json()["guard"] == "re_review_of_failed_file_only"
    assert review_of(client, auth, failed)["grade"] == "fail"
    re_review = client.post(f"/api/v1/reports/file-review/{failed['id']}/scores", headers=auth("reviewer"), json={})
    assert re_review.status_code == 201, re_review.text
    assert re_review.json()["round"] == 2
    assert review_of(client, auth, failed)["round"] == 2
