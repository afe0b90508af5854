"""`caseledger backup` and `caseledger restore`: one archive rebuilds an instance that verifies and serves the
same data, on SQLite and on PostgreSQL; a damaged archive or a non-empty target is refused, naming why."""

from __future__ import annotations

import hashlib
import io
import json
import stat
import tarfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from service.auth.models import User
from service.cli import app as cli_app
from service.clock import FixedClock
from service.config import Settings
from service.ledger.note import NoteSigner, private_key_to_pem
from service.runtime import Runtime

from .cases.driver import Cases
from .conftest import PG_URL, TEST_EPOCH, _admin_engine, _pg_url_for

Auth = Callable[[str], dict[str, str]]
PHOTO = b"\x89PNG\r\n\x1a\n" + b"scene photo for the backup " * 500


@pytest.fixture
def empty_database_url(tmp_path: Path) -> Iterator[str]:
    """A database with nothing in it, on the engine the suite runs on."""
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    name = f"cl_restore_{uuid.uuid4().hex[:12]}"
    with _admin_engine().connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    yield _pg_url_for(name)
    with _admin_engine().connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def command_on(data_dir: Path, database_url: str) -> Callable[..., Any]:
    env = {"CASELEDGER_DATA_DIR": str(data_dir), "CASELEDGER_DATABASE_URL": database_url}

    def run(*args: str) -> Any:
        return CliRunner().invoke(cli_app, list(args), env=env, catch_exceptions=False)

    return run


@pytest.fixture
def live(client: TestClient, auth: Auth, integrate: Callable[..., object]) -> dict[str, Any]:
    """An instance with a case, a piece of evidence and a signed checkpoint, and one entry after it."""
    cases = Cases(client, auth)
    case = cases.open()
    cases.step(case, "approve_filing", "head")
    uploaded = client.post(
        f"/api/v1/cases/{case['id']}/evidence",
        params={
            "kind": "audio_visual",
            "description": "现场照片",
            "filename": "scene.png",
            "officers": [cases.officer("officer2")],
        },
        content=PHOTO,
        headers=auth("officer1") | {"Content-Type": "image/png"},
    )
    assert uploaded.status_code == 201, uploaded.text
    integrate(force_checkpoint=True)
    cases.open(title="备份之后仍待入账的案件")  # pending: not yet in a checkpoint
    seen = client.get(f"/api/v1/cases/{case['id']}", headers=auth("head"))
    assert seen.status_code == 200
    return {"case": seen.json(), "evidence": uploaded.json()}


def test_a_restored_instance_verifies_and_serves_the_same_case(
    live: dict[str, Any],
    cli: Callable[..., Any],
    tmp_path: Path,
    empty_database_url: str,
) -> None:
    archive = tmp_path / "caseledger.tar"
    written = cli("backup", str(archive))
    assert written.exit_code == 0, written.output
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    assert "PRIVATE KEY" not in written.output
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert "manifest.json" in names
    assert any(n.startswith("keys/agencies/tiemen") for n in names)
    sha = live["evidence"]["sha256"]
    assert f"evidence/{sha[:2]}/{sha[2:4]}/{sha}" in names

    restored_dir = tmp_path / "restored"
    restored = command_on(restored_dir, empty_database_url)
    done = restored("restore", str(archive))
    assert done.exit_code == 0, done.output
    assert stat.S_IMODE((restored_dir / "keys" / "agencies" / "tiemen.ed25519.pem").stat().st_mode) == 0o600
    verified = restored("verify")
    assert verified.exit_code == 0, verified.output

    settings = Settings(data_dir=restored_dir, database_url=empty_database_url, run_integrator=False)
    runtime = Runtime.build(settings, clock=FixedClock(TEST_EPOCH))
    try:
        from service.main import create_app

        with runtime.database.transaction(write=False) as session:
            head = session.execute(sa.select(User.id, User.token_version).where(User.username == "head")).one()
        token = runtime.tokens.issue(head.id, head.token_version, runtime.clock.now()).token
        headers = {"Authorization": f"Bearer {token}"}
        case_id = live["case"]["id"]
        with TestClient(create_app(runtime)) as client:
            seen = client.get(f"/api/v1/cases/{case_id}", headers=headers)
            assert seen.status_code == 200, seen.text
            assert seen.json() == live["case"]
            file = client.get(f"/api/v1/cases/{case_id}/evidence/{live['evidence']['id']}/file", headers=headers)
            assert file.content == PHOTO
    finally:
        runtime.database.dispose()


def rewrite_member(archive: Path, target: Path, member: str, change: Callable[[bytes], bytes]) -> None:
    with tarfile.open(archive) as source, tarfile.open(target, "w") as out:
        for info in source:
            data = source.extractfile(info).read()  # type: ignore[union-attr]
            if info.name == member:
                data = change(data)
            copied = tarfile.TarInfo(info.name)
            copied.size = len(data)
            out.addfile(copied, io.BytesIO(data))


def test_an_archive_that_does_not_match_its_manifest_is_refused_naming_the_file(
    live: dict[str, Any], cli: Callable[..., Any], tmp_path: Path, empty_database_url: str
) -> None:
    archive = tmp_path / "caseledger.tar"
    assert cli("backup", str(archive)).exit_code == 0
    sha = live["evidence"]["sha256"]
    member = f"evidence/{sha[:2]}/{sha[2:4]}/{sha}"
    tampered = tmp_path / "tampered.tar"
    rewrite_member(archive, tampered, member, lambda b: b[:-1] + bytes([b[-1] ^ 1]))
    restored_dir = tmp_path / "restored"
    refused = command_on(restored_dir, empty_database_url)("restore", str(tampered))
    assert refused.exit_code == 1
    assert member in refused.output
    assert "does not match its manifest" in refused.output
    assert not (restored_dir / "keys").exists()  # nothing placed
    assert not (restored_dir / "evidence").exists()
    engine = sa.create_engine(empty_database_url)
    try:
        assert sa.inspect(engine).get_table_names() == []
    finally:
        engine.dispose()


def test_an_extra_file_in_the_archive_is_refused(
    live: dict[str, Any], cli: Callable[..., Any], tmp_path: Path, empty_database_url: str
) -> None:
    archive = tmp_path / "caseledger.tar"
    assert cli("backup", str(archive)).exit_code == 0
    with tarfile.open(archive, "a") as tar:
        info = tarfile.TarInfo("keys/agencies/intruder.ed25519.pem")
        info.size = 3
        tar.addfile(info, io.BytesIO(b"key"))
    refused = command_on(tmp_path / "restored", empty_database_url)("restore", str(archive))
    assert refused.exit_code == 1
    assert "keys/agencies/intruder.ed25519.pem" in refused.output


def test_restore_over_a_database_that_holds_rows_is_refused(
    live: dict[str, Any], cli: Callable[..., Any], tmp_path: Path, settings: Settings
) -> None:
    archive = tmp_path / "caseledger.tar"
    assert cli("backup", str(archive)).exit_code == 0
    refused = command_on(tmp_path / "elsewhere", settings.resolved_database_url)("restore", str(archive))
    assert refused.exit_code == 1
    assert "not empty" in refused.output
    assert not (tmp_path / "elsewhere" / "keys").exists()


def test_restore_beside_another_instances_keys_is_refused(
    live: dict[str, Any], cli: Callable[..., Any], tmp_path: Path, empty_database_url: str
) -> None:
    archive = tmp_path / "caseledger.tar"
    assert cli("backup", str(archive)).exit_code == 0
    other_dir = tmp_path / "initialised"
    run = command_on(other_dir, empty_database_url)
    assert run("init").exit_code == 0  # a token key of its own, and an empty database at head
    refused = run("restore", str(archive))
    assert refused.exit_code == 1
    assert "token-es256.pem" in refused.output


def test_a_backup_is_never_written_over_a_file(cli: Callable[..., Any], tmp_path: Path) -> None:
    archive = tmp_path / "caseledger.tar"
    archive.write_bytes(b"keep me")
    refused = cli("backup", str(archive))
    assert refused.exit_code == 1
    assert archive.read_bytes() == b"keep me"


def test_restore_into_a_database_init_migrated_but_left_empty(
    live: dict[str, Any], cli: Callable[..., Any], tmp_path: Path, empty_database_url: str
) -> None:
    archive = tmp_path / "caseledger.tar"
    assert cli("backup", str(archive)).exit_code == 0
    assert command_on(tmp_path / "scratch", empty_database_url)("init").exit_code == 0
    restored = command_on(tmp_path / "restored", empty_database_url)
    done = restored("restore", str(archive))
    assert done.exit_code == 0, done.output
    engine = sa.create_engine(empty_database_url)
    try:
        with engine.connect() as conn:
            found = conn.execute(sa.text("SELECT count(*) FROM cases")).scalar_one()
    finally:
        engine.dispose()
    assert found == 2


def test_a_backup_missing_a_recorded_evidence_file_is_refused_naming_it(
    live: dict[str, Any], cli: Callable[..., Any], tmp_path: Path, settings: Settings
) -> None:
    sha = live["evidence"]["sha256"]
    (settings.evidence_dir / sha[:2] / sha[2:4] / sha).unlink()
    archive = tmp_path / "caseledger.tar"
    refused = cli("backup", str(archive))
    assert refused.exit_code == 1
    assert sha in refused.output
    assert not archive.exists()


def test_what_is_written_while_the_backup_reads_its_files_is_left_out_and_harmless(
    live: dict[str, Any],
    cli: Callable[..., Any],
    client: TestClient,
    auth: Auth,
    tmp_path: Path,
    empty_database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The database is copied first: evidence uploaded after the copy is not in it, so neither is its file."""
    import service.backup

    later = b"uploaded while the backup was being written"
    snapshot = service.backup._snapshot_sqlite if not PG_URL else service.backup._snapshot_postgres

    def snapshot_then_upload(url: str, staging: Path) -> service.backup.Snapshot:
        taken = snapshot(url, staging)
        cases = Cases(client, auth)
        uploaded = client.post(
            f"/api/v1/cases/{live['case']['id']}/evidence",
            params={"kind": "audio_visual", "description": "补充照片", "officers": [cases.officer("officer2")]},
            content=later,
            headers=auth("officer1") | {"Content-Type": "image/png"},
        )
        assert uploaded.status_code == 201, uploaded.text
        return taken

    monkeypatch.setattr(service.backup, "_snapshot_postgres" if PG_URL else "_snapshot_sqlite", snapshot_then_upload)
    archive = tmp_path / "caseledger.tar"
    assert cli("backup", str(archive)).exit_code == 0
    with tarfile.open(archive) as tar:
        evidence = [n for n in tar.getnames() if n.startswith("evidence/")]
    assert len(evidence) == 1  # the photo the snapshot records, not the later upload
    restored = command_on(tmp_path / "restored", empty_database_url)
    assert restored("restore", str(archive)).exit_code == 0
    verified = restored("verify")
    assert verified.exit_code == 0, verified.output


def rewrite(archive: Path, target: Path, change: Callable[[dict[str, bytes]], dict[str, bytes]]) -> None:
    """Write ``target`` with the members of ``archive`` as ``change`` leaves them (in the archive's order)."""
    with tarfile.open(archive) as source:
        members = {info.name: source.extractfile(info).read() for info in source}  # type: ignore[union-attr]
    with tarfile.open(target, "w") as out:
        for name, data in change(members).items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))


def test_the_manifest_is_signed_by_every_agencys_checkpoint_key(
    live: dict[str, Any], cli: Callable[..., Any], tmp_path: Path, settings: Settings
) -> None:
    from service.ledger.note import NoteVerifier

    archive = tmp_path / "caseledger.tar"
    assert cli("backup", str(archive)).exit_code == 0
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
        note = tar.extractfile("manifest.sig").read().decode()  # type: ignore[union-attr]
    engine = sa.create_engine(settings.resolved_database_url)
    try:
        with engine.connect() as conn:
            recorded = dict(conn.execute(sa.text("SELECT code, checkpoint_vkey FROM agencies")).all())
    finally:
        engine.dispose()
    assert manifest["verifier_keys"] == recorded
    assert sorted(recorded) == ["other", "tiemen"]
    for vkey in recorded.values():
        assert "manifest sha256" in NoteVerifier.from_vkey(vkey).verify(note)


def test_a_manifest_rewritten_to_match_a_changed_member_is_refused(
    live: dict[str, Any], cli: Callable[..., Any], tmp_path: Path, empty_database_url: str
) -> None:
    """The forgery the signature stops: a member changed and the manifest's SHA-256 and size changed to match."""
    archive = tmp_path / "caseledger.tar"
    assert cli("backup", str(archive)).exit_code == 0
    sha = live["evidence"]["sha256"]
    member = f"evidence/{sha[:2]}/{sha[2:4]}/{sha}"

    def forge(members: dict[str, bytes]) -> dict[str, bytes]:
        changed = members[member][:-1] + bytes([members[member][-1] ^ 1])
        manifest = json.loads(members["manifest.json"])
        manifest["files"][member] = {"sha256": hashlib.sha256(changed).hexdigest(), "size": len(changed)}
        body = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode()
        return members | {member: changed, "manifest.json": body}

    forged = tmp_path / "forged.tar"
    rewrite(archive, forged, forge)
    restored_dir = tmp_path / "restored"
    refused = command_on(restored_dir, empty_database_url)("restore", str(forged))
    assert refused.exit_code == 1
    assert "manifest.json: its bytes are not the manifest that was signed" in refused.output
    assert not (restored_dir / "keys").exists()
    assert not (restored_dir / "evidence").exists()


def test_an_archive_without_its_manifest_signature_is_refused(
    live: dict[str, Any], cli: Callable[..., Any], tmp_path: Path, empty_database_url: str
) -> None:
    archive = tmp_path / "caseledger.tar"
    assert cli("backup", str(archive)).exit_code == 0
    unsigned = tmp_path / "unsigned.tar"
    rewrite(archive, unsigned, lambda members: {k: v for k, v in members.items() if k != "manifest.sig"})
    refused = command_on(tmp_path / "restored", empty_database_url)("restore", str(unsigned))
    assert refused.exit_code == 1
    assert "manifest.sig is missing" in refused.output
    assert not (tmp_path / "restored" / "keys").exists()


def test_a_signature_by_a_key_the_archive_does_not_carry_is_refused(
    live: dict[str, Any], cli: Callable[..., Any], tmp_path: Path, empty_database_url: str
) -> None:
    """Keys swapped for others in the archive: the manifest's signature is no longer by the key carried."""
    archive = tmp_path / "caseledger.tar"
    assert cli("backup", str(archive)).exit_code == 0
    other_key = private_key_to_pem(Ed25519PrivateKey.generate())
    member = "keys/agencies/tiemen.ed25519.pem"

    def swap(members: dict[str, bytes]) -> dict[str, bytes]:
        manifest = json.loads(members["manifest.json"])
        manifest["files"][member] = {"sha256": hashlib.sha256(other_key).hexdigest(), "size": len(other_key)}
        body = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode()
        return members | {member: other_key, "manifest.json": body}

    swapped = tmp_path / "swapped.tar"
    rewrite(archive, swapped, swap)
    refused = command_on(tmp_path / "restored", empty_database_url)("restore", str(swapped))
    assert refused.exit_code == 1
    assert "manifest" in refused.output


def test_restore_held_to_the_published_verifier_keys(
    live: dict[str, Any], cli: Callable[..., Any], tmp_path: Path, empty_database_url: str, settings: Settings
) -> None:
    archive = tmp_path / "caseledger.tar"
    assert cli("backup", str(archive)).exit_code == 0
    engine = sa.create_engine(settings.resolved_database_url)
    try:
        with engine.connect() as conn:
            published = list(conn.execute(sa.text("SELECT checkpoint_vkey FROM agencies")).scalars())
    finally:
        engine.dispose()
    stranger = NoteSigner("caseledger.local/tiemen", Ed25519PrivateKey.generate()).vkey()
    untrusted = tmp_path / "untrusted.vkeys"
    untrusted.write_text(f"{published[0]}\n{stranger}\n")
    refused = command_on(tmp_path / "refused", empty_database_url)("restore", str(archive), "--vkey", str(untrusted))
    assert refused.exit_code == 1
    assert "not one of the verifier keys you trust" in refused.output
    assert not (tmp_path / "refused" / "keys").exists()

    trusted = tmp_path / "published.vkeys"
    trusted.write_text("\n".join(published) + "\n")
    restored = command_on(tmp_path / "restored", empty_database_url)
    done = restored("restore", str(archive), "--vkey", str(trusted))
    assert done.exit_code == 0, done.output
    assert restored("verify").exit_code == 0


@pytest.mark.slow  # typesets a document
def test_issued_documents_are_backed_up_and_restored_with_the_ledger_that_records_them(
    live: dict[str, Any],
    client: TestClient,
    auth: Auth,
    cli: Callable[..., Any],
    tmp_path: Path,
    empty_database_url: str,
) -> None:
    case_id = live["case"]["id"]
    issued = client.post(f"/api/v1/cases/{case_id}/documents/filing_approval/issue", headers=auth("head"))
    assert issued.status_code == 201, issued.text
    sha = issued.json()["sha256"]
    archive = tmp_path / "caseledger.tar"
    assert cli("backup", str(archive)).exit_code == 0
    with tarfile.open(archive) as tar:
        assert f"documents/{sha[:2]}/{sha[2:4]}/{sha}" in tar.getnames()

    restored_dir = tmp_path / "restored"
    restored = command_on(restored_dir, empty_database_url)
    done = restored("restore", str(archive))
    assert done.exit_code == 0, done.output
    kept = restored_dir / "documents" / sha[:2] / sha[2:4] / sha
    assert hashlib.sha256(kept.read_bytes()).hexdigest() == sha
    assert restored("verify").exit_code == 0
