"""Signed bundles: the manifest of every file is signed by the agency's checkpoint key (a C2SP signed note), so
no file of an exported bundle — the manifest included — can be edited, added or removed unnoticed, and its
summary carries no line a file name or a description injected."""

from __future__ import annotations

import base64
import io
import json
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient

from service.audit.bundle import UNSIGNED_FORMAT, manifest_for, render_summary, sign_manifest, verify_bundle
from service.ledger.errors import VerificationError
from service.ledger.note import Checkpoint, NoteSigner, NoteVerifier

from .driver import Cases
from .test_evidence_api import upload

Auth = Callable[[str], dict[str, str]]
Files = dict[str, bytes]

RTL_NAME = "invoice\u202egpj.exe"
# The API refuses the bidirectional overrides in a description (service/inputs.py); the name of a file is kept as
# sent, so the summary must make its RTL override inert.
INJECTING_DESCRIPTION = "现场照片\n\t   9  2026-01-01T00:00:00Z  结案  —  伪造\u2028第二行"


@pytest.fixture
def exported(cases: Cases, client: TestClient, auth: Auth) -> bytes:
    """A case with two pieces of evidence (one under a name and a description that try to inject lines), sealed
    under a signed checkpoint and exported by a supervisor."""
    case = cases.open()
    cases.step(case, "approve_filing", "head")
    second = cases.officer("officer2")
    assert upload(client, auth, case["id"], second).status_code == 201
    tricky = upload(
        client, auth, case["id"], second, b"second file", filename=RTL_NAME, description=INJECTING_DESCRIPTION
    )
    assert tricky.status_code == 201, tricky.text
    assert client.post("/api/v1/agencies/tiemen/ledger/checkpoint", headers=auth("supervisor")).status_code == 200
    response = client.post(
        f"/api/v1/cases/{case['id']}/export", json={"reason": "移送法院"}, headers=auth("supervisor")
    )
    assert response.status_code == 200, response.text
    return response.content


def members(bundle: bytes) -> Files:
    archive = zipfile.ZipFile(io.BytesIO(bundle))
    return {info.filename: archive.read(info) for info in archive.infolist()}


def rezip(files: Files) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def refusal(files: Files, trusted: str | None = None) -> str:
    with pytest.raises(VerificationError) as caught:
        verify_bundle(rezip(files), trusted)
    return caught.value.reason


def cut_last_case_entry(files: Files) -> Files:
    """The probe's attack: drop the case's last entry and rewrite the manifest, proofs and summary to match."""
    last = sorted(p for p in files if p.startswith("entries/case-"))[-1]
    manifest = json.loads(files["manifest.json"])
    meta = {k: v for k, v in manifest.items() if k not in ("files", "format")}
    proofs = json.loads(files["proofs.json"])
    del proofs[last]
    kept = {p: d for p, d in files.items() if p not in (last, "manifest.json", "manifest.sig")}
    kept["proofs.json"] = json.dumps(proofs, indent=1, sort_keys=True).encode()
    case_entries = [json.loads(kept[p]) for p in sorted(p for p in kept if p.startswith("entries/case-"))]
    names = {
        f"user:{e['body']['user_id']}": e["body"]["display_name"]
        for e in (json.loads(kept[p]) for p in kept if p.startswith("entries/user-"))
        if e["type"] == "agency:user:created"
    }
    kept["summary.txt"] = render_summary(meta, case_entries, names).encode()
    evidence = {e["body"]["sha256"] for e in case_entries if e["type"] == "case:evidence:collected"}
    kept = {p: d for p, d in kept.items() if not p.startswith("evidence/") or p.removeprefix("evidence/") in evidence}
    return {"manifest.json": manifest_for(kept, meta), "manifest.sig": files["manifest.sig"], **kept}


def test_the_probes_cut_bundle_is_refused_naming_the_manifest(exported: bytes) -> None:
    files = members(exported)
    assert verify_bundle(exported).entries == 4
    assert refusal(cut_last_case_entry(files)).startswith("manifest.json: its bytes are not the manifest the agency")


def test_a_cut_bundle_re_signed_with_another_key_is_refused_against_the_key_the_user_trusts(exported: bytes) -> None:
    """Whoever forges the whole bundle under a key of their own (vkey, checkpoint and manifest signature, all
    consistent) passes a check of the bundle against itself, which is why the verifier names the key it used and
    `--vkey` holds the bundle to the agency's published one."""
    files = members(exported)
    genuine = NoteVerifier.from_vkey(files["vkey.txt"].decode().strip())
    forger = NoteSigner(genuine.name, Ed25519PrivateKey.generate())
    cut = cut_last_case_entry(files)
    checkpoint = Checkpoint.parse(genuine.verify(files["checkpoint.txt"].decode()))
    cut["checkpoint.txt"] = forger.sign(checkpoint.body()).encode()
    cut["vkey.txt"] = (forger.vkey() + "\n").encode()
    meta = {k: v for k, v in json.loads(cut["manifest.json"]).items() if k not in ("files", "format")}
    cut["manifest.json"] = manifest_for({p: d for p, d in cut.items() if not p.startswith("manifest.")}, meta)
    cut["manifest.sig"] = sign_manifest(cut["manifest.json"], meta["case_id"], forger)
    assert verify_bundle(rezip(cut)).vkey == forger.vkey()  # consistent with itself, under another key
    assert refusal(cut, genuine.vkey()) == "vkey.txt: not the verifier key you trust for this agency"
    assert verify_bundle(exported, genuine.vkey() + "\n").vkey == genuine.vkey()


def test_editing_removing_or_adding_any_file_is_refused_naming_it(exported: bytes) -> None:
    files = members(exported)
    assert {"manifest.json", "manifest.sig", "vkey.txt", "checkpoint.txt", "proofs.json", "summary.txt"} <= set(files)
    for name, data in files.items():
        edited = refusal(files | {name: data + b"\n"})
        assert edited.startswith(name), (name, edited)
        removed = refusal({k: v for k, v in files.items() if k != name})
        assert removed.startswith(name), (name, removed)
    assert refusal(files | {"notes.txt": b"hello"}) == "notes.txt: not listed in the manifest (added)"


def test_a_signature_over_another_case_or_by_an_unknown_key_is_refused(exported: bytes) -> None:
    files = members(exported)
    stranger = NoteSigner("caseledger.local/tiemen", Ed25519PrivateKey.generate())
    case_id = json.loads(files["manifest.json"])["case_id"]
    unknown = refusal(files | {"manifest.sig": sign_manifest(files["manifest.json"], case_id, stranger)})
    assert unknown.startswith("manifest.sig: note has no signature by key caseledger.local/tiemen+")
    note = files["manifest.sig"].decode()
    signature = note[note.rindex(" ") + 1 :].strip()
    flipped = base64.b64decode(signature)
    flipped = flipped[:-1] + bytes([flipped[-1] ^ 1])
    forged = note.replace(signature, base64.b64encode(flipped).decode())
    assert refusal(files | {"manifest.sig": forged.encode()}).startswith("manifest.sig: invalid signature")


def test_an_unsigned_bundle_of_the_first_format_is_refused_with_the_reason(exported: bytes) -> None:
    files = members(exported)
    manifest = json.loads(files["manifest.json"])
    meta = {k: v for k, v in manifest.items() if k not in ("files", "format")}
    rest = {p: d for p, d in files.items() if not p.startswith("manifest.")}
    old = json.loads(manifest_for(rest, meta)) | {"format": UNSIGNED_FORMAT}
    reason = refusal({"manifest.json": json.dumps(old).encode(), **rest})
    assert reason.startswith(f"manifest.json: an unsigned bundle ({UNSIGNED_FORMAT}, exported before bundles were")
    assert "export the case again" in reason


def test_no_name_or_description_injects_a_line_into_the_summary(exported: bytes) -> None:
    summary = members(exported)["summary.txt"].decode()
    lines = summary.split("\n")
    assert not any(c in summary for c in "\r\t\u2028\u202e\u2066")
    assert sum(1 for line in lines if line.lstrip().startswith("9  ")) == 0  # the injected "entry" is not a line
    described = next(line for line in lines if line.startswith("        说明：现场照片[U+000A][U+0009]   9  2026"))
    assert described.endswith("伪造[U+2028]第二行")
    assert "        上传时的文件名：invoice[U+202E]gpj.exe" in lines
    assert "invoicegpj.exe" in summary  # the stored name: the override is gone


def test_the_verifier_refuses_a_cut_bundle_from_the_command_line(exported: bytes, tmp_path: Path) -> None:
    files = members(exported)
    genuine, cut = tmp_path / "case.zip", tmp_path / "cut.zip"
    genuine.write_bytes(exported)
    cut.write_bytes(rezip(cut_last_case_entry(files)))
    vkey = tmp_path / "agency.vkey"
    vkey.write_bytes(files["vkey.txt"])
    ok = verify_command(genuine, "--vkey", str(vkey))
    assert ok.returncode == 0, ok.stderr
    refused = verify_command(cut)
    assert refused.returncode == 1
    assert refused.stderr.startswith("BUNDLE REFUSED: manifest.json: its bytes are not the manifest the agency")
    other = tmp_path / "other.vkey"
    other.write_text(NoteSigner("caseledger.local/tiemen", Ed25519PrivateKey.generate()).vkey())
    assert verify_command(genuine, "--vkey", str(other)).returncode == 1


def verify_command(*args: Any) -> subprocess.CompletedProcess[str]:
    code = "import sys\nfrom service.entry import main\nsys.argv=['caseledger','verify-bundle',*sys.argv[1:]]\nmain()"
    return subprocess.run(
        [sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True, check=False, timeout=120
    )
