"""The ``caseledger`` executable: ``verify-bundle`` runs on the pure modules alone; everything else is the full CLI."""

from __future__ import annotations

import sys


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "verify-bundle":
        from service.audit.bundle_cli import main as verify_bundle_main

        raise SystemExit(verify_bundle_main(sys.argv[2:]))
    from service.cli import app

    app()
