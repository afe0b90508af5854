"""The rule `caseledger verify` applies to each case stream, on plain values (service/cases/lawful_path.py).

A case's stream is the registration, then steps and other entries; each step must leave the state the stream is
in, be allowed there by the workflow version it records, and lead where that step leads.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from service.cases.lawful_path import PathReport, Procedures, StreamEntry, check_case_stream, workflow_version
from service.ledger.errors import VerificationError

WORKFLOWS = Path(__file__).resolve().parents[2] / "policies" / "workflows"
GENERAL = (WORKFLOWS / "general.yaml").read_bytes()
VERSION = workflow_version(GENERAL)


def procedures() -> Procedures:
    known = Procedures("the workflows of this test")
    for path in sorted(WORKFLOWS.glob("*.yaml")):
        known.add(path.read_bytes(), str(path))
    return known


def registered(state: str = "registered", procedure: str = "general") -> StreamEntry:
    return StreamEntry(0, "case:case:registered", {"procedure": procedure, "state": state}, "entry 0")


def step(seq: int, type: str, name: str, was: str, now: str, **check: Any) -> StreamEntry:
    body = {
        "transition": name,
        "from": was,
        "to": now,
        "check": {"workflow_version": VERSION, "procedure": "general", "ok": True} | check,
    }
    return StreamEntry(seq, type, body, f"entry {seq}")


FILED = step(1, "case:filing:approved", "approve_filing", "registered", "investigating")
INQUIRY = step(2, "case:inquiry:recorded", "record_inquiry", "investigating", "investigating")  # an act
EVIDENCE = StreamEntry(3, "case:evidence:collected", {"sha256": "00", "kind": "document"}, "entry 3")


def test_the_lawful_path_verifies_and_acts_and_other_entries_keep_the_state() -> None:
    report = PathReport()
    closed = step(4, "case:investigation:closed", "close_investigation", "investigating", "investigation_closed")
    check_case_stream("case:1", [registered(), FILED, INQUIRY, EVIDENCE, closed], procedures(), report)
    assert (report.streams, report.steps, report.unchecked) == (1, 3, [])


@pytest.mark.parametrize(
    ("entries", "reason"),
    [
        ([FILED], "entry 1: a case stream must begin with the case's registration"),
        ([registered(procedure="other")], "entry 0: the registration names no known procedure and state"),
        (
            [registered(), FILED, step(2, "case:filing:approved", "approve_filing", "registered", "investigating")],
            "entry 2: says approve_filing went from registered to investigating, but the case was in investigating",
        ),
        (
            [registered(), FILED, step(2, "case:decision:penalty", "decide_penalty", "investigating", "decided")],
            "entry 2: the general procedure (version sha256:",
        ),
        (
            [registered(), step(1, "case:filing:approved", "approve_filing", "registered", "closed")],
            "entry 1: says approve_filing led to closed, but from registered it leads to investigating",
        ),
        (
            [registered(), FILED, step(2, "case:inquiry:recorded", "record_inquiry", "investigating", "decided")],
            "entry 2: says record_inquiry led to decided, but from investigating it leads to investigating",
        ),
        (
            [registered(), step(1, "case:filing:approved", "refuse_filing", "registered", "investigating")],
            "entry 1: case:filing:approved records approve_filing, but the entry says refuse_filing",
        ),
        (
            [
                registered(),
                step(1, "case:summary_decision:made", "decide_on_the_spot", "registered", "summary_decided"),
            ],
            "entry 1: the general procedure (version sha256:",
        ),
        (
            [registered(), step(1, "case:filing:approved", "approve_filing", "registered", "investigating", ok=False)],
            "entry 1: recorded although its own check refused it",
        ),
        (
            [registered(), step(1, "case:filing:approved", "approve_filing", "registered", "x", procedure="summary")],
            "entry 1: checked under the summary procedure, but the case is in the general procedure",
        ),
        (
            [registered(), StreamEntry(1, "case:filing:approved", {"transition": "approve_filing"}, "entry 1")],
            "entry 1: a step without its transition, from, to and check",
        ),
        (
            [registered(), step(1, "case:filing:approved", "approve_filing", "registered", "x", workflow_version=None)],
            "entry 1: a step whose check names no workflow version",
        ),
    ],
    ids=[
        "no-registration",
        "unknown-procedure",
        "doubled-step",
        "not-allowed-in-state",
        "wrong-to",
        "act-that-moves",
        "type-and-name-differ",
        "step-of-the-other-procedure",
        "refused-by-its-check",
        "checked-under-another-procedure",
        "step-without-check",
        "check-without-version",
    ],
)
def test_a_step_out_of_place_is_named(entries: list[StreamEntry], reason: str) -> None:
    with pytest.raises(VerificationError) as caught:
        check_case_stream("case:1", entries, procedures())
    assert caught.value.reason.startswith(reason), caught.value.reason


def test_a_decision_after_filing_names_the_state_and_where_the_procedure_allows_it() -> None:
    decided = step(2, "case:decision:penalty", "decide_penalty", "investigating", "decided")
    with pytest.raises(VerificationError, match="does not allow decide_penalty in state investigating"):
        check_case_stream("case:1", [registered(), FILED, decided], procedures())


def test_under_a_version_not_at_hand_the_stream_is_checked_for_continuity_and_listed() -> None:
    unknown = {"workflow_version": "sha256:" + "0" * 64}
    filed, inquiry = (
        step(1, "case:filing:approved", "approve_filing", "registered", "investigating", **unknown),
        step(2, "case:inquiry:recorded", "record_inquiry", "investigating", "investigating", **unknown),
    )
    report = PathReport()
    check_case_stream("case:1", [registered(), filed, inquiry], procedures(), report)
    assert report.unchecked == [
        f"stream case:1: not checked against the procedure: workflow version {unknown['workflow_version']} is not "
        "among the workflows of this test"
    ]
    again = step(3, "case:filing:approved", "approve_filing", "registered", "investigating", **unknown)
    with pytest.raises(VerificationError, match="but the case was in investigating"):
        check_case_stream("case:1", [registered(), filed, inquiry, again], procedures())


def test_a_workflow_this_caseledger_cannot_read_is_named_as_the_reason() -> None:
    known = Procedures("nowhere")
    unreadable = b"format: 99\n"
    known.add(unreadable, "workflows/general.yaml as recorded")
    why = known.why_missing(workflow_version(unreadable))
    assert why.startswith("workflows/general.yaml as recorded cannot be read by this version of caseledger")
