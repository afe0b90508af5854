"""Uploads: checked before a byte is stored, so a refused one leaves nothing on disk; names stored normalised
with the name as sent kept for display; orphans of rolled-back uploads removed by `caseledger evidence clean`
after a day, and never a file an entry names."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from service.clock import FixedClock
from service.evidence.store import EvidenceStore
from service.runtime import Runtime

from .driver import Cases
from .test_evidence_api import upload

Auth = Callable[[str], dict[str, str]]
SAMPLE = Path(__file__).resolve().parents[2] / "policies" / "catalogue" / "tiemen-sample.yaml"
DAY = 24 * 3600


def on_disk(root: Path) -> dict[str, bytes]:
    """Every file under the evidence directory, temporary ones included."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_a_refused_upload_leaves_the_evidence_directory_unchanged(
    cases: Cases, client: TestClient, auth: Auth, runtime: Runtime
) -> None:
    root = runtime.settings.evidence_dir
    case = cases.open()
    cases.step(case, "approve_filing", "head")
    second, unqualified = cases.officer("officer2"), cases.officer("officer3")
    assert upload(client, auth, case["id"], second).status_code == 201
    before = on_disk(root)
    refusals = {
        "kind not of art. 46": (422, {"kind": "rumour"}),
        "an officer not qualified": (409, {"officers": [unqualified]}),
        "an unknown officer": (409, {"officers": ["00000000-0000-0000-0000-000000000000"]}),
        "claimed in the future": (422, {"claimed_at": "2099-01-01T00:00:00+08:00"}),
    }
    for what, (status, params) in refusals.items():
        refused = upload(client, auth, case["id"], second, f"refused: {what}".encode(), **params)
        assert refused.status_code == status, (what, refused.text)
        assert on_disk(root) == before, what
    other_agency = client.post(
        f"/api/v1/cases/{case['id']}/evidence",
        params={"kind": "physical", "description": "x"},
        content=b"someone else's case",
        headers=auth("other-officer"),
    )
    assert other_agency.status_code == 404
    assert on_disk(root) == before
    not_filed = cases.open()
    cases.step(not_filed, "refuse_filing", "head", reason="不属于本机关管辖")
    closed = upload(client, auth, not_filed["id"], second, b"after the case ended")
    assert closed.status_code == 409, closed.text  # art. 54: no evidence collected in state not_filed
    assert on_disk(root) == before


def test_an_empty_file_is_refused_and_nothing_is_kept_or_recorded(
    cases: Cases, client: TestClient, auth: Auth, runtime: Runtime
) -> None:
    """A file of no bytes proves nothing (a capture that failed): recorded, it would read as evidence collected."""
    root = runtime.settings.evidence_dir
    case = cases.open()
    cases.step(case, "approve_filing", "head")
    before = on_disk(root)
    refused = upload(client, auth, case["id"], cases.officer("officer2"), b"")
    assert refused.status_code == 422, refused.text
    assert refused.json()["detail"] == "证据文件为空，未予记录"
    assert on_disk(root) == before
    assert client.get(f"/api/v1/cases/{case['id']}/evidence", headers=auth("officer1")).json() == []


def test_one_officer_alone_is_refused_saying_how_many_qualified_officers_act(
    cases: Cases, client: TestClient, auth: Auth
) -> None:
    case = cases.open()
    cases.step(case, "approve_filing", "head")
    alone = upload(client, auth, case["id"], "", b"one officer", officers=[])
    assert alone.status_code == 409, alone.text
    assert alone.json()["guard"] == "two_qualified_officers"
    assert alone.json()["detail"].endswith("：具有执法资格的执法人员1人，不得少于2人")


def test_one_officer_collects_evidence_where_a_law_lets_one_act_alone(
    cases: Cases, client: TestClient, auth: Auth
) -> None:
    """第四十二条 “法律另有规定的除外”: an item whose catalogue entry names such a law (``single_officer_allowed_by``)
    lets one officer collect its evidence, as it lets one officer take its steps."""
    sample = SAMPLE.read_text(encoding="utf-8")
    at = sample.index("single_officer_allowed_by: null", sample.index("code: CQ-TM-003"))
    alone = "single_officer_allowed_by: {law: 某某法, article: 1, text: 执法人员可以一人执法。}"
    content = sample[:at] + alone + sample[at + len("single_officer_allowed_by: null") :]
    loaded = client.post("/api/v1/catalogue", headers=auth("admin"), json={"source": "alone.yaml", "content": content})
    assert loaded.status_code == 201, loaded.text
    case = cases.open()
    cases.step(case, "approve_filing", "head")
    inquiry = {"place": "当事人家中", "summary": "当事人承认倾倒垃圾", "subject": "当事人"}
    assert cases.step(case, "record_inquiry", data=inquiry)["state"] == "investigating"  # the steps' rule
    collected = upload(client, auth, case["id"], "", b"one officer, as the law allows", officers=[])
    assert collected.status_code == 201, collected.text
    assert len(collected.json()["collected_by"]) == 1


def test_a_name_is_stored_normalised_and_served_under_rfc_6266_with_the_name_as_sent_in_the_entry(
    cases: Cases, client: TestClient, auth: Auth
) -> None:
    case = cases.open()
    cases.step(case, "approve_filing", "head")
    sent = "../../etc/pass\u202ewd.txt"
    response = upload(client, auth, case["id"], cases.officer("officer2"), b"root:x:0:0", filename=sent)
    assert response.status_code == 201, response.text
    evidence = response.json()
    assert evidence["filename"] == "_.._etc_passwd.txt"
    history = client.get(f"/api/v1/cases/{case['id']}/history", headers=auth("head")).json()
    body = next(h["body"] for h in history if h["body"].get("evidence_id") == evidence["id"])
    assert (body["filename"], body["filename_as_sent"]) == ("_.._etc_passwd.txt", sent)
    download = client.get(f"/api/v1/cases/{case['id']}/evidence/{evidence['id']}/file", headers=auth("head"))
    assert download.headers["content-disposition"] == (
        "inline; filename=\"_.._etc_passwd.txt\"; filename*=UTF-8''_.._etc_passwd.txt"  # uploaded as image/png
    )
    plain = upload(client, auth, case["id"], cases.officer("officer2"), b"plain", filename="现场.png").json()
    body = next(
        h["body"]
        for h in client.get(f"/api/v1/cases/{case['id']}/history", headers=auth("head")).json()
        if h["body"].get("evidence_id") == plain["id"]
    )
    assert "filename_as_sent" not in body  # recorded only where it differs


def age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_evidence_clean_removes_only_unreferenced_files_older_than_a_day(
    cases: Cases, client: TestClient, auth: Auth, runtime: Runtime, cli: Callable[..., Any]
) -> None:
    store = EvidenceStore(runtime.settings.evidence_dir)
    case = cases.open()
    cases.step(case, "approve_filing", "head")
    referenced = upload(client, auth, case["id"], cases.officer("officer2"), b"recorded evidence").json()["sha256"]
    # What uploads whose transaction rolled back leave behind: content-addressed files no entry names.
    old_orphan = store.save_bytes([b"rolled back two days ago"], 1 << 20).sha256
    young_orphan = store.save_bytes([b"rolled back an hour ago"], 1 << 20).sha256
    crashed = store.root / ".upload-crashed"
    crashed.write_bytes(b"half an upload")
    age(store.path_of(referenced), 30 * DAY)
    age(store.path_of(old_orphan), DAY + 60)
    age(store.path_of(young_orphan), DAY - 3600)
    age(crashed, 2 * DAY)
    before = on_disk(store.root)

    listed = cli("evidence", "clean")
    assert listed.exit_code == 0, listed.output
    assert old_orphan in listed.output
    assert "upload-crashed" in listed.output
    assert referenced not in listed.output
    assert young_orphan not in listed.output
    assert "2 orphaned files" in listed.output
    assert "would delete" in listed.output
    assert on_disk(store.root) == before  # a dry run by default

    deleted = cli("evidence", "clean", "--delete")
    assert deleted.exit_code == 0, deleted.output
    assert not store.path_of(old_orphan).exists()
    assert not crashed.exists()
    assert store.rehash(referenced) == hashlib.sha256(b"recorded evidence").hexdigest()
    assert store.path_of(young_orphan).exists()
    assert "no orphaned evidence files" in cli("evidence", "clean").output


def test_uploading_an_orphans_bytes_again_makes_it_young_so_the_clean_up_keeps_it(runtime: Runtime) -> None:
    store = EvidenceStore(runtime.settings.evidence_dir)
    orphan = store.save_bytes([b"left by a rollback"], 1 << 20).sha256
    age(store.path_of(orphan), 2 * DAY)
    store.save_bytes([b"left by a rollback"], 1 << 20)  # an upload now, whose entry is about to be recorded
    assert time.time() - store.path_of(orphan).stat().st_mtime < 60


def test_a_retry_gets_its_first_answer_though_the_upload_would_now_be_refused(
    cases: Cases, client: TestClient, auth: Auth, runtime: Runtime, clock: FixedClock
) -> None:
    """The checks made before storing do not stand between a retry and the answer it is owed."""
    case = cases.open()
    cases.step(case, "approve_filing", "head")
    claimed = clock.now().isoformat()
    key = {"Idempotency-Key": "photo-1"}

    def send() -> Any:
        nonlocal key
        return client.post(
            f"/api/v1/cases/{case['id']}/evidence",
            params={
                "kind": "physical",
                "description": "物证照片",
                "officers": [cases.officer("officer2")],
                "claimed_at": claimed,
            },
            content=b"photo",
            headers=auth("officer1") | key,
        )

    first = send()
    assert first.status_code == 201, first.text
    clock.at = clock.now() + runtime.case_context.case_policy.claimed_at_max_lag + timedelta(hours=1)
    retried = send()
    assert (retried.status_code, retried.content) == (201, first.content)
    key = {"Idempotency-Key": "photo-2"}
    assert send().status_code == 422  # a new upload claiming that time is refused, before it is stored
