"""``caseledger verify-document FILE.pdf``: checks a printed document's file with no server and no database.

Kept apart from the main command so that it imports only pure modules (the ledger's proofs, pypdf).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from service.documents.proofs import DocumentProof, embedded_proof, verify_document
from service.ledger.errors import VerificationError


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="caseledger verify-document",
        description="Verify an issued document (with --proof, the JSON of its verification page) or its "
        "proof-carrying copy: its bytes are those the agency recorded, the entry is in the agency's log, and the "
        "checkpoint is signed by the verifier key. Exit 0 when all holds, 1 otherwise.",
    )
    parser.add_argument("file", help="the issued PDF, or its proof-carrying copy")
    parser.add_argument("--proof", help="the verification page's JSON (for an issued PDF without an embedded proof)")
    parser.add_argument("--vkey", help="a file with the agency's published verifier key, to hold the document to")
    args = parser.parse_args(argv)
    try:
        pdf = Path(args.file).read_bytes()
        trusted = Path(args.vkey).read_text(encoding="utf-8").strip() if args.vkey else None
        given = None
        if args.proof:
            page = json.loads(Path(args.proof).read_text(encoding="utf-8"))
            given = DocumentProof.from_json(page.get("proof", page))
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        proof = embedded_proof(pdf) or given
        vkey = trusted or (proof.vkey if proof is not None else "")
        verified = verify_document(pdf, given, vkey)
    except VerificationError as exc:
        print(f"DOCUMENT REFUSED: {exc.reason}", file=sys.stderr)
        return 1
    source = "the issued bytes recovered from the proof-carrying copy" if verified.was_copy else "the file"
    print(
        f"{verified.title} {verified.number} (document {verified.document_id}): {source} has the SHA-256 the agency "
        f"recorded at {verified.recorded_at} ({verified.sha256}); the entry is leaf {verified.index} of the "
        f"checkpoint of size {verified.size} of {verified.origin}, signed by the verifier key"
    )
    if trusted is None:
        print(f"checkpoint key (from the proof): {vkey}")
        print("  compare this key with the agency's published verifier key (or pass --vkey)")
    return 0
