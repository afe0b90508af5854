"""The facts a step's rules are judged on, worked out as the rules read them (service/cases/facts.py)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest

from service.cases.facts import DeferredFacts
from service.cases.guards import CaseFacts

from . import facts as example_facts

EVERY = {f.name: getattr(example_facts(), f.name) for f in dataclasses.fields(CaseFacts)}


def _split(deferred_names: set[str], worked: list[str]) -> tuple[dict[str, Any], dict[str, Callable[[CaseFacts], Any]]]:
    """The example's facts, those named deferred (each noting in ``worked`` when it is worked out), the rest given."""

    def later(name: str) -> Callable[[CaseFacts], Any]:
        def work(_: CaseFacts) -> Any:
            worked.append(name)
            return EVERY[name]

        return work

    given = {n: v for n, v in EVERY.items() if n not in deferred_names}
    return given, {n: later(n) for n in deferred_names}


def test_a_deferred_fact_is_worked_out_on_its_first_read_and_only_then() -> None:
    worked: list[str] = []
    facts = DeferredFacts(*_split({"hearing", "proposed", "decision_signed"}, worked))
    assert worked == []
    assert facts.hearing == EVERY["hearing"]
    assert facts.hearing == EVERY["hearing"]
    assert worked == ["hearing"]  # once, and the others not at all


def test_a_fact_that_could_not_be_worked_out_is_tried_again_when_read_again() -> None:
    attempts: list[int] = []

    def flaky(_: CaseFacts) -> Any:
        attempts.append(1)
        if len(attempts) == 1:
            raise LookupError("the database could not be asked")
        return EVERY["hearing"]

    given, deferred = _split({"hearing"}, [])
    facts = DeferredFacts(given, {**deferred, "hearing": flaky})
    with pytest.raises(LookupError):
        _ = facts.hearing
    assert facts.hearing == EVERY["hearing"]
    assert len(attempts) == 2


def test_a_deferred_fact_hides_the_default_of_case_facts() -> None:
    # ``decision_signed`` defaults to False in CaseFacts; the example's is True. A deferred fact must never read as
    # the class's default: no rule passes for want of a fact.
    assert EVERY["decision_signed"] is True
    facts = DeferredFacts(*_split({"decision_signed", "communicated_deadlines"}, []))
    assert facts.decision_signed is True
    assert facts.communicated_deadlines == EVERY["communicated_deadlines"]


def test_a_fact_is_worked_out_from_the_others_as_read() -> None:
    given, deferred = _split({"item", "review_required"}, [])
    deferred["review_required"] = lambda f: f.item is not None and f.item.code == f.item_code
    facts = DeferredFacts(given, deferred)
    assert facts.review_required is True
    assert facts.item == EVERY["item"]


def test_every_fact_is_given_or_deferred_once() -> None:
    given, deferred = _split({"hearing"}, [])
    with pytest.raises(ValueError, match="missing \\['review_open'\\]"):
        DeferredFacts({n: v for n, v in given.items() if n != "review_open"}, deferred)
    with pytest.raises(ValueError, match="unknown \\['heard'\\]"):
        DeferredFacts({**given, "heard": True}, deferred)
    with pytest.raises(ValueError, match="both \\['hearing'\\]"):
        DeferredFacts({**given, "hearing": EVERY["hearing"]}, deferred)


def test_the_moment_must_be_aware() -> None:
    given, deferred = _split(set(), [])
    with pytest.raises(ValueError, match="timezone-aware"):
        DeferredFacts({**given, "now": given["now"].replace(tzinfo=None)}, deferred)


def test_read_only_as_case_facts() -> None:
    facts = DeferredFacts(*_split({"hearing"}, []))
    with pytest.raises(dataclasses.FrozenInstanceError):
        facts.reason = "changed"  # type: ignore[misc]
