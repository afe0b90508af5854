"""A party's personal data: every reader of a case sees it redacted; the clear data is disclosed by an act that
is recorded on the case's chain — who, when, which fields, why, never the data — for supervisors to see
(个人信息保护法 第五十一条). GET never writes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from service.cases.parties import mask_id_number, mask_phone

from .driver import Cases
from .test_reviews import seal

Auth = Callable[[str], dict[str, str]]
CLEAR = ("张三", "500228199001011234", "13800000000", "三组12号")


def entries(client: TestClient, auth: Auth) -> int:
    listing = client.get("/api/v1/agencies/tiemen/ledger/entries?limit=1000", headers=auth("supervisor"))
    return len(listing.json()["items"])


def test_masks_keep_what_tells_two_parties_apart() -> None:
    assert mask_id_number("500228199001011234") == "500228********1234"
    assert mask_id_number("50022890010112X") == "500228*****112X"
    assert mask_phone("13800001234") == "138****1234"
    assert mask_phone("023-12345678") == "023*****5678"
    assert mask_phone("12345") == "****5"
    assert mask_phone("1234") == "****"


def test_readers_of_a_case_see_the_party_redacted_and_reading_writes_nothing(
    cases: Cases, client: TestClient, auth: Auth
) -> None:
    case = cases.open()
    before = entries(client, auth)
    for who in ("officer1", "officer2", "head", "reviewer", "supervisor"):
        seen = client.get(f"/api/v1/cases/{case['id']}/party", headers=auth(who))
        assert seen.status_code == 200, seen.text
        assert seen.headers["cache-control"] == "no-store"
        assert seen.json() == {
            "party_type": "individual",
            "name": "张某某",
            "id_number": "500228********1234",
            "phone": "138****0000",
            "address": "重庆市梁平区铁门乡某村",
            "erased_fields": [],
            "redacted": True,
        }
    view = client.get(f"/api/v1/cases/{case['id']}", headers=auth("head")).text
    history = client.get(f"/api/v1/cases/{case['id']}/history", headers=auth("head")).text
    for clear in CLEAR:
        assert clear not in view
        assert clear not in history
    assert entries(client, auth) == before


def test_an_organisation_is_shown_by_name_its_phone_masked(cases: Cases, client: TestClient, auth: Auth) -> None:
    party = {
        "party_type": "organisation",
        "name": "某某保洁有限公司",
        "phone": "02345678901",
        "address": "铁门乡场镇1号",
    }
    case = cases.open(party=party)
    seen = client.get(f"/api/v1/cases/{case['id']}/party", headers=auth("head")).json()
    assert (seen["name"], seen["phone"], seen["address"]) == ("某某保洁有限公司", "023****8901", "铁门乡场镇1号")


def test_a_disclosure_answers_the_clear_data_and_is_recorded_without_it(
    cases: Cases, client: TestClient, auth: Auth, cli: Callable[..., Any], integrate: Callable[..., Any]
) -> None:
    case = cases.open()
    path = f"/api/v1/cases/{case['id']}/party/disclosures"
    disclosed = client.post(path, headers=auth("officer2"), json={"reason": "送达事先告知书需核对地址"})
    assert disclosed.status_code == 201, disclosed.text
    assert disclosed.headers["cache-control"] == "no-store"
    assert disclosed.json() == {
        "party_type": "individual",
        "name": "张三",
        "id_number": "500228199001011234",
        "phone": "13800000000",
        "address": "重庆市梁平区铁门乡某村三组12号",
        "erased_fields": [],
        "redacted": False,
    }
    history = client.get(f"/api/v1/cases/{case['id']}/history", headers=auth("supervisor")).json()
    entry = history[-1]
    assert entry["type"] == "case:personal_data:disclosed"
    assert entry["actor_name"] is not None
    assert entry["body"]["reason"] == "送达事先告知书需核对地址"
    assert entry["body"]["fields"] == ["name", "id_number", "phone", "address"]
    for clear in CLEAR:
        assert clear not in str(entry)

    listed = client.get(path, headers=auth("supervisor"))
    assert listed.status_code == 200, listed.text
    [only] = listed.json()
    assert only["actor"] == entry["actor"]
    assert only["reason"] == "送达事先告知书需核对地址"
    assert only["verifies"] is True
    seal(client, auth)
    audit = client.get(f"/api/v1/cases/{case['id']}/audit", headers=auth("supervisor")).json()
    assert "case:personal_data:disclosed" in [h["type"] for h in audit["history"]]

    integrate(force_checkpoint=True)
    result = cli("verify")
    assert result.exit_code == 0, result.output


def test_a_disclosure_needs_a_reason_and_access_to_the_case(cases: Cases, client: TestClient, auth: Auth) -> None:
    case = cases.open()
    path = f"/api/v1/cases/{case['id']}/party/disclosures"
    before = entries(client, auth)
    assert client.post(path, headers=auth("head"), json={"reason": ""}).status_code == 422
    assert client.post(path, headers=auth("head"), json={"reason": "   "}).status_code == 422
    assert client.post(path, headers=auth("head"), json={}).status_code == 422
    assert client.post(path, json={"reason": "x"}).status_code == 401
    assert client.post(path, headers=auth("admin"), json={"reason": "x"}).status_code == 403
    assert client.post(path, headers=auth("officer3"), json={"reason": "x"}).status_code == 404  # not assigned
    assert client.post(path, headers=auth("other-officer"), json={"reason": "x"}).status_code == 404
    assert client.get(f"/api/v1/cases/{case['id']}/party", headers=auth("other-supervisor")).status_code == 404
    assert client.get(path, headers=auth("officer1")).status_code == 403  # the list is the supervisors'
    assert client.get(path, headers=auth("other-supervisor")).status_code == 404
    assert entries(client, auth) == before


def test_exporting_the_bundle_is_a_disclosure_with_its_reason(cases: Cases, client: TestClient, auth: Auth) -> None:
    """The bundle carries the party's personal data: its export is a POST with a reason, recorded on the case's
    chain after the bundle is built; a blank reason, or a bundle not yet sealed, records nothing."""
    case = cases.open()
    path = f"/api/v1/cases/{case['id']}/export"
    unsealed = client.post(path, headers=auth("supervisor"), json={"reason": "移送法院"})
    assert unsealed.status_code == 409, unsealed.text
    assert unsealed.json()["code"] == "not_yet_sealed"
    seal(client, auth)
    before = entries(client, auth)
    for blank in ("", "   "):
        assert client.post(path, headers=auth("supervisor"), json={"reason": blank}).status_code == 422
    assert client.post(path, headers=auth("officer1"), json={"reason": "x"}).status_code == 403
    assert client.post(path, headers=auth("other-supervisor"), json={"reason": "x"}).status_code == 404
    assert entries(client, auth) == before
    exported = client.post(path, headers=auth("supervisor"), json={"reason": "移送法院"})
    assert exported.status_code == 200, exported.text
    assert exported.headers["content-type"] == "application/zip"
    history = client.get(f"/api/v1/cases/{case['id']}/history", headers=auth("supervisor")).json()
    assert history[-1]["type"] == "case:personal_data:disclosed"
    assert history[-1]["body"]["reason"] == "移送法院（导出案卷包）"


def test_an_erasure_answers_what_remains_redacted(cases: Cases, client: TestClient, auth: Auth) -> None:
    case = cases.open()
    erased = client.post(
        f"/api/v1/cases/{case['id']}/party/erase", headers=auth("head"), json={"fields": ["phone"], "reason": "届满"}
    ).json()
    assert (erased["phone"], erased["id_number"], erased["redacted"]) == (None, "500228********1234", True)
    assert erased["erased_fields"] == ["phone"]
