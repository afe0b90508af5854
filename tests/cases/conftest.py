"""Fixtures for the case tests."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.cases import casefile, service
from service.cases.casefile import CaseFile
from service.cases.guards import CaseFacts
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


@pytest.fixture(autouse=True)
def every_fact_a_rule_reads_is_the_fact_worked_out_with_all_the_others(
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[None]:
    """A step's facts are worked out as its rules read them (service/cases/facts.py); each one read must be what
    working every fact out at once, when the facts were made, gives. Checked for every fact read at every step and
    every list of the steps a case allows that the case tests make."""
    deferred = service.case_facts
    made: list[tuple[CaseFacts, dict[str, Any]]] = []

    def checked(*args: Any, **kwargs: Any) -> CaseFacts:
        every = deferred(*args, **kwargs)
        at_once = {f.name: getattr(every, f.name) for f in dataclasses.fields(CaseFacts)}
        facts = deferred(*args, **kwargs)
        made.append((facts, at_once))
        return facts

    monkeypatch.setattr(service, "case_facts", checked)
    yield
    for facts, at_once in made:
        read = {name: value for name, value in vars(facts).items() if name in at_once}
        assert read == {name: at_once[name] for name in read}
