"""Every step is a declared contract: its payload model refuses what it does not know, the workflow files and the
declarations agree or the service does not start, and the procedure is readable by machines."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.cases.steps import STEPS, StepRegistryError, check_against_workflows
from service.cases.workflow import WorkflowFileError, load_workflows
from service.config import Settings
from service.runtime import load_case_context

from .driver import Cases
from .test_concurrent_steps import entries_of

Auth = Callable[[str], dict[str, str]]
ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = load_workflows(ROOT / "policies" / "workflows")
# Who may take each step, by the permission the workflow gives it.
ACTOR = {"case:act": "officer1", "case:approve": "head", "case:decide": "head"}
PERMISSION = {t.name: str(t.permission) for w in WORKFLOWS.values() for t in w.transitions}

# A valid payload for each step with required fields, and where to hide an unknown key inside it.
NESTED = {
    "intend_penalty": ({"penalty": {"kinds": ["fine"], "fine_fen": 100, "surprise": 1}}),
    "decide_penalty": ({"penalty": {"kinds": ["fine"], "fine_fen": 100, "surprise": 1}}),
    "decide_on_the_spot": ({"penalty": {"kinds": ["warning"], "surprise": 1}, "form_number": "1"}),
    "serve_prior_notice": ({"notice": {"penalty": {"kinds": ["warning"]}, "surprise": 1}}),
}


@pytest.mark.parametrize("step", sorted(STEPS))
def test_an_unknown_key_in_any_steps_data_is_a_422_and_writes_nothing(
    step: str, cases: Cases, client: TestClient, auth: Auth, runtime: Any
) -> None:
    case = cases.open()
    before = (
        entries_of(runtime, "case:case:registered"),
        client.get(f"/api/v1/cases/{case['id']}", headers=auth("head")).headers["ETag"],
    )
    who = ACTOR[PERMISSION[step]]
    bodies = [{"data": {"surprise": 1}}] + ([{"data": NESTED[step]}] if step in NESTED else [])
    for body in bodies:
        response = client.post(
            f"/api/v1/cases/{case['id']}/steps/{step}", headers=auth(who) | {"Accept-Language": "en"}, json=body
        )
        assert response.status_code == 422, (body, response.text)
        assert "surprise" in response.text
    after = (
        entries_of(runtime, "case:case:registered"),
        client.get(f"/api/v1/cases/{case['id']}", headers=auth("head")).headers["ETag"],
    )
    assert after == before


def test_a_string_is_not_taken_for_a_boolean_or_a_number(cases: Cases, client: TestClient, auth: Auth) -> None:
    case = cases.open()
    for data in ({"calendar_days": "30"}, {"calendar_days": 30.5}):
        response = client.post(
            f"/api/v1/cases/{case['id']}/steps/extend_decision_deadline", headers=auth("head"), json={"data": data}
        )
        assert response.status_code == 422, data
    response = client.post(
        f"/api/v1/cases/{case['id']}/steps/record_execution",
        headers=auth("officer1"),
        json={"data": {"non_fine_penalties_performed": "false"}},
    )
    assert response.status_code == 422


def test_each_step_has_its_own_documented_route_with_its_payload_schema(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for step in STEPS:
        operation = paths[f"/api/v1/cases/{{case_id}}/steps/{step}"]["post"]
        assert {"403", "404", "409", "412", "422"} <= set(operation["responses"]), step
        assert "requestBody" in operation, step


def test_the_procedure_is_published_with_states_steps_rules_and_schemas(client: TestClient) -> None:
    general = client.get("/api/v1/procedures/general")
    assert general.status_code == 200
    body = general.json()
    assert body["initial"] == "registered"
    decide = next(s for s in body["steps"] if s["name"] == "decide_penalty")
    assert decide["permission"] == "case:decide"
    guards = {g["name"]: g for g in decide["guards"]}
    assert guards["notice_served"]["basis"]["article"] == 44
    assert guards["notice_served"]["standing"] is True
    assert guards["within_discretion"]["standing"] is False
    assert decide["payload_schema"]["required"] == ["penalty"]
    assert decide["payload_schema"]["additionalProperties"] is False
    assert client.get("/api/v1/procedures/unknown").status_code == 422


def test_a_rule_of_another_sector_cited_where_the_law_is_silent_is_cited_by_analogy(client: TestClient) -> None:
    """行政处罚法 says nothing of closing a case (结案): the procedure cites 市场监督管理行政处罚程序规定 第七十七条,
    which binds market regulators, not a township — so the citation says （参照）, and no step of the law's own does."""
    steps = {s["name"]: s for s in client.get("/api/v1/procedures/general").json()["steps"]}
    closing = steps["close_case"]["basis"]
    assert closing["by_analogy"] is True
    assert closing["citation"] == "（参照）《市场监督管理行政处罚程序规定》第77条"
    assert "by_analogy" not in steps["decide_penalty"]["basis"]
    assert not steps["decide_penalty"]["basis"]["citation"].startswith("（参照）")


def test_the_workflow_readmes_guard_table_matches_the_published_procedures(client: TestClient) -> None:
    readme = (ROOT / "policies" / "workflows" / "README.md").read_text(encoding="utf-8")
    rows = {
        cells[1].strip("` "): cells[3]
        for line in readme.splitlines()
        if line.startswith("| `") and len(cells := line.split("|")) >= 5
    }
    for procedure in ("general", "summary"):
        for step in client.get(f"/api/v1/procedures/{procedure}").json()["steps"]:
            for guard in step["guards"]:
                assert guard["name"] in rows, f"the workflow README does not explain {guard['name']}"
                article = re.search(r"\d+", rows[guard["name"]])
                assert article is not None
                assert int(article.group()) == guard["basis"]["article"], guard["name"]


def _policies_with(tmp_path: Path, edit: Callable[[str], str]) -> Path:
    policies = tmp_path / "policies"
    shutil.copytree(ROOT / "policies", policies)
    general = policies / "workflows" / "general.yaml"
    general.write_text(edit(general.read_text(encoding="utf-8")), encoding="utf-8")
    return policies


def test_start_up_refuses_a_workflow_step_that_no_payload_declares(tmp_path: Path) -> None:
    policies = _policies_with(
        tmp_path,
        lambda text: text.replace("- name: archive_case", "- name: archive_the_case"),
    )
    with pytest.raises(StepRegistryError, match="archive_the_case"):
        load_case_context(Settings(policies_dir=policies))


def test_start_up_refuses_a_declared_step_that_no_workflow_has() -> None:
    workflows = {p: w for p, w in WORKFLOWS.items() if p.value == "general"}
    with pytest.raises(StepRegistryError, match="file_with_agency"):
        check_against_workflows(workflows)


def test_every_state_declares_its_category_and_the_service_keeps_no_list_of_its_own(client: TestClient) -> None:
    general = {s["state"]: s["category"] for s in client.get("/api/v1/procedures/general").json()["states"]}
    assert general["registered"] == "intake"
    assert {s for s, c in general.items() if c == "open"} >= {"investigating", "notice_served", "party_heard"}
    assert {s for s, c in general.items() if c == "closed"} == {"closed", "archived"}
    assert general["revoked"] == "ended"
    summary = {s["state"]: s["category"] for s in client.get("/api/v1/procedures/summary").json()["states"]}
    assert summary["summary_decided"] == "decided"


def test_a_state_without_a_category_is_refused(tmp_path: Path) -> None:
    policies = _policies_with(tmp_path, lambda text: text.replace("en: withdrawn, category: ended}", "en: withdrawn}"))
    with pytest.raises(WorkflowFileError, match=r"states\.withdrawn.*category"):
        load_case_context(Settings(policies_dir=policies))
