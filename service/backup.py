"""Backup and restore of a whole instance: the database, the keys and the evidence files in one tar archive.

Order is what keeps the three consistent. The database is copied first, as one snapshot (SQLite: ``VACUUM
INTO``, a read transaction; PostgreSQL: every table through ``COPY`` in one REPEATABLE READ READ ONLY
transaction, in foreign-key order). Files are read after it: an agency's checkpoint key is written before the
transaction that records the agency commits, and an evidence file is settled before the entry that names it
commits, so everything the snapshot refers to is already on disk; what was added meanwhile is not in the
snapshot and is left out (evidence) or harmless (a key of an agency the snapshot does not have). Keys and
evidence files are never rewritten, so reading them later gives the bytes the snapshot refers to.

``manifest.json`` lists every other member with its SHA-256 and size, and each agency's verifier key;
``manifest.sig`` is a C2SP signed note over the manifest's SHA-256 carrying one signature per agency, by its
checkpoint key (the key file, never the database), as an exported bundle's manifest is signed. Restore refuses,
naming the member and before it writes anything, an archive whose manifest is not signed by every agency it
lists with the key the archive carries for it (and, given trusted verifier keys, by those), or whose members
do not match the manifest; it restores only into an empty database and beside no conflicting file, then
migrates the database to this version's head.

What the signature proves is bounded by where the keys travel: the archive carries the agencies' private keys,
so whoever holds an archive can sign another. It proves that the manifest was signed by the holder of the keys
the archive carries, so an edited manifest (say, rewritten to match a member swapped for another) is refused;
held to the agency's published verifier key (``caseledger restore --vkey FILE``), an archive made with other
keys is refused too. ``caseledger verify`` on the restored instance checks the rest (the checkpoints are
signed, the evidence content-addressed, the current state a replay of the ledger).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any

import sqlalchemy as sa

from alembic import command
from service.config import Settings
from service.evidence.store import EvidenceStore
from service.ledger.errors import VerificationError
from service.ledger.keys import AGENCY_CODE, agency_key_path, load_agency_key
from service.ledger.note import NoteSigner, NoteVerifier, private_key_from_pem
from service.migrations import alembic_config
from service.runtime import TOKEN_KEY_FILE

FORMAT = "caseledger-backup"
FORMAT_VERSION = 2  # 1: an unsigned manifest, refused (an edited manifest of it could not be told from the real one)
MANIFEST = "manifest.json"
MANIFEST_SIGNATURE = "manifest.sig"
MAX_SIGNATURE_BYTES = 64 << 10
SQLITE_MEMBER = "database/caseledger.sqlite3"
CHUNK = 1 << 20
# Members are named by the archive, never taken as paths: nothing absolute, no "..", no odd characters.
MEMBER_NAME = re.compile(r"^(database|keys|evidence|documents)(/[A-Za-z0-9][A-Za-z0-9._-]{0,99}){1,4}$")


class BackupError(Exception):
    """The backup or restore cannot be done; the message says why, and names the file."""


@dataclass
class Snapshot:
    """The database as copied, and what it refers to outside itself."""

    engine: str
    revision: str
    members: dict[str, Path]  # archive name -> staged file
    tables: list[dict[str, Any]] = field(default_factory=list)  # PostgreSQL: table, columns, member, in order
    agency_codes: list[str] = field(default_factory=list)
    vkeys: dict[str, str] = field(default_factory=dict)  # agency code -> the checkpoint verifier key recorded
    evidence: list[str] = field(default_factory=list)  # SHA-256 of every evidence file the snapshot records
    documents: list[str] = field(default_factory=list)  # SHA-256 of every issued document it records


@dataclass(frozen=True)
class BackupReport:
    engine: str
    revision: str
    agencies: int
    evidence_files: int
    key_files: int
    bytes: int


@dataclass(frozen=True)
class RestoreReport:
    engine: str
    revision: str
    rows: int
    evidence_files: int
    key_files: int


def _sha256_of(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _is_sqlite(url: str) -> bool:
    return sa.engine.make_url(url).get_backend_name() == "sqlite"


def _sqlite_path(url: str) -> Path:
    database = sa.engine.make_url(url).database
    if not database or database == ":memory:":
        raise BackupError(f"not a SQLite database file: {sa.engine.make_url(url).render_as_string()}")
    return Path(database)


def _references(conn: sa.Connection) -> tuple[str, dict[str, str], list[str], list[str]]:
    """The schema revision, the agencies' codes with their verifier keys, and the hashes of the evidence files and
    of the issued documents, as the snapshot has them."""
    revision = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar_one()
    vkeys = {str(code): str(vkey) for code, vkey in conn.exec_driver_sql("SELECT code, checkpoint_vkey FROM agencies")}
    shas = list(conn.exec_driver_sql("SELECT DISTINCT sha256 FROM evidence ORDER BY sha256").scalars())
    issued = list(conn.exec_driver_sql("SELECT DISTINCT sha256 FROM issued_documents ORDER BY sha256").scalars())
    return str(revision), dict(sorted(vkeys.items())), [str(s) for s in shas], [str(s) for s in issued]


def _snapshot_sqlite(url: str, staging: Path) -> Snapshot:
    source = _sqlite_path(url)
    if not source.exists():
        raise BackupError(f"no database at {source}")
    target = staging / "caseledger.sqlite3"
    # VACUUM INTO copies the database as one read transaction sees it, WAL included, while writers go on.
    with sqlite3.connect(source, timeout=60) as live:
        live.execute("VACUUM INTO ?", (str(target),))
    live.close()
    engine = sa.create_engine(f"sqlite:///{target}", hide_parameters=True)
    try:
        with engine.connect() as conn:
            revision, vkeys, shas, issued = _references(conn)
    finally:
        engine.dispose()
    return Snapshot(
        "sqlite",
        revision,
        {SQLITE_MEMBER: target},
        agency_codes=list(vkeys),
        vkeys=vkeys,
        evidence=shas,
        documents=issued,
    )


def _snapshot_postgres(url: str, staging: Path) -> Snapshot:
    engine = sa.create_engine(url, hide_parameters=True, poolclass=sa.pool.NullPool)
    members: dict[str, Path] = {}
    tables: list[dict[str, Any]] = []
    try:
        with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn, conn.begin():
            # Every statement below reads the snapshot the first one took.
            conn.exec_driver_sql("SET TRANSACTION READ ONLY")
            revision, vkeys, shas, issued = _references(conn)
            metadata = sa.MetaData()
            metadata.reflect(conn)
            cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
            for table in metadata.sorted_tables:  # referenced tables before the tables that refer to them
                if table.name == "alembic_version":
                    continue
                columns = [c.name for c in table.columns]
                member = f"database/{table.name}.copy"
                path = staging / f"{table.name}.copy"
                quoted = ", ".join(f'"{c}"' for c in columns)
                with path.open("wb") as out, cursor.copy(f'COPY "{table.name}" ({quoted}) TO STDOUT') as copy:
                    for chunk in copy:
                        out.write(chunk)
                members[member] = path
                tables.append({"table": table.name, "columns": columns, "member": member})
    finally:
        engine.dispose()
    return Snapshot(
        "postgresql",
        revision,
        members,
        tables=tables,
        agency_codes=list(vkeys),
        vkeys=vkeys,
        evidence=shas,
        documents=issued,
    )


def _regular_files(root: Path) -> Iterator[Path]:
    """Files under ``root``, following a symbolic link to the directory itself (tests share their keys so)."""
    if not root.exists():
        return
    for dirpath, _dirs, files in os.walk(root, followlinks=True):
        for name in sorted(files):
            path = Path(dirpath) / name
            if path.is_file():
                yield path


def _open_private(path: Path) -> io.BufferedWriter:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    return os.fdopen(fd, "wb")


def write_backup(settings: Settings, archive: Path, *, now: datetime) -> BackupReport:
    """Write the archive (mode 0600, never over an existing file): database snapshot, then keys, then evidence."""
    if archive.exists():
        raise BackupError(f"{archive} exists: a backup is never written over a file")
    if not archive.parent.is_dir():
        raise BackupError(f"no directory {archive.parent} to write the backup in")
    url = settings.resolved_database_url
    with tempfile.TemporaryDirectory(prefix=".caseledger-backup-", dir=archive.parent) as tmp:
        staging = Path(tmp)
        os.chmod(staging, 0o700)
        snapshot = _snapshot_sqlite(url, staging) if _is_sqlite(url) else _snapshot_postgres(url, staging)
        members = dict(snapshot.members)
        key_files = 0
        for path in _regular_files(settings.keys_dir):
            members["keys/" + path.relative_to(settings.keys_dir).as_posix()] = path
            key_files += 1
        needed = [settings.keys_dir / TOKEN_KEY_FILE] + [
            agency_key_path(settings.keys_dir, code) for code in snapshot.agency_codes
        ]
        for key in needed:
            if not key.is_file():
                raise BackupError(f"the key file {key} is missing: the instance could not be verified or served")
        signers = _manifest_signers(settings, snapshot.vkeys)
        store = EvidenceStore(settings.evidence_dir)
        for sha in snapshot.evidence:
            path = store.path_of(sha)
            if not path.is_file():
                raise BackupError(f"the evidence file {path}, recorded in the database, is missing")
            members["evidence/" + path.relative_to(settings.evidence_dir).as_posix()] = path
        issued = EvidenceStore(settings.documents_dir)  # issued documents are content-addressed the same way
        for sha in snapshot.documents:
            path = issued.path_of(sha)
            if not path.is_file():
                raise BackupError(f"the issued document {path}, recorded in the database, is missing")
            members["documents/" + path.relative_to(settings.documents_dir).as_posix()] = path
        files: dict[str, dict[str, Any]] = {}
        partial = staging / "archive.tar"
        with _open_private(partial) as raw, tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
            for name, path in members.items():
                digest = _sha256_of(path)
                size = path.stat().st_size
                if name.startswith(("evidence/", "documents/")) and digest != PurePosixPath(name).name:
                    raise BackupError(f"the file {path} no longer matches its hash")
                files[name] = {"sha256": digest, "size": size}
                _add_file(tar, name, path, size)
            manifest = {
                "format": FORMAT,
                "version": FORMAT_VERSION,
                "created_at": now.isoformat(),
                "engine": snapshot.engine,
                "schema_revision": snapshot.revision,
                "agencies": snapshot.agency_codes,
                "verifier_keys": snapshot.vkeys,
                "tables": snapshot.tables,
                "files": files,
            }
            body = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")
            for name, data in ((MANIFEST, body), (MANIFEST_SIGNATURE, sign_manifest(body, signers))):
                info = tarfile.TarInfo(name)
                info.size = len(data)
                info.mode = 0o600
                tar.addfile(info, io.BytesIO(data))
            raw.flush()
            os.fsync(raw.fileno())
        total = partial.stat().st_size
        # A hard link publishes the finished archive under its name, and fails if the name was taken meanwhile.
        try:
            os.link(partial, archive)
        except FileExistsError:
            raise BackupError(f"{archive} was created meanwhile: a backup is never written over a file") from None
    return BackupReport(
        snapshot.engine, snapshot.revision, len(snapshot.agency_codes), len(snapshot.evidence), key_files, total
    )


def _manifest_signers(settings: Settings, vkeys: dict[str, str]) -> list[NoteSigner]:
    """Every agency's checkpoint signer, from its key file, which must be the key its ledger records."""
    if not vkeys:
        raise BackupError("the instance has no agency: nothing to back up, and no agency key to sign the manifest")
    signers = []
    for code, vkey in vkeys.items():
        try:
            signer = NoteSigner(NoteVerifier.from_vkey(vkey).name, load_agency_key(settings.keys_dir, code))
        except (VerificationError, ValueError, OSError) as exc:
            raise BackupError(f"the checkpoint key of agency {code} cannot sign the manifest: {exc}") from None
        if signer.vkey() != vkey:
            raise BackupError(
                f"the key file {agency_key_path(settings.keys_dir, code)} is not the checkpoint key agency {code}'s "
                "ledger records"
            )
        signers.append(signer)
    return signers


def _manifest_note_text(manifest: bytes) -> str:
    return f"{FORMAT}/{FORMAT_VERSION}\nmanifest sha256 {hashlib.sha256(manifest).hexdigest()}\n"


def sign_manifest(manifest: bytes, signers: list[NoteSigner]) -> bytes:
    """A signed note over the manifest's SHA-256 with one signature line per agency key (C2SP signed-note)."""
    text = _manifest_note_text(manifest)
    lines = [signer.sign(text).removeprefix(text + "\n") for signer in signers]
    return (text + "\n" + "".join(lines)).encode("utf-8")


def check_manifest_signature(
    manifest: dict[str, Any],
    manifest_bytes: bytes,
    note: bytes | None,
    archived_keys: dict[str, Path],
    trusted: list[str],
) -> None:
    """Refuse a manifest not signed by every agency it lists, each with the key the archive carries for it.

    ``archived_keys`` maps an agency code to its key file as extracted; ``trusted`` holds verifier keys the
    operator trusts (their published ones): when given, every agency's key must be one of them.
    """
    if note is None:
        raise BackupError(f"{MANIFEST_SIGNATURE} is missing: the manifest is not signed")
    vkeys = manifest.get("verifier_keys")
    agencies = manifest.get("agencies")
    if not isinstance(vkeys, dict) or not isinstance(agencies, list) or sorted(vkeys) != sorted(agencies) or not vkeys:
        raise BackupError(f"{MANIFEST} does not name a verifier key for each of its agencies")
    try:
        text = note.decode("utf-8")
    except UnicodeDecodeError:
        raise BackupError(f"{MANIFEST_SIGNATURE} is not UTF-8 text") from None
    trusted_keys = {t.strip() for t in trusted if t.strip()}
    for code, vkey in sorted(vkeys.items()):
        try:
            verifier = NoteVerifier.from_vkey(str(vkey))
            if verifier.verify(text) != _manifest_note_text(manifest_bytes):
                raise BackupError(f"{MANIFEST}: its bytes are not the manifest that was signed")
        except VerificationError as exc:
            raise BackupError(f"{MANIFEST_SIGNATURE}: agency {code}: {exc.reason}") from None
        path = archived_keys.get(str(code))
        try:
            archived = None if path is None else NoteSigner(verifier.name, private_key_from_pem(path.read_bytes()))
        except ValueError:
            archived = None
        if archived is None or archived.vkey() != verifier.vkey():
            raise BackupError(f"agency {code}: the archive does not carry the checkpoint key that signed its manifest")
        if trusted_keys and verifier.vkey() not in trusted_keys:
            raise BackupError(f"agency {code}: its key {verifier.vkey()} is not one of the verifier keys you trust")


def _add_file(tar: tarfile.TarFile, name: str, path: Path, size: int) -> None:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mode = 0o600
    with path.open("rb") as handle:
        tar.addfile(info, handle)


# Restore ---------------------------------------------------------------------------------------------------


def _read_manifest(tar: tarfile.TarFile, archive: Path) -> tuple[dict[str, Any], bytes]:
    try:
        member = tar.getmember(MANIFEST)
    except KeyError:
        raise BackupError(f"{archive} has no {MANIFEST}: not a caseledger backup") from None
    handle = tar.extractfile(member)
    if handle is None:
        raise BackupError(f"{MANIFEST} in {archive} is not a file")
    manifest_bytes = handle.read()
    try:
        manifest = json.loads(manifest_bytes)
    except ValueError:
        raise BackupError(f"{MANIFEST} in {archive} is not JSON") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{archive} is not a caseledger backup")
    if manifest.get("version") == 1:
        raise BackupError(f"{archive} is a backup of format version 1, whose manifest is not signed: take a new backup")
    if manifest.get("version") != FORMAT_VERSION:
        raise BackupError(f"{archive} is a backup of format version {manifest.get('version')}, not {FORMAT_VERSION}")
    files = manifest.get("files")
    if not isinstance(files, dict) or not all(
        isinstance(v, dict) and isinstance(v.get("sha256"), str) and isinstance(v.get("size"), int)
        for v in files.values()
    ):
        raise BackupError(f"{MANIFEST} in {archive} does not list its files with their SHA-256 and size")
    return manifest, manifest_bytes


def _unpack_checked(archive: Path, staging: Path, trusted: list[str]) -> dict[str, Any]:
    """Extract every member into ``staging``, each held to the manifest's SHA-256 and size; refuse any other,
    and a manifest that its agencies' keys did not sign."""
    try:
        with tarfile.open(archive, mode="r:") as tar:
            return _unpack_members(tar, archive, staging, trusted)
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(f"cannot read {archive}: {exc}") from None


def _unpack_members(tar: tarfile.TarFile, archive: Path, staging: Path, trusted: list[str]) -> dict[str, Any]:
    manifest, manifest_bytes = _read_manifest(tar, archive)
    listed: dict[str, Any] = manifest.get("files", {})
    seen: set[str] = set()
    note: bytes | None = None
    for member in tar:
        name = member.name
        if name == MANIFEST:
            continue
        if name == MANIFEST_SIGNATURE and note is None and member.isfile() and member.size <= MAX_SIGNATURE_BYTES:
            handle = tar.extractfile(member)
            assert handle is not None
            note = handle.read()
            continue
        if name not in listed or not MEMBER_NAME.match(name) or not member.isfile():
            raise BackupError(f"{name} in {archive} is not listed in its manifest")
        if name in seen:
            raise BackupError(f"{name} appears twice in {archive}")
        seen.add(name)
        source = tar.extractfile(member)
        assert source is not None
        target = staging / name
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        hasher = hashlib.sha256()
        size = 0
        with _open_private(target) as out:
            while chunk := source.read(CHUNK):
                hasher.update(chunk)
                size += len(chunk)
                out.write(chunk)
        if hasher.hexdigest() != listed[name].get("sha256") or size != listed[name].get("size"):
            raise BackupError(f"{name} in {archive} does not match its manifest (SHA-256 or size)")
    for name in listed:
        if name not in seen:
            raise BackupError(f"{name}, listed in the manifest, is missing from {archive}")
    keys = {
        code: staging / "keys" / agency_key_path(Path(), code)
        for code in manifest.get("verifier_keys", {})
        if isinstance(code, str) and AGENCY_CODE.match(code)
    }
    check_manifest_signature(manifest, manifest_bytes, note, keys, trusted)
    return manifest


def _rows_in(engine: sa.Engine) -> tuple[str | None, list[str]]:
    """The schema revision (None without one) and the tables that hold rows, alembic's own left aside."""
    names = sa.inspect(engine).get_table_names()
    revision = None
    full: list[str] = []
    with engine.connect() as conn:
        for name in names:
            if name == "alembic_version":
                revision = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
            elif conn.exec_driver_sql(f'SELECT 1 FROM "{name}" LIMIT 1').first() is not None:  # noqa: S608
                full.append(name)
    return revision, full


def _place_files(staging: Path, settings: Settings) -> tuple[int, int]:
    """Copy keys and evidence into the data directory. An existing file must hold the same bytes; that is
    checked for every file before any is copied, so a refusal leaves the directory as it was."""
    plan: list[tuple[str, Path, Path, int]] = []
    places = (
        ("keys", settings.keys_dir, 0o600),
        ("evidence", settings.evidence_dir, 0o400),
        ("documents", settings.documents_dir, 0o400),
    )
    for top, destination, mode in places:
        root = staging / top
        for path in sorted(root.rglob("*")) if root.exists() else []:
            if path.is_file():
                plan.append((top, path, destination / path.relative_to(root), mode))
    for _top, path, target, _mode in plan:
        if target.exists() and _sha256_of(target) != _sha256_of(path):
            raise BackupError(f"{target} exists with other content: restore into an empty data directory")
    for _top, path, target, mode in plan:
        if target.exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        partial = target.with_name(f".restore-{target.name}")
        shutil.copyfile(path, partial)
        os.chmod(partial, mode)
        os.replace(partial, target)
    return sum(1 for p in plan if p[0] == "keys"), sum(1 for p in plan if p[0] == "evidence")


def _restore_sqlite(staging: Path, url: str) -> int:
    target = _sqlite_path(url)
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with sqlite3.connect(staging / SQLITE_MEMBER) as source, sqlite3.connect(target) as live:
        source.backup(live)  # page by page, under the destination's lock
        rows = sum(
            live.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]  # noqa: S608
            for (name,) in live.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
        )
    source.close()
    live.close()
    return int(rows)


def _restore_postgres(staging: Path, url: str, manifest: dict[str, Any], present: str | None) -> int:
    revision = manifest["schema_revision"]
    if present is None:
        command.upgrade(alembic_config(url), revision)
    elif present != revision:
        raise BackupError(
            f"the database's schema is at {present}, the archive's at {revision}: restore into a new database"
        )
    engine = sa.create_engine(url, hide_parameters=True, poolclass=sa.pool.NullPool)
    rows = 0
    try:
        with engine.begin() as conn:
            cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
            for table in manifest["tables"]:
                name, columns = table["table"], table["columns"]
                quoted = ", ".join(f'"{c}"' for c in columns)
                with (
                    (staging / table["member"]).open("rb") as source,
                    cursor.copy(f'COPY "{name}" ({quoted}) FROM STDIN') as copy,
                ):
                    while chunk := source.read(CHUNK):
                        copy.write(chunk)
                rows += cursor.rowcount if cursor.rowcount > 0 else 0
            # Sequences (the ledger's storage order) go on after the restored rows.
            for name, column in conn.exec_driver_sql(
                "SELECT table_name, column_name FROM information_schema.columns "
                "WHERE table_schema = current_schema() "
                "AND (position('nextval(' in column_default) = 1 OR is_identity = 'YES')"
            ):
                conn.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('\"{name}\"', '{column}'), "  # noqa: S608
                    f'coalesce((SELECT max("{column}") FROM "{name}"), 0) + 1, false)'
                )
    finally:
        engine.dispose()
    return rows


@contextmanager
def _staging_beside(directory: Path) -> Iterator[Path]:
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    with tempfile.TemporaryDirectory(prefix=".caseledger-restore-", dir=directory) as tmp:
        os.chmod(tmp, 0o700)
        yield Path(tmp)


def restore_backup(settings: Settings, archive: Path, trusted_vkeys: list[str] | None = None) -> RestoreReport:
    """Rebuild an instance from ``archive`` into an empty database and data directory, then migrate to head.

    ``trusted_vkeys``: verifier keys the operator trusts (the agencies' published keys); when given, every
    agency's manifest signature must be by one of them.
    """
    url = settings.resolved_database_url
    with _staging_beside(settings.data_dir) as staging:
        manifest = _unpack_checked(archive, staging, trusted_vkeys or [])
        engine_name = "sqlite" if _is_sqlite(url) else "postgresql"
        if manifest.get("engine") != engine_name:
            raise BackupError(
                f"{archive} holds a {manifest.get('engine')} database; the configured database is {engine_name}"
            )
        if engine_name == "sqlite" and not _sqlite_path(url).exists():
            present: str | None = None
        else:
            engine = sa.create_engine(url, hide_parameters=True, poolclass=sa.pool.NullPool)
            try:
                present, full = _rows_in(engine)
            finally:
                engine.dispose()
            if full:
                raise BackupError(
                    f"the database is not empty (table {full[0]} has rows): restore only into an empty database"
                )
        key_files, evidence_files = _place_files(staging, settings)
        if engine_name == "sqlite":
            rows = _restore_sqlite(staging, url)
        else:
            rows = _restore_postgres(staging, url, manifest, present)
    command.upgrade(alembic_config(url), "head")
    return RestoreReport(engine_name, manifest["schema_revision"], rows, evidence_files, key_files)
