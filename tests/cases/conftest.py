"""Fixtures for the case tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.cases import casefile
from service.cases.casefile import CaseFile
from service.runtime import Runtime

from .driver import Cases


@pytest.fixture
def cases(client: TestClient, auth: Callable[[str], dict[str, str]], runtime: Runtime) -> Cases:
    return Cases(client, auth, runtime.clock)


@pytest.fixture(autouse=True)
def every_change_to_a_case_file_is_the_whole_file_validated_with_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """``CaseFile.with_changes`` validates only the fields it changes; what it makes must be what validating the
    whole file with the changes makes — the same values, the same keys stored. Checked on every change every case
    test makes (every step of every procedure the tests walk)."""
    changes_only = CaseFile.with_changes

    def checked(self: CaseFile, **changes: Any) -> CaseFile:
        made = changes_only(self, **changes)
        whole = CaseFile.model_validate({**self.stored(), **casefile._json(changes)})
        assert made == whole, (changes, made, whole)
        assert made.stored() == whole.stored(), changes
        return made

    monkeypatch.setattr(CaseFile, "with_changes", checked)
