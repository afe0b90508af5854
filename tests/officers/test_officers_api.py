"""Officers and certificates through the API: who may do what, history never edited, reports, publicity."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.clock import FixedClock
from service.policy.calendar import local_date
from service.runtime import Runtime

Auth = Callable[[str], dict[str, str]]


@pytest.fixture
def today(runtime: Runtime) -> date:
    return local_date(runtime.clock.now())


def new_officer(client: TestClient, auth: Auth, name: str = "测试队员", unit: str = "brigade") -> dict[str, Any]:
    response = client.post("/api/v1/officers", headers=auth("admin"), json={"name": name, "unit": unit})
    assert response.status_code == 201, response.text
    return response.json()


def issue(client: TestClient, auth: Auth, officer_id: str, today: date, **over: Any) -> dict[str, Any]:
    body = {
        "number": over.pop("number", "渝TEST0001"),
        "issuer": "重庆市梁平区人民政府",
        "issued_on": str(over.pop("issued_on", today - timedelta(days=10))),
        "expires_on": str(over.pop("expires_on", today + timedelta(days=700))),
        "scope_categories": over.pop("scope_categories", ["fire_safety"]),
        **over,
    }
    response = client.post(f"/api/v1/officers/{officer_id}/certificates", headers=auth("head"), json=body)
    assert response.status_code == 201, response.text
    return response.json()


def qualification(client: TestClient, auth: Auth, officer_id: str, item: str, at: str | None = None) -> dict[str, Any]:
    params = {"item": item} | ({"at": at} if at else {})
    response = client.get(f"/api/v1/officers/{officer_id}/qualification", params=params, headers=auth("officer1"))
    assert response.status_code == 200, response.text
    return response.json()


def test_the_certificate_lifecycle_is_recorded_and_never_edited(client: TestClient, auth: Auth, today: date) -> None:
    officer = new_officer(client, auth)
    certificate = issue(client, auth, officer["id"], today)
    assert qualification(client, auth, officer["id"], "CQ-TM-002")["ok"] is True

    steps = [
        ("suspend", {"reason": "考核不合格"}, "suspended"),
        ("reinstate", {"reason": "重新考核合格"}, "active"),
        ("renew", {"reason": "到期换发", "expires_on": str(today + timedelta(days=1500))}, "active"),
        ("revoke", {"reason": "受到刑事处罚"}, "revoked"),
    ]
    for action, body, status in steps:
        response = client.post(f"/api/v1/certificates/{certificate['id']}/{action}", headers=auth("head"), json=body)
        assert response.status_code == 200, response.text
        assert response.json()["status"] == status
    detail = client.get(f"/api/v1/certificates/{certificate['id']}", headers=auth("officer1")).json()
    assert [e["kind"] for e in detail["history"]] == ["issued", "suspended", "reinstated", "renewed", "revoked"]
    assert detail["history"][1]["reason"] == "考核不合格"
    verdict = qualification(client, auth, officer["id"], "CQ-TM-002")
    assert verdict["ok"] is False
    assert "revoked" in [r["code"] for r in verdict["record"]["reasons"]]


def test_a_revoked_certificate_cannot_be_reinstated_naming_the_rule(
    client: TestClient, auth: Auth, today: date
) -> None:
    certificate = issue(client, auth, new_officer(client, auth)["id"], today)
    client.post(f"/api/v1/certificates/{certificate['id']}/revoke", headers=auth("head"), json={"reason": "x"})
    refused = client.post(
        f"/api/v1/certificates/{certificate['id']}/reinstate", headers=auth("head"), json={"reason": "y"}
    )
    assert refused.status_code == 409
    assert "交通运输行政执法证件管理规定" in refused.json()["article"]


def test_certificate_actions_need_the_permission(client: TestClient, auth: Auth, today: date) -> None:
    officer = new_officer(client, auth)
    body = {
        "number": "渝X1",
        "issuer": "x",
        "issued_on": str(today),
        "expires_on": str(today),
        "scope_categories": ["air"],
    }
    for user in ("officer1", "reviewer", "supervisor"):
        assert (
            client.post(f"/api/v1/officers/{officer['id']}/certificates", headers=auth(user), json=body).status_code
            == 403
        )
    assert (
        client.post("/api/v1/officers", headers=auth("officer1"), json={"name": "x", "unit": "brigade"}).status_code
        == 403
    )
    # another agency's admin cannot see this officer at all
    assert client.get(f"/api/v1/officers/{officer['id']}", headers=auth("other-admin")).status_code == 404


def test_invalid_certificates_are_refused(client: TestClient, auth: Auth, today: date) -> None:
    officer = new_officer(client, auth)
    url = f"/api/v1/officers/{officer['id']}/certificates"
    base = {"number": "渝Y1", "issuer": "x", "issued_on": str(today), "expires_on": str(today - timedelta(days=1))}
    assert client.post(url, headers=auth("head"), json={**base, "scope_categories": ["air"]}).status_code == 422
    base["expires_on"] = str(today + timedelta(days=10))
    assert client.post(url, headers=auth("head"), json=base).status_code == 422  # no scope
    assert client.post("/api/v1/officers", headers=auth("admin"), json={"name": "x", "unit": "mars"}).status_code == 422


def test_a_certificate_scoped_to_a_category_the_policy_does_not_name_is_refused(
    client: TestClient, auth: Auth, today: date
) -> None:
    """A typo in a category (``solid-waste`` for ``solid_waste``) would leave the certificate covering nothing by
    it, silently: it is refused, naming the categories policies/officers.yaml names, and nothing is written."""
    officer = new_officer(client, auth)
    url = f"/api/v1/officers/{officer['id']}/certificates"
    body = {"number": "渝Y2", "issuer": "x", "issued_on": str(today), "expires_on": str(today + timedelta(days=10))}
    refused = client.post(url, headers=auth("head"), json={**body, "scope_categories": ["air", "solid-waste"]})
    assert refused.status_code == 422
    problem = refused.json()
    assert problem["field"] == "scope_categories"
    assert "solid-waste" in problem["detail"]
    assert "固体废物污染防治（solid_waste）" in problem["detail"]
    assert client.get(f"/api/v1/officers/{officer['id']}", headers=auth("head")).json()["certificates"] == []
    assert issue(client, auth, officer["id"], today, number="渝Y2", scope_categories=["air", "solid_waste"])


def test_a_certificate_naming_an_item_the_catalogue_does_not_hold_is_recorded_with_a_warning(
    client: TestClient, auth: Auth, today: date
) -> None:
    """A certificate is recorded as its issuer wrote it — it may name items of another agency's catalogue — but an
    item is matched by its exact code, so a code the current catalogue does not hold (a typo) qualifies the officer
    for none of the agency's cases: the answer says so, naming the code."""
    officer = new_officer(client, auth)
    recorded = issue(
        client, auth, officer["id"], today, number="渝Y3", scope_categories=[], scope_items=["CQ-TM-004", "CQ-TM-04"]
    )
    assert recorded["scope_items"] == ["CQ-TM-004", "CQ-TM-04"]
    (warning,) = recorded["warnings"]
    assert warning["code"] == "scope_items_not_in_catalogue"
    assert warning["items"] == ["CQ-TM-04"]
    assert "CQ-TM-04" in warning["text_en"]
    assert "CQ-TM-04" in warning["text_zh"]
    assert qualification(client, auth, officer["id"], "CQ-TM-004")["record"]["certificate"] == "渝Y3"
    assert issue(client, auth, officer["id"], today, number="渝Y4", scope_items=["CQ-TM-004"])["warnings"] == []


def test_out_of_scope_and_expired_certificates_do_not_qualify(client: TestClient, auth: Auth, today: date) -> None:
    officer = new_officer(client, auth)
    issue(client, auth, officer["id"], today, expires_on=today + timedelta(days=3))
    out = qualification(client, auth, officer["id"], "CQ-TM-004")  # open burning: category "air"
    assert [r["code"] for r in out["record"]["reasons"]] == ["out_of_scope"]
    later = (today + timedelta(days=5)).isoformat() + "T10:00:00+08:00"
    expired = qualification(client, auth, officer["id"], "CQ-TM-002", at=later)
    assert "expired" in [r["code"] for r in expired["record"]["reasons"]]


def test_reports_count_certified_officers_and_list_what_needs_attention(
    client: TestClient, auth: Auth, today: date
) -> None:
    before = client.get("/api/v1/reports/certification", headers=auth("head")).json()
    officer = new_officer(client, auth, name="新队员")
    issue(client, auth, officer["id"], today, number="渝NEW001", expires_on=today + timedelta(days=20))
    after = client.get("/api/v1/reports/certification", headers=auth("head")).json()
    assert after["certified_officers"] == before["certified_officers"] + 1
    assert "渝NEW001" in [line["number"] for line in after["expiring"]]
    lapsed_day = today + timedelta(days=400)
    later = client.get(f"/api/v1/reports/certification?on={lapsed_day}", headers=auth("head")).json()
    assert "渝NEW001" in [line["number"] for line in later["cleanup"]]
    share = after["reviewer_share"]
    assert share["reviewers"] == 1
    assert share["certified_officers"] == after["certified_officers"]
    assert client.get("/api/v1/reports/certification", headers=auth("officer1")).status_code == 403


def test_an_unreviewed_certificate_lapses(client: TestClient, auth: Auth, today: date) -> None:
    officer = new_officer(client, auth)
    issue(client, auth, officer["id"], today, issued_on=today - timedelta(days=500), number="渝OLD1")
    report = client.get("/api/v1/reports/certification", headers=auth("head")).json()
    assert "渝OLD1" in [line["number"] for line in report["lapsed_without_review"]]
    assert "review_overdue" in [
        r["code"] for r in qualification(client, auth, officer["id"], "CQ-TM-002")["record"]["reasons"]
    ]


def test_trainings_and_exams_are_counted(client: TestClient, auth: Auth, today: date) -> None:
    officer = new_officer(client, auth)
    exam = {
        "kind": "exam",
        "title": "年度法律知识考试",
        "held_on": str(today),
        "participants": [{"officer_id": officer["id"], "passed": True}],
    }
    assert client.post("/api/v1/trainings", headers=auth("admin"), json=exam).status_code == 201
    training = client.get("/api/v1/reports/certification", headers=auth("head")).json()["training"]
    assert training["exams"] == 1
    assert training["exam_takers"] == 1


def test_the_public_officer_list_shows_only_what_the_law_publishes(client: TestClient) -> None:
    officers = client.get("/api/v1/public/agencies/tiemen/officers").json()
    assert len(officers) >= 5
    assert set(officers[0]) == {"name", "unit", "certificates"}
    assert set(officers[0]["certificates"][0]) == {
        "number",
        "scope_items",
        "scope_categories",
        "territory",
        "status",
        "expires_on",
    }


def test_an_officer_certified_over_395_days_ago_is_qualified_again_after_the_annual_review(
    client: TestClient, auth: Auth, today: date
) -> None:
    """(参照)交通运输行政执法证件管理规定 第三十条: a certificate lapses without its annual review (年度审验);
    the review route must be reachable, not captured by /certificates/{id}/{action}."""
    officer = new_officer(client, auth)
    certificate = issue(client, auth, officer["id"], today, issued_on=today - timedelta(days=400), number="渝REV1")
    assert qualification(client, auth, officer["id"], "CQ-TM-002")["ok"] is False

    path = f"/api/v1/certificates/{certificate['id']}/reviews"
    body = {"reviewed_on": str(today - timedelta(days=2)), "passed": True, "note": "年度审验合格"}
    assert client.post(path, headers=auth("officer1"), json=body).status_code == 403
    reviewed = client.post(path, headers=auth("head"), json=body)
    assert reviewed.status_code == 200, reviewed.text
    assert reviewed.json()["last_reviewed_on"] == body["reviewed_on"]
    assert qualification(client, auth, officer["id"], "CQ-TM-002")["ok"] is True
    history = client.get(f"/api/v1/certificates/{certificate['id']}", headers=auth("officer1")).json()["history"]
    assert [e["kind"] for e in history] == ["issued", "reviewed"]
    assert (
        client.post(f"/api/v1/certificates/{certificate['id']}/promote", headers=auth("head"), json={}).status_code
        == 422
    )


def _published(client: TestClient, number: str) -> dict[str, Any]:
    officers = client.get("/api/v1/public/agencies/tiemen/officers").json()
    return next(c for o in officers for c in o["certificates"] if c["number"] == number)


def test_the_public_officer_list_shows_a_certificate_past_its_expiry_as_expired_on_that_day(
    client: TestClient, auth: Auth, clock: FixedClock, today: date
) -> None:
    officer = new_officer(client, auth)
    issue(client, auth, officer["id"], today, number="渝EXP1", expires_on=today + timedelta(days=1))
    issue(client, auth, officer["id"], today, number="渝NEW1", issued_on=today + timedelta(days=3))
    assert _published(client, "渝EXP1")["status"] == "active"
    assert _published(client, "渝NEW1")["status"] == "not_yet_valid"
    # Asia/Shanghai dates: 16:00 UTC on the expiry day is already the next day in Shanghai.
    expiry = today + timedelta(days=1)
    clock.at = datetime(expiry.year, expiry.month, expiry.day, 15, 59, tzinfo=UTC)  # 23:59 in Shanghai
    assert _published(client, "渝EXP1")["status"] == "active"
    clock.at = datetime(expiry.year, expiry.month, expiry.day, 16, 0, tzinfo=UTC)  # 00:00 the day after
    assert _published(client, "渝EXP1")["status"] == "expired"


def test_a_suspended_certificate_stays_suspended_in_public_whatever_its_dates(
    client: TestClient, auth: Auth, today: date
) -> None:
    officer = new_officer(client, auth)
    certificate = issue(client, auth, officer["id"], today, number="渝SUS1")
    path = f"/api/v1/certificates/{certificate['id']}/suspend"
    assert client.post(path, headers=auth("head"), json={"reason": "考核不合格"}).status_code == 200
    assert _published(client, "渝SUS1")["status"] == "suspended"
