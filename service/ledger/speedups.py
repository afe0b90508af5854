"""The compiled inner loops of verification (``_speedups.c``), when they were built.

``pip install`` builds them where a C compiler and OpenSSL's headers are present (the extension is optional);
otherwise, or with ``CASELEDGER_NO_SPEEDUPS=1`` in the environment, :mod:`service.ledger.verify` runs its
Python twins, which are the specification (tests/ledger/test_speedups.py checks that both answer alike), and
:mod:`service.ledger.audit` lets the database join the leaves with the entry rows.
"""

from __future__ import annotations

import os
from types import ModuleType


def _load() -> ModuleType | None:
    if os.environ.get("CASELEDGER_NO_SPEEDUPS"):
        return None
    try:
        from service.ledger import _speedups
    except ImportError:
        return None
    return _speedups


compiled: ModuleType | None = _load()
