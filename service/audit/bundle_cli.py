"""``caseledger verify-bundle FILE``: checks an exported bundle with no server and no database.

Kept apart from the main command so that it imports only the pure ledger modules.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from service.audit.bundle import verify_bundle
from service.ledger.errors import VerificationError


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="caseledger verify-bundle",
        description="Verify a case bundle exported by caseledger: the agency's signature over the manifest of "
        "every file, every entry's hash and chain, inclusion in the signed checkpoint, the case's path through its "
        "procedure, signatures, evidence files, the issued documents against their entries and the summary. "
        "Exit 0 when all holds, 1 otherwise.",
    )
    parser.add_argument("file", help="the bundle (.zip)")
    parser.add_argument("--vkey", help="a file with the agency's published verifier key, to hold the bundle to")
    args = parser.parse_args(argv)
    try:
        data = Path(args.file).read_bytes()
        trusted = Path(args.vkey).read_text(encoding="utf-8") if args.vkey else None
    except OSError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        report = verify_bundle(data, trusted)
    except VerificationError as exc:
        print(f"BUNDLE REFUSED: {exc.reason}", file=sys.stderr)
        return 1
    print(
        f"case {report.case_number or report.case_id}: the manifest of every file is signed by the checkpoint key; "
        f"{report.entries} entries chain and are included in the "
        f"checkpoint of size {report.checkpoint_size}; {report.evidence_files} evidence files and "
        f"{report.documents} issued documents match their entries; "
        f"{len(report.signatures)} signatures verify; {report.steps} steps follow the procedure"
    )
    for notice in report.notices:
        print(f"  notice: {notice}")
    for signature in report.signatures:
        print(f"  signed: {signature}")
    print(f"checkpoint key: {report.vkey}")
    if trusted is None:
        print("  compare this key with the agency's published verifier key (or pass --vkey)")
    return 0
