"""Building a case's bundle from the database: its entries, the people's and keys' entries, the policy entries
carrying the case's workflows, proofs, evidence.

The bundle is checked by the same pure verifier (service/audit/bundle.py) a court would run, before it is
handed out; the supervisor's audit view is that verification's result.
"""

from __future__ import annotations

import base64
import io
import json
import zipfile
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.agencies.models import Agency
from service.audit.bundle import MANIFEST, MANIFEST_SIGNATURE, manifest_for, render_summary, sign_manifest
from service.auth.principal import Principal
from service.cases.disclosure import disclose_party, given_reason
from service.cases.lawful_path import WORKFLOW_FILES, workflow_version
from service.cases.models import Case
from service.documents.models import IssuedDocument
from service.errors import Conflict
from service.evidence.models import Evidence
from service.evidence.store import EvidenceStore
from service.ledger.integrator import SignerCache, latest_checkpoint
from service.ledger.models import LedgerEntry, LedgerHead, LedgerLeaf
from service.ledger.note import NoteSigner
from service.ledger.service import prove_inclusion
from service.policy.recorded import POLICY_STREAM, recorded_contents

_KEY_TYPES = ("agency:signing_key:registered", "agency:signing_key:approved", "agency:signing_key:revoked")
_FIXED_TIME = (2020, 1, 1, 0, 0, 0)  # zip member times: a bundle's bytes depend on its content only


def _entries(session: Session, agency_id: Any, stream: str, types: Iterable[str] | None = None) -> list[Any]:
    query = (
        select(LedgerEntry, LedgerLeaf.index)
        .join(LedgerLeaf, LedgerLeaf.entry_id == LedgerEntry.id)
        .where(LedgerEntry.agency_id == agency_id, LedgerEntry.stream == stream)
        .order_by(LedgerEntry.stream_seq)
    )
    if types is not None:
        query = query.where(LedgerEntry.type.in_(list(types)))
    return list(session.execute(query).all())


class NotYetSealed(Conflict):
    """Some of the case's entries are not yet under a signed checkpoint: a GET writes nothing, so it never signs
    one itself; the integrator does within ``checkpoint_every_seconds``, or a supervisor asks for one now."""

    code = "not_yet_sealed"
    title_zh = "案件最新记录尚未封存"
    title_en = "The case's latest entries are not yet under a signed checkpoint"


def sealed_bundle(
    session: Session,
    case: Case,
    store: EvidenceStore,
    signers: SignerCache,
    every_seconds: float,
    documents: EvidenceStore | None = None,
) -> bytes:
    """The case's bundle, signed, when a signed checkpoint covers all its entries; else 409 with Retry-After."""
    try:
        files, meta = bundle_files(session, case, store, documents)
    except NotYetSealed:
        agency = session.get(Agency, case.agency_id)
        assert agency is not None
        wait = int(every_seconds) or 1
        raise NotYetSealed(
            f"the case's latest entries are not yet under a signed checkpoint: the next one comes within {wait} s, "
            f"or sign one now with POST /api/v1/agencies/{agency.code}/ledger/checkpoint (ledger:checkpoint)",
            f"案件最新记录尚未纳入已签名的检查点：{wait}秒内将自动签发，"
            f"或通过 POST /api/v1/agencies/{agency.code}/ledger/checkpoint 立即签发",
            headers={"Retry-After": str(wait)},
        ) from None
    return zip_bundle(files, meta, agency_signer(session, signers, case))


def disclosed_bundle(
    session: Session,
    principal: Principal,
    case: Case,
    reason: str,
    now: datetime,
    stores: tuple[EvidenceStore, EvidenceStore],
    signers: SignerCache,
    every_seconds: float,
) -> bytes:
    """The case's bundle handed out: it carries the party's personal data, so its export is recorded on the
    case's chain as a disclosure with its reason (service/cases/disclosure.py) — after the bundle is built and
    sealed, so a bundle that cannot be built records nothing. ``stores``: evidence, then issued documents."""
    reason = given_reason(reason)
    evidence, documents = stores
    bundle = sealed_bundle(session, case, evidence, signers, every_seconds, documents)
    disclose_party(session, principal, case, f"{reason}（导出案卷包）", now)
    return bundle


def bundle_files(
    session: Session, case: Case, store: EvidenceStore, documents: EvidenceStore | None = None
) -> tuple[dict[str, bytes], dict[str, Any]]:
    """The bundle's files (without the manifest) and its metadata. Raises NotYetSealed when entries are pending.
    With ``documents`` (the store of issued documents), every document issued for the case is included as
    ``documents/<sha256>.pdf``, the bytes whose hash its ``case:document:issued`` entry records."""
    agency = session.get(Agency, case.agency_id)
    assert agency is not None
    checkpoint = latest_checkpoint(session, agency.id)
    case_rows = _entries(session, agency.id, f"case:{case.id}")
    total = session.scalar(
        select(LedgerEntry.stream_seq)
        .where(LedgerEntry.agency_id == agency.id, LedgerEntry.stream == f"case:{case.id}")
        .order_by(LedgerEntry.stream_seq.desc())
        .limit(1)
    )
    if checkpoint is None or len(case_rows) != (total or 0) + 1 or any(i >= checkpoint.size for _, i in case_rows):
        raise NotYetSealed("the case's latest entries are not yet under a signed checkpoint", "案件最新记录尚未封存")
    files: dict[str, bytes] = {}
    proofs: dict[str, Any] = {}

    def add(path: str, entry: LedgerEntry, index: int) -> None:
        files[path] = bytes(entry.canonical)
        answer = prove_inclusion(session, agency.id, int(index), int(checkpoint.size))
        proofs[path] = {
            "index": int(index),
            "leaf_hash": base64.b64encode(answer.leaf_hash).decode("ascii"),
            "proof": [base64.b64encode(h).decode("ascii") for h in answer.proof],
        }

    actors: set[str] = set()
    parsed_case = []
    for entry, index in case_rows:
        add(f"entries/case-{entry.stream_seq:06d}.bin", entry, index)
        parsed = json.loads(entry.canonical)
        parsed_case.append(parsed)
        if entry.actor.startswith("user:"):
            actors.add(entry.actor)
    names: dict[str, str] = {}
    for actor in sorted(actors):
        for entry, index in _entries(session, agency.id, actor, ("agency:user:created", *_KEY_TYPES)):
            add(f"entries/{actor.replace(':', '-')}-{entry.stream_seq:06d}.bin", entry, index)
            body = json.loads(entry.canonical)["body"]
            if entry.type == "agency:user:created":
                names[actor] = body["display_name"]
    # The policy entries that carry the workflows the case's steps were checked under, so that the verifier re-runs
    # the case through its procedure from the bundle alone (the first entry recording each version suffices).
    checks = [e["body"].get("check") for e in parsed_case]
    versions = {c.get("workflow_version") for c in checks if isinstance(c, dict)}
    for entry, index in _entries(session, agency.id, POLICY_STREAM):
        if not versions or index >= checkpoint.size:
            break
        try:
            contents = recorded_contents(json.loads(entry.canonical)["body"])
        except ValueError:  # the verifier names such an entry; it carries no workflow to bundle
            continue
        carried = {workflow_version(c) for name, c in contents.items() if name.startswith(WORKFLOW_FILES)}
        if carried & versions:
            add(f"entries/{POLICY_STREAM}-{entry.stream_seq:06d}.bin", entry, index)
            versions -= carried
    for item in session.scalars(select(Evidence).where(Evidence.case_id == case.id)):
        files[f"evidence/{item.sha256}"] = b"".join(store.open(item.sha256))
    if documents is not None:
        for document in session.scalars(select(IssuedDocument).where(IssuedDocument.case_id == case.id)):
            files[f"documents/{document.sha256}.pdf"] = b"".join(documents.open(document.sha256))
    meta = {
        "agency": agency.code,
        "agency_name": agency.name,
        "case_id": str(case.id),
        "case_number": case.number,
        "checkpoint_size": int(checkpoint.size),
    }
    files["checkpoint.txt"] = checkpoint.note.encode("utf-8")
    files["vkey.txt"] = (agency.checkpoint_vkey + "\n").encode("utf-8")
    files["proofs.json"] = json.dumps(proofs, indent=1, sort_keys=True).encode()
    files["summary.txt"] = render_summary(meta, parsed_case, names).encode("utf-8")
    return files, meta


def agency_signer(session: Session, signers: SignerCache, case: Case) -> NoteSigner:
    """The agency's checkpoint signer (its key is a file under the data directory, never in the database)."""
    head = session.get(LedgerHead, case.agency_id)
    assert head is not None
    return signers.signer(head)


def zip_bundle(files: dict[str, bytes], meta: dict[str, Any], signer: NoteSigner) -> bytes:
    """The bundle: the manifest of every file, signed by the agency's checkpoint key, and the files.
    Signing writes nothing (a GET may export): the note is made afresh, and deterministically, for each export."""
    manifest = manifest_for(files, meta)
    signature = sign_manifest(manifest, str(meta["case_id"]), signer)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, data in [(MANIFEST, manifest), (MANIFEST_SIGNATURE, signature), *sorted(files.items())]:
            info = zipfile.ZipInfo(path, date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()
