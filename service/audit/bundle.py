"""Case bundles: a zip a supervisor hands to a court, verifiable with no server and no database.

Pure: it imports only the ledger's own pure modules (canonical bytes, Merkle proofs, signed notes, signatures).

Layout:
    manifest.json          every other file with its SHA-256 and size (regenerated and compared)
    manifest.sig           a C2SP signed note by the agency's checkpoint key over the manifest's SHA-256: without
                           it anyone could cut entries out and rewrite the manifest, proofs and summary to match
    checkpoint.txt         the agency's signed checkpoint (C2SP signed note) the proofs lead to
    vkey.txt               the verifier key of the checkpoint (compare it with the agency's published key)
    entries/<name>.bin     exact canonical bytes of each entry: the case's chain (case-NNNNNN), the entries
                           of the people who acted and of their signing keys (user-<uuid>-NNNNNN), and the
                           policy entries carrying the workflows the case's steps were checked under
                           (policies-NNNNNN)
    proofs.json            for each entry file: its log index, leaf hash and inclusion proof at the checkpoint
    evidence/<sha256>      the evidence files the case's entries name
    documents/<sha256>.pdf the documents issued for the case, each the bytes whose SHA-256 and size its
                           ``case:document:issued`` entry records (re-checked against that entry, not only the
                           manifest)
    summary.txt            a readable summary in Chinese (regenerated from the entries and compared)

Any byte changed, any file added or removed, is refused with the file's name and the reason; so is a case
whose steps its procedure does not allow in the order recorded (service/cases/lawful_path.py, pure as well).
Bundles of the first format (``caseledger.bundle/v1``, exported before manifests were signed) are refused: a
warning would let exactly the forgery the signature stops pass with exit 0, relabelled as an old bundle, and the
service re-exports any case at any time.

Free text (names, file names, descriptions) enters the summary only through `one_line`, so no character in it
can start a line of its own or reorder what a reader sees.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import unicodedata
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from service.cases.lawful_path import PathReport, Procedures, StreamEntry, check_case_stream
from service.ledger.errors import VerificationError
from service.ledger.merkle import leaf_hash, verify_inclusion
from service.ledger.note import NoteSigner, NoteVerifier, open_checkpoint
from service.ledger.signatures import signing_key_id, verify_ed25519
from service.policy.recorded import POLICY_ENTRY, POLICY_STREAM

FORMAT = "caseledger.bundle/v2"
UNSIGNED_FORMAT = "caseledger.bundle/v1"
MANIFEST = "manifest.json"
MANIFEST_SIGNATURE = "manifest.sig"
MAX_MEMBER = 1 << 30

TYPE_NAMES_ZH = {
    "case:case:registered": "案件来源登记",
    "case:filing:approved": "负责人批准立案",
    "case:filing:refused": "不予立案",
    "case:number:assigned": "编立案号",
    "case:inquiry:recorded": "询问笔录",
    "case:inspection:recorded": "现场检查（勘验）笔录",
    "case:evidence:collected": "收集证据",
    "case:evidence:custody_changed": "证据保管变更",
    "case:preservation:approved": "批准先行登记保存",
    "case:preservation:registered": "先行登记保存",
    "case:preservation:decided": "先行登记保存处理决定",
    "case:seizure:approved": "批准查封、扣押",
    "case:seizure:decided": "查封、扣押决定",
    "case:seizure:extended": "延长查封、扣押期限",
    "case:seizure:released": "解除查封、扣押",
    "case:seizure:confiscated": "没收查封、扣押的财物",
    "case:seizure:transferred": "查封、扣押的财物随案移送",
    "case:seizure:appraisal_started": "查封、扣押的财物送检测、检验、检疫或者技术鉴定",
    "case:seizure:appraisal_ended": "检测、检验、检疫或者技术鉴定结束",
    "case:investigation:closed": "调查终结",
    "case:penalty:intended": "负责人审查拟处罚",
    "case:prior_notice:served": "送达行政处罚事先告知书",
    "case:statement:recorded": "陈述申辩记录",
    "case:statement:waived": "放弃陈述申辩",
    "case:hearing:requested": "要求听证",
    "case:hearing:scheduled": "听证通知",
    "case:hearing:held": "举行听证",
    "case:hearing:waived": "放弃听证",
    "case:party_hearing:concluded": "陈述申辩听证程序终结",
    "case:legal_review:requested": "提请法制审核",
    "case:legal_review:taken": "法制审核受理",
    "case:legal_review:recorded": "法制审核意见",
    "case:legal_review:signed": "法制审核意见电子签名",
    "case:collective_discussion:held": "集体讨论",
    "case:collective_discussion:signed": "集体讨论结论签名",
    "case:decision:penalty": "作出行政处罚决定",
    "case:decision:no_penalty": "作出不予行政处罚决定",
    "case:decision:order": "作出责令决定",
    "case:decision:signed": "处罚决定书电子签名",
    "case:decision:served": "送达决定书",
    "case:decision:served_late": "逾期送达决定书",
    "case:payment:recorded": "缴纳罚款",
    "case:execution:completed": "执行完毕",
    "case:closure:approved": "结案",
    "case:file:archived": "归档",
    "case:recusal:decided": "回避决定",
    "case:major_flag:set": "重大复杂案件标记",
    "case:personal_data:erased": "依法删除个人信息",
    "case:personal_data:disclosed": "查阅当事人个人信息",
    "case:document:issued": "制发文书",
}
DOCUMENT_ISSUED = "case:document:issued"


@dataclass
class BundleReport:
    case_id: str
    case_number: str | None
    entries: int
    checkpoint_size: int
    vkey: str
    evidence_files: int
    documents: int = 0  # issued documents (documents/*.pdf) whose bytes match their entries
    signatures: list[str] = field(default_factory=list)
    steps: int = 0  # steps re-run through the procedure
    notices: list[str] = field(default_factory=list)  # e.g. the case was not checked against the procedure


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def manifest_for(files: Mapping[str, bytes], meta: Mapping[str, Any]) -> bytes:
    listing = [{"path": path, "sha256": _sha(data), "size": len(data)} for path, data in sorted(files.items())]
    return json.dumps(
        {"format": FORMAT, **meta, "files": listing}, ensure_ascii=False, indent=1, sort_keys=True
    ).encode()


def sign_manifest(manifest: bytes, case_id: str, signer: NoteSigner) -> bytes:
    """The signed note over the manifest: the log's origin (the key's name) first, as in a checkpoint, then the
    bundle's format, the case and the manifest's SHA-256."""
    return signer.sign(_manifest_note_text(signer.name, case_id, manifest)).encode("utf-8")


def _manifest_note_text(origin: str, case_id: str, manifest: bytes) -> str:
    return f"{origin}\n{FORMAT}\ncase {case_id}\nmanifest sha256 {_sha(manifest)}\n"


# Characters that would break a summary line or reorder how it reads: every control character (CR, LF, tab,
# NEL...), the line and paragraph separators, and the bidirectional marks, embeddings, overrides and isolates.
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def one_line(text: object) -> str:
    """``text`` as one line of inert characters: each control, separator or bidi character is written as its
    code point, visibly (``[U+202E]``), so a reader sees that it was there and nothing it would have done."""
    return "".join(
        f"[U+{ord(char):04X}]" if char in _BIDI or unicodedata.category(char) in ("Cc", "Zl", "Zp") else char
        for char in str(text)
    )


def _entry(data: bytes, name: str) -> dict[str, Any]:
    try:
        parsed: dict[str, Any] = json.loads(data)
    except ValueError:
        raise VerificationError(f"{name}: not an entry (not JSON)") from None
    if parsed.get("kind") != "caseledger.entry/v1":
        raise VerificationError(f"{name}: not a caseledger entry")
    return parsed


def render_summary(meta: Mapping[str, Any], case_entries: list[dict[str, Any]], names: Mapping[str, str]) -> str:
    """The readable summary (Chinese); deterministic, so the verifier regenerates and compares it."""
    lines = [
        "行政处罚案件电子案卷摘要",
        f"执法主体：{one_line(meta.get('agency_name', meta['agency']))}（{one_line(meta['agency'])}）",
        f"案号：{one_line(meta.get('case_number') or '（未立案）')}",
        f"案件编号：{one_line(meta['case_id'])}",
        "",
        "办案过程（按记录顺序；时间为协调世界时 UTC）：",
    ]
    for entry in case_entries:
        label = one_line(TYPE_NAMES_ZH.get(entry["type"], entry["type"]))
        actor = one_line(names.get(entry["actor"], entry["actor"]))
        lines.append(f"  {entry['seq']:>4}  {one_line(entry['claimed_at'])}  {label}  —  {actor}")
        body = entry["body"]
        if entry["type"] == "case:evidence:collected":
            kind, name, sha = (one_line(body[key]) for key in ("kind", "filename", "sha256"))
            lines.append(f"        证据：{kind}，{name}，SHA-256 {sha}")
            if "filename_as_sent" in body:
                lines.append(f"        上传时的文件名：{one_line(body['filename_as_sent'])}")
            if body.get("description"):
                lines.append(f"        说明：{one_line(body['description'])}")
        if entry["type"] in ("case:decision:penalty", "case:decision:no_penalty"):
            penalty = body.get("data", {}).get("penalty")
            if penalty:
                kinds = "、".join(one_line(kind) for kind in penalty["kinds"])
                lines.append(f"        处罚：{kinds}，罚款 {int(penalty['fine_fen']) / 100:.2f} 元")
        if entry["type"] == "case:legal_review:recorded":
            lines.append(f"        审核意见：{'同意' if body['opinion'] == 'agree' else '存在问题'}")
        if entry["type"] == DOCUMENT_ISSUED:
            title, number, sha = (one_line(body.get(key, "")) for key in ("title", "number", "sha256"))
            lines.append(f"        文书：{title} {number}，SHA-256 {sha}")
    lines += [
        "",
        "本摘要由案卷中的记录生成；各记录的哈希链、默克尔包含证明和签名检查点可离线验证（caseledger verify-bundle）。",
    ]
    return "\n".join(lines) + "\n"


def verify_bundle(data: bytes, trusted_vkey: str | None = None) -> BundleReport:
    """Verify a bundle's bytes; raise VerificationError naming the file and the reason at the first problem."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise VerificationError("the bundle is not a zip file") from None
    files: dict[str, bytes] = {}
    for info in archive.infolist():
        if info.file_size > MAX_MEMBER:
            raise VerificationError(f"{info.filename}: too large")
        if info.filename in files:
            raise VerificationError(f"{info.filename}: appears twice")
        files[info.filename] = archive.read(info)
    manifest_bytes = files.pop(MANIFEST, None)
    if manifest_bytes is None:
        raise VerificationError(f"{MANIFEST}: missing")
    try:
        manifest = json.loads(manifest_bytes)
    except ValueError:
        raise VerificationError(f"{MANIFEST}: not JSON") from None
    if not isinstance(manifest, dict):
        raise VerificationError(f"{MANIFEST}: not a caseledger bundle manifest")
    if manifest.get("format") == UNSIGNED_FORMAT:
        raise VerificationError(
            f"{MANIFEST}: an unsigned bundle ({UNSIGNED_FORMAT}, exported before bundles were signed), which "
            "cannot prove that nothing was cut out of it; export the case again for a signed bundle"
        )
    if manifest.get("format") != FORMAT:
        raise VerificationError(f"{MANIFEST}: not a caseledger bundle of a known format")
    signed_note = files.pop(MANIFEST_SIGNATURE, None)
    if signed_note is None:
        raise VerificationError(f"{MANIFEST_SIGNATURE}: missing (the manifest is not signed)")
    vkey = files.get("vkey.txt", b"").decode("utf-8", "replace").strip()
    verifier = _manifest_verifier(vkey, trusted_vkey)
    _open_manifest_note(signed_note, verifier, str(manifest.get("case_id")), manifest_bytes)

    if not isinstance(manifest.get("files"), list):
        raise VerificationError(f"{MANIFEST}: lists no files")
    listed = {f["path"]: f for f in manifest["files"]}
    for path in sorted(set(files) - set(listed)):
        raise VerificationError(f"{path}: not listed in the manifest (added)")
    for path in sorted(set(listed) - set(files)):
        raise VerificationError(f"{path}: listed in the manifest but missing (removed)")
    for path, item in listed.items():
        if _sha(files[path]) != item["sha256"] or len(files[path]) != item["size"]:
            raise VerificationError(f"{path}: its bytes do not match the manifest")
    meta = {k: v for k, v in manifest.items() if k not in ("files", "format")}

    try:
        checkpoint = open_checkpoint(files["checkpoint.txt"].decode("utf-8"), verifier, origin=verifier.name)
    except (VerificationError, KeyError, UnicodeDecodeError) as exc:
        reason = exc.reason if isinstance(exc, VerificationError) else str(exc)
        raise VerificationError(f"checkpoint.txt: {reason}") from None

    proofs = json.loads(files["proofs.json"])
    entries: dict[str, dict[str, Any]] = {}
    for path in sorted(p for p in files if p.startswith("entries/")):
        proof = proofs.get(path)
        if proof is None:
            raise VerificationError(f"{path}: no inclusion proof in proofs.json")
        digest = leaf_hash(files[path])
        if base64.b64decode(proof["leaf_hash"]) != digest:
            raise VerificationError(f"{path}: its bytes do not hash to the proven leaf")
        try:
            verify_inclusion(
                digest, proof["index"], checkpoint.size, [base64.b64decode(h) for h in proof["proof"]], checkpoint.root
            )
        except VerificationError as exc:
            raise VerificationError(f"{path}: not included in the signed checkpoint: {exc.reason}") from None
        entries[path] = _entry(files[path], path) | {"_hash": digest, "_index": proof["index"]}
    for path in proofs:
        if path not in entries:
            raise VerificationError(f"proofs.json: proves {path}, which the bundle does not contain")

    case_paths = sorted(p for p in entries if p.startswith("entries/case-"))
    case_entries = [entries[p] for p in case_paths]
    previous = None
    for seq, (path, entry) in enumerate(zip(case_paths, case_entries, strict=True)):
        if entry["stream"] != f"case:{meta['case_id']}" or entry["agency"] != meta["agency"]:
            raise VerificationError(f"{path}: not an entry of this case")
        if entry["seq"] != seq:
            raise VerificationError(f"{path}: position {entry['seq']} where {seq} was expected (an entry is missing)")
        prev = None if entry["prev"] is None else base64.b64decode(entry["prev"])
        if prev != previous:
            raise VerificationError(f"{path}: does not chain to the entry before it")
        previous = entry["_hash"]

    paths = _check_procedure(meta, entries, case_paths)

    evidence = {p.removeprefix("evidence/") for p in files if p.startswith("evidence/")}
    named = {e["body"]["sha256"] for e in case_entries if e["type"] == "case:evidence:collected"}
    for sha in sorted(named - evidence):
        raise VerificationError(f"evidence/{sha}: missing")
    for sha in sorted(evidence - named):
        raise VerificationError(f"evidence/{sha}: not named by any entry of the case")
    for sha in sorted(evidence):
        if _sha(files[f"evidence/{sha}"]) != sha:
            raise VerificationError(f"evidence/{sha}: its bytes no longer match the hash recorded in the ledger")

    documents = _check_documents(files, case_paths, case_entries)

    keys = _approved_keys(entries)
    report = BundleReport(
        meta["case_id"],
        meta.get("case_number"),
        len(case_entries),
        checkpoint.size,
        vkey,
        len(evidence),
        documents=documents,
        steps=paths.steps,
        notices=paths.unchecked,
    )
    statements = {
        e["body"]["review_id"]: e["body"]["statement"]
        for e in case_entries
        if e["type"] == "case:legal_review:recorded"
    }
    for path, entry in zip(case_paths, case_entries, strict=True):
        if not entry["type"].endswith(":signed"):
            continue
        body = entry["body"]
        statement = statements.get(body["review_id"]) if "review_id" in body else body.get("statement")
        key = keys.get(body["key_id"])
        if statement is None:
            raise VerificationError(f"{path}: the signed statement is not in the bundle")
        if key is None or key.owner != entry["actor"] or not key.valid_at(entry["_index"]):
            raise VerificationError(
                f"{path}: key {body['key_id']} was not an approved key of the signer when it signed"
            )
        try:
            verify_ed25519(key.public, base64.b64decode(statement), base64.b64decode(body["signature"]))
        except VerificationError as exc:
            raise VerificationError(f"{path}: {exc.reason}") from None
        report.signatures.append(f"{entry['type']} by {entry['actor']} with key {body['key_id']}")

    names = {
        f"user:{e['body']['user_id']}": e["body"]["display_name"]
        for e in entries.values()
        if e["type"] == "agency:user:created"
    }
    if files["summary.txt"].decode("utf-8") != render_summary(meta, case_entries, names):
        raise VerificationError("summary.txt: differs from the summary of the entries")
    return report


def _check_documents(files: Mapping[str, bytes], case_paths: list[str], case_entries: list[dict[str, Any]]) -> int:
    """Each ``documents/<sha256>.pdf`` against the ``case:document:issued`` entry that records it: the file an
    entry names is there, every file is named by an entry, and its bytes have the SHA-256 and the size the entry
    recorded — a changed PDF is refused even where the manifest was made to match it. Returns how many."""
    recorded: dict[str, tuple[str, dict[str, Any]]] = {}
    for path, entry in zip(case_paths, case_entries, strict=True):
        if entry["type"] == DOCUMENT_ISSUED:
            recorded[f"documents/{entry['body']['sha256']}.pdf"] = (path, entry["body"])
    present = {p for p in files if p.startswith("documents/")}
    for name in sorted(set(recorded) - present):
        path, body = recorded[name]
        raise VerificationError(f"{name}: missing (the document {body.get('number', '')} that {path} records)")
    for name in sorted(present - set(recorded)):
        raise VerificationError(f"{name}: not a document any entry of the case records as issued")
    for name in sorted(present):
        path, body = recorded[name]
        data = files[name]
        if _sha(data) != body["sha256"] or len(data) != int(body["size"]):
            raise VerificationError(
                f"{name}: its bytes (SHA-256 {_sha(data)}, {len(data)} bytes) are not the document "
                f"{body.get('number', '')} that {path} records as issued "
                f"(SHA-256 {body['sha256']}, {body['size']} bytes)"
            )
    return len(present)


def _manifest_verifier(vkey: str, trusted_vkey: str | None) -> NoteVerifier:
    """The verifier of the bundle's notes: the agency key the bundle carries, which must be the one the user
    trusts when they name one."""
    try:
        verifier = NoteVerifier.from_vkey(vkey)
    except VerificationError as exc:
        raise VerificationError(f"vkey.txt: {exc.reason}") from None
    if trusted_vkey is not None:
        try:
            trusted = NoteVerifier.from_vkey(trusted_vkey.strip())
        except VerificationError as exc:
            raise VerificationError(f"the verifier key you trust: {exc.reason}") from None
        if trusted.vkey() != verifier.vkey():
            raise VerificationError("vkey.txt: not the verifier key you trust for this agency")
    return verifier


def _open_manifest_note(note: bytes, verifier: NoteVerifier, case_id: str, manifest: bytes) -> None:
    """Check the manifest's signature: a valid note by the agency's key over exactly this manifest."""
    try:
        text = verifier.verify(note.decode("utf-8"))
    except UnicodeDecodeError:
        raise VerificationError(f"{MANIFEST_SIGNATURE}: not UTF-8 text") from None
    except VerificationError as exc:
        raise VerificationError(f"{MANIFEST_SIGNATURE}: {exc.reason}") from None
    lines = text.removesuffix("\n").split("\n")
    if len(lines) != 4 or lines[0] != verifier.name or lines[1] != FORMAT or lines[2] != f"case {case_id}":
        raise VerificationError(f"{MANIFEST_SIGNATURE}: not the signed manifest of this agency's case {case_id}")
    if text != _manifest_note_text(verifier.name, case_id, manifest):
        raise VerificationError(f"{MANIFEST}: its bytes are not the manifest the agency signed")


@dataclass
class _Key:
    public: bytes
    owner: str
    approved_at: int | None = None  # log index of the approval
    revoked_at: int | None = None

    def valid_at(self, index: int) -> bool:
        approved = self.approved_at is not None and self.approved_at < index
        return approved and (self.revoked_at is None or index < self.revoked_at)


def _approved_keys(entries: Mapping[str, dict[str, Any]]) -> dict[str, _Key]:
    """Signing keys registered in the bundle's (proven) entries, with when they were approved and revoked."""
    keys: dict[str, _Key] = {}
    for entry in sorted(entries.values(), key=lambda e: int(e["_index"])):
        body = entry["body"]
        if entry["type"] == "agency:signing_key:registered":
            public = base64.b64decode(body["public_key"])
            if signing_key_id(public) == body["key_id"]:
                keys[body["key_id"]] = _Key(public, f"user:{body['user_id']}")
        elif entry["type"] == "agency:signing_key:approved" and body["key_id"] in keys:
            keys[body["key_id"]].approved_at = int(entry["_index"])
        elif entry["type"] == "agency:signing_key:revoked" and body["key_id"] in keys:
            keys[body["key_id"]].revoked_at = int(entry["_index"])
    return keys


POLICY_PREFIX = f"entries/{POLICY_STREAM}-"


def _check_procedure(
    meta: Mapping[str, Any], entries: Mapping[str, dict[str, Any]], case_paths: list[str]
) -> PathReport:
    """Re-run the case through the workflows carried by the bundle's policy entries (a bundle without them, as
    exported before they were added, is reported as not checked against the procedure)."""
    procedures = Procedures("the workflows the bundle carries")
    for path in sorted(p for p in entries if p.startswith(POLICY_PREFIX)):
        entry = entries[path]
        if entry["stream"] != POLICY_STREAM or entry["agency"] != meta["agency"] or entry["type"] != POLICY_ENTRY:
            raise VerificationError(f"{path}: not a policy version entry of this agency")
        procedures.add_recorded(entry["body"], path)
    report = PathReport()
    check_case_stream(
        f"case:{meta['case_id']}",
        (
            StreamEntry(
                e["seq"],
                e["type"],
                e["body"],
                f"{p} (agency {e['agency']}, stream {e['stream']}, position {e['seq']}, type {e['type']})",
            )
            for p, e in ((p, entries[p]) for p in case_paths)
        ),
        procedures,
        report,
    )
    return report
