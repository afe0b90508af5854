"""The proof a printed document carries, and its offline verification.

A *proof* is what the public verification page answers for an issued document: the entry that recorded it (its
canonical bytes), its RFC 9162 inclusion proof, and the signed checkpoint the proof reaches. The
*proof-carrying copy* is the issued PDF with that proof appended in an incremental update, as a PDF/A-3 associated
file (ISO 19005-3 6.8: a file specification with ``/AFRelationship``, ``/Subtype``, ``/Params`` and ``/UF``, listed
in the catalog's ``/AF`` as well as in its ``/EmbeddedFiles`` name tree): the issued bytes (typeset as PDF/A-3u,
service/documents/typesetting.py) are untouched, a prefix of the copy whose length the entry records.
``verify_document`` takes either — the issued PDF with a proof beside it, or the copy — recovers the issued
bytes, and checks them against the entry, the entry against the checkpoint's root, and the checkpoint against
the verifier key. Pure (no database, no network): the offline verifier ships it.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pypdf import PdfReader, PdfWriter
from pypdf.errors import PdfReadError
from pypdf.generic import (
    ArrayObject,
    ByteStringObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    StreamObject,
    TextStringObject,
)

from service.ledger.canonical import CanonicalError, parse_entry
from service.ledger.errors import VerificationError
from service.ledger.merkle import hash_from_base64, leaf_hash, verify_inclusion
from service.ledger.note import NoteVerifier, open_checkpoint

ISSUED = "case:document:issued"
PROOF_FILE = "caseledger-proof.json"  # the entry, the inclusion proof and the checkpoint, as the page answers them
PROOF_MEDIA_TYPE = "application/json"
# ISO 32000-2 14.13.2: the proof supplements the document it is attached to (it is neither its source nor data
# the pages are drawn from).
PROOF_RELATIONSHIP = "/Supplement"
PROOF_DESCRIPTION = "caseledger: the case:document:issued entry, its RFC 9162 inclusion proof and the signed checkpoint"


@dataclass(frozen=True)
class DocumentProof:
    entry: bytes  # the canonical bytes of the case:document:issued entry
    index: int
    size: int
    proof: list[bytes]
    checkpoint: str  # the signed note
    vkey: str  # the agency's verifier key as the service states it (trust it only when it matches yours)

    def to_json(self) -> dict[str, Any]:
        return {
            "entry": base64.b64encode(self.entry).decode("ascii"),
            "index": self.index,
            "size": self.size,
            "proof": [base64.b64encode(h).decode("ascii") for h in self.proof],
            "checkpoint": self.checkpoint,
            "vkey": self.vkey,
        }

    @classmethod
    def from_json(cls, data: Any) -> DocumentProof:
        try:
            return cls(
                entry=base64.b64decode(data["entry"], validate=True),
                index=int(data["index"]),
                size=int(data["size"]),
                proof=[hash_from_base64(h, "proof hash") for h in data["proof"]],
                checkpoint=str(data["checkpoint"]),
                vkey=str(data["vkey"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise VerificationError(f"the proof is not readable: {exc}") from None


def proof_carrying_copy(issued: bytes, proof: DocumentProof, at: datetime) -> bytes:
    """The issued PDF with ``proof`` attached as an associated file made at ``at``, appended as an incremental
    update (the issued bytes stay a prefix)."""
    writer = PdfWriter(io.BytesIO(issued), incremental=True)
    data = json.dumps(proof.to_json(), indent=1, sort_keys=True).encode("utf-8")
    attached = writer.add_attachment(PROOF_FILE, data)
    attached.alternative_name = TextStringObject(PROOF_FILE)  # /UF
    attached.description = TextStringObject(PROOF_DESCRIPTION)
    attached.subtype = NameObject("/" + PROOF_MEDIA_TYPE)  # written /application#2Fjson
    attached.modification_date = at
    attached.size = NumberObject(len(data))
    # /Params /CheckSum: the MD5 of the file, as the standard defines it (an index, not the proof's security)
    attached.checksum = ByteStringObject(hashlib.md5(data, usedforsecurity=False).digest())
    attached.associated_file_relationship = NameObject(PROOF_RELATIONSHIP)
    entry = attached.pdf_object.indirect_reference
    assert entry is not None
    root = writer.root_object
    associated = root.get("/AF")
    listed = associated.get_object() if associated is not None else ArrayObject()
    assert isinstance(listed, ArrayObject)
    listed.append(entry)
    root[NameObject("/AF")] = listed
    out = io.BytesIO()
    writer.write(out)
    copy = out.getvalue()
    assert copy.startswith(issued)
    return copy


@dataclass(frozen=True)
class AssociatedFile:
    """A file the catalog's ``/AF`` lists, as a PDF/A-3 reader finds it."""

    name: str
    unicode_name: str
    relationship: str
    media_type: str
    data: bytes


def associated_files(pdf: bytes) -> list[AssociatedFile]:
    """The document-level associated files (the catalog's ``/AF``) of ``pdf``, in their order."""
    root = PdfReader(io.BytesIO(pdf)).root_object
    listed = root.get("/AF", ArrayObject()).get_object()
    assert isinstance(listed, ArrayObject)
    found = []
    for reference in listed:
        spec = reference.get_object()
        assert isinstance(spec, DictionaryObject)
        files = spec["/EF"].get_object()
        assert isinstance(files, DictionaryObject)
        stream = files["/F"].get_object()
        assert isinstance(stream, StreamObject)
        subtype = str(stream.get("/Subtype", ""))
        found.append(
            AssociatedFile(
                name=str(spec.get("/F", "")),
                unicode_name=str(spec.get("/UF", "")),
                relationship=str(spec.get("/AFRelationship", "")),
                media_type=subtype.removeprefix("/"),
                data=stream.get_data(),
            )
        )
    return found


def embedded_proof(pdf: bytes) -> DocumentProof | None:
    """The proof a proof-carrying copy embeds, or None for a PDF without one."""
    try:
        attachments = PdfReader(io.BytesIO(pdf)).attachments
    except (PdfReadError, ValueError, KeyError) as exc:
        raise VerificationError(f"the file is not a readable PDF: {exc}") from None
    found = attachments.get(PROOF_FILE)
    if not found:
        return None
    try:
        return DocumentProof.from_json(json.loads(found[-1]))
    except ValueError:
        raise VerificationError(f"the embedded {PROOF_FILE} is not JSON") from None


@dataclass(frozen=True)
class VerifiedDocument:
    document_id: str
    kind: str
    title: str
    number: str
    sha256: str
    recorded_at: str
    index: int
    size: int
    origin: str
    was_copy: bool


def verify_document(pdf: bytes, proof: DocumentProof | None, vkey: str) -> VerifiedDocument:
    """Check a printed document offline. ``pdf`` is the issued document (then ``proof`` is its proof from the
    verification page) or its proof-carrying copy; ``vkey`` is the agency's verifier key the caller trusts.
    Raises VerificationError naming the first check that failed."""
    carried = embedded_proof(pdf)
    was_copy = carried is not None
    if carried is not None:
        proof = carried
    if proof is None:
        raise VerificationError(
            "the file carries no proof and none was given: download the proof from the document's verification page"
        )
    try:
        entry = parse_entry(proof.entry)
    except (CanonicalError, KeyError, ValueError) as exc:
        raise VerificationError(f"the proof's entry is not a caseledger entry: {exc}") from None
    if entry.type != ISSUED:
        raise VerificationError(f"the proof's entry is a {entry.type}, not a {ISSUED}")
    body = entry.body
    try:
        size, recorded_sha = int(body["size"]), str(body["sha256"])
    except (KeyError, TypeError, ValueError):
        raise VerificationError("the entry does not record the document's size and SHA-256") from None
    issued = pdf[:size] if was_copy else pdf
    digest = hashlib.sha256(issued).hexdigest()
    if len(issued) != size or digest != recorded_sha:
        raise VerificationError(
            f"the document's bytes (SHA-256 {digest}, {len(issued)} bytes) are not those the entry records "
            f"(SHA-256 {recorded_sha}, {size} bytes): this is not the issued document"
        )
    if not vkey.strip():
        raise VerificationError("no verifier key to check the checkpoint with")
    verifier = NoteVerifier.from_vkey(vkey.strip())
    checkpoint = open_checkpoint(proof.checkpoint, verifier)
    if proof.size != checkpoint.size:
        raise VerificationError(
            f"the proof is for a tree of {proof.size} entries, the checkpoint has {checkpoint.size}"
        )
    verify_inclusion(leaf_hash(proof.entry), proof.index, proof.size, proof.proof, checkpoint.root)
    return VerifiedDocument(
        document_id=str(body.get("document_id", "")),
        kind=str(body.get("kind", "")),
        title=str(body.get("title", "")),
        number=str(body.get("number", "")),
        sha256=digest,
        recorded_at=entry.recorded_at.isoformat(),
        index=proof.index,
        size=proof.size,
        origin=checkpoint.origin,
        was_copy=was_copy,
    )
