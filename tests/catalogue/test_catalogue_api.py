"""The catalogue as data: loaded as a ledger entry, versioned by content hash, refused whole on any error."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from service.runtime import Runtime

Auth = Callable[[str], dict[str, str]]
SAMPLE = Path(__file__).resolve().parents[2] / "policies" / "catalogue" / "tiemen-sample.yaml"


def test_the_agency_has_the_15_sample_items(client: TestClient, auth: Auth) -> None:
    body = client.get("/api/v1/catalogue", headers=auth("officer1")).json()
    assert len(body["items"]) == 15
    assert len(body["version"]) == 64
    item = client.get("/api/v1/catalogue/items/CQ-TM-002", headers=auth("officer1")).json()
    assert item["name_zh"] == "占用、堵塞、封闭疏散通道、安全出口"
    assert (item["item"]["penalty_basis"][0]["law"], item["item"]["penalty_basis"][0]["article"]) == (
        "中华人民共和国消防法",
        60,
    )


def test_an_unknown_item_is_404(client: TestClient, auth: Auth) -> None:
    assert client.get("/api/v1/catalogue/items/NOPE-1", headers=auth("officer1")).status_code == 404


def test_a_new_version_is_a_data_change_recorded_in_the_ledger(
    client: TestClient, auth: Auth, integrate: Callable[..., Any]
) -> None:
    old = client.get("/api/v1/catalogue", headers=auth("admin")).json()["version"]
    content = SAMPLE.read_text(encoding="utf-8") + "\n# revised\n"
    loaded = client.post("/api/v1/catalogue", headers=auth("admin"), json={"source": "v2.yaml", "content": content})
    assert loaded.status_code == 201, loaded.text
    assert loaded.json()["version"] != old
    assert client.get("/api/v1/catalogue", headers=auth("officer1")).json()["version"] == loaded.json()["version"]
    integrate()
    entries = client.get("/api/v1/agencies/tiemen/ledger/entries?start=0&limit=1000", headers=auth("supervisor"))
    assert "catalogue:version:loaded" in [e["type"] for e in entries.json()["items"]][-1:]


def test_loading_the_current_version_again_is_a_conflict(client: TestClient, auth: Auth) -> None:
    content = SAMPLE.read_text(encoding="utf-8")
    response = client.post("/api/v1/catalogue", headers=auth("admin"), json={"source": "same.yaml", "content": content})
    assert response.status_code == 409


def test_an_invalid_file_is_refused_whole_naming_file_item_and_field(client: TestClient, auth: Auth) -> None:
    content = SAMPLE.read_text(encoding="utf-8").replace("penalty_kinds: [fine]", "penalty_kinds: [flogging]", 1)
    response = client.post("/api/v1/catalogue", headers=auth("admin"), json={"source": "bad.yaml", "content": content})
    assert response.status_code == 422
    problems = response.json()["problems"]
    assert any("bad.yaml" in p and "CQ-TM-001" in p and "penalty_kinds" in p for p in problems)
    # nothing was loaded
    assert client.get("/api/v1/catalogue", headers=auth("admin")).json()["source"] != "bad.yaml"


def test_only_the_admin_loads_catalogues(client: TestClient, auth: Auth) -> None:
    content = SAMPLE.read_text(encoding="utf-8") + "\n# x\n"
    for user in ("officer1", "head", "supervisor", "reviewer"):
        assert (
            client.post("/api/v1/catalogue", headers=auth(user), json={"source": "x", "content": content}).status_code
            == 403
        )


def test_the_public_sees_the_items_without_signing_in(client: TestClient) -> None:
    body = client.get("/api/v1/public/agencies/tiemen/items").json()
    assert body["agency_name"] == "铁门乡人民政府"
    assert len(body["items"]) == 15
    assert client.get("/api/v1/public/agencies/nowhere/items").status_code == 404


def test_the_cli_loads_a_catalogue_and_refuses_a_bad_one(
    cli: Callable[..., Any], tmp_path: Path, runtime: Runtime
) -> None:
    good = tmp_path / "v2.yaml"
    good.write_text(SAMPLE.read_text(encoding="utf-8") + "\n# v2\n", encoding="utf-8")
    result = cli("catalogue", "load", "--agency", "tiemen", str(good))
    assert result.exit_code == 0, result.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("format: 1\nagency: x\nitems: [", encoding="utf-8")
    result = cli("catalogue", "load", "--agency", "tiemen", str(bad))
    assert result.exit_code == 1
    assert "bad.yaml" in result.output
