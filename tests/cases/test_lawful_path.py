"""Verification checks the law, not just the bytes: `caseledger verify` and `caseledger verify-bundle` re-run each
case stream through the state graph of the workflow its steps were checked under (service/cases/lawful_path.py).

A step appended out of order — as 20 concurrent `approve_filing` requests once did, 19 of them saying
"registered → investigating" — is well-formed and hash-chained, so only the procedure can tell it is unlawful.
The steps below are appended with `record()`, bypassing the case service's checks, as such a defect would.
"""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from service.agencies.service import agency_ref, get_agency_by_code
from service.audit.bundle import verify_bundle
from service.audit.export import agency_signer, bundle_files, zip_bundle
from service.cases.models import Case
from service.clock import FixedClock
from service.evidence.store import EvidenceStore
from service.ledger.errors import VerificationError
from service.ledger.models import LedgerEntry
from service.ledger.projection import record
from service.policy.recorded import POLICY_ENTRY, POLICY_STREAM, file_hash
from service.runtime import Runtime

from .driver import Cases
from .test_case_api import NOTICE, fine
from .test_reviews import subprocess_verify

Cli = Callable[..., Any]


def walked_to_party_heard(cases: Cases, clock: FixedClock) -> dict[str, Any]:
    """A general-procedure case walked through the API: filed, investigated, notified, heard."""
    case = cases.open()
    cases.step(case, "approve_filing", "head")
    cases.step(
        case,
        "record_inquiry",
        officers=cases.with_second(),
        data={"place": "当事人家中", "summary": "当事人承认倾倒垃圾", "subject": "当事人"},
    )
    cases.step(case, "close_investigation", officers=cases.with_second(), data={"report": "事实清楚，证据确凿"})
    cases.step(case, "intend_penalty", "head", data={"penalty": fine(30000)})
    cases.step(
        case, "serve_prior_notice", officers=cases.with_second(), data={"notice": NOTICE | {"penalty": fine(30000)}}
    )
    clock.advance(days=8)
    cases.step(case, "conclude_party_hearing")
    return case


def entries_of(runtime: Runtime, case: dict[str, Any]) -> list[LedgerEntry]:
    with runtime.database.transaction(write=False) as session:
        return list(
            session.scalars(
                sa.select(LedgerEntry)
                .where(LedgerEntry.stream == f"case:{case['id']}")
                .order_by(LedgerEntry.stream_seq)
            )
        )


def body_of(entry: LedgerEntry) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(entry.canonical)["body"]
    return body


def append_step(runtime: Runtime, case: dict[str, Any], type: str, body: dict[str, Any]) -> str:
    """Append a step's entry to the case's stream directly, bypassing the case service; return its stream position."""
    with runtime.database.transaction() as session:
        recorded = record(
            session,
            agency_ref(get_agency_by_code(session, "tiemen")),
            stream=f"case:{case['id']}",
            type=type,
            actor="system:test",
            body=body,
            at=runtime.clock.now(),
        )
    return f"position {recorded.content.seq}, entry id {recorded.entry_id}, type {type}"


def verify_fails(cli: Cli) -> str:
    result = cli("verify", "--agency", "tiemen")
    assert result.exit_code == 1, result.output
    return " ".join(result.output.split())


def test_a_case_walked_through_the_api_follows_its_procedure_and_verifies(
    cases: Cases, clock: FixedClock, cli: Cli, integrate: Callable[..., Any]
) -> None:
    walked_to_party_heard(cases, clock)
    integrate(force_checkpoint=True)
    result = cli("verify", "--agency", "tiemen")
    assert result.exit_code == 0, result.output
    output = " ".join(result.output.split())
    assert "tiemen: 1 cases re-run through their procedure (6 steps), 0 not checked against the procedure" in output
    assert "notice:" not in output


def test_a_second_filing_approval_fails_verify_naming_the_entry(
    cases: Cases, runtime: Runtime, cli: Cli, integrate: Callable[..., Any]
) -> None:
    """第五十四条第二款: a case is filed once; the doubled approval says registered → investigating again."""
    case = cases.open()
    cases.step(case, "approve_filing", "head")
    approval = next(e for e in entries_of(runtime, case) if e.type == "case:filing:approved")
    where = append_step(runtime, case, "case:filing:approved", body_of(approval))
    integrate(force_checkpoint=True)
    output = verify_fails(cli)
    assert f"TAMPERING DETECTED in tiemen: agency tiemen, stream case:{case['id']}, {where}" in output
    assert "says approve_filing went from registered to investigating, but the case was in investigating" in output


def test_a_decision_right_after_filing_fails_verify(
    cases: Cases, runtime: Runtime, cli: Cli, integrate: Callable[..., Any]
) -> None:
    """第五十七条、第六十二条: no decision before the investigation is closed and the party heard. The entry's own
    from/to agree with the stream; the procedure does not allow it there."""
    case = cases.open()
    cases.step(case, "approve_filing", "head")
    check = body_of(next(e for e in entries_of(runtime, case) if e.type == "case:filing:approved"))["check"]
    decision = {
        "case_id": case["id"],
        "transition": "decide_penalty",
        "from": "investigating",
        "to": "decided",
        "data": {"penalty": fine(30000)},
        "officers": [],
        "qualifications": [],
        "check": check | {"transition": "decide_penalty", "from": "investigating", "to": "decided"},
        "reason": None,
        "deadlines": [],
    }
    where = append_step(runtime, case, "case:decision:penalty", decision)
    integrate(force_checkpoint=True)
    output = verify_fails(cli)
    assert f"stream case:{case['id']}, {where}" in output
    assert "does not allow decide_penalty in state investigating (only in party_heard)" in output


def test_a_step_recorded_under_the_other_procedure_fails_verify(
    cases: Cases, runtime: Runtime, cli: Cli, integrate: Callable[..., Any]
) -> None:
    case = cases.open()
    cases.step(case, "approve_filing", "head")
    approval = body_of(next(e for e in entries_of(runtime, case) if e.type == "case:filing:approved"))
    filed_as_summary = approval | {
        "transition": "file_with_agency",
        "from": "investigating",
        "to": "summary_filed",
        "check": approval["check"] | {"procedure": "summary"},
    }
    where = append_step(runtime, case, "case:summary_decision:filed", filed_as_summary)
    integrate(force_checkpoint=True)
    output = verify_fails(cli)
    assert f"{where}: checked under the summary procedure, but the case is in the general procedure" in output


def test_a_policy_entry_whose_content_is_not_the_file_it_names_fails_verify(
    runtime: Runtime, cli: Cli, integrate: Callable[..., Any]
) -> None:
    """Whoever could record a workflow of their own under the version of the real one could make any path lawful."""
    general = (runtime.settings.policies_dir / "workflows" / "general.yaml").read_bytes()
    forged = general.replace(b"from: [party_heard]", b"from: [investigating, party_heard]")
    assert forged != general
    with runtime.database.transaction() as session:
        recorded = record(
            session,
            agency_ref(get_agency_by_code(session, "tiemen")),
            stream=POLICY_STREAM,
            type=POLICY_ENTRY,
            actor="system:test",
            body={
                "files": {"workflows/general.yaml": file_hash(general)},
                "contents": {"workflows/general.yaml": forged.decode()},
            },
            at=runtime.clock.now(),
        )
    integrate(force_checkpoint=True)
    output = verify_fails(cli)
    assert (
        f"agency tiemen, stream policies, position {recorded.content.seq}, entry id {recorded.entry_id}: the recorded "
        "content of workflows/general.yaml is not the file its hash names"
    ) in output


def bundle_of(runtime: Runtime, case: dict[str, Any]) -> bytes:
    """The case's bundle as the export builds it (the audit view would refuse to vouch for a tampered one)."""
    with runtime.database.transaction(write=False) as session:
        found = session.get(Case, uuid.UUID(case["id"]))
        assert found is not None
        files, meta = bundle_files(session, found, EvidenceStore(runtime.settings.evidence_dir))
        return zip_bundle(files, meta, agency_signer(session, runtime.signers, found))


def test_an_exported_bundle_re_runs_the_case_through_the_procedure_it_carries(
    cases: Cases, clock: FixedClock, runtime: Runtime, integrate: Callable[..., Any], tmp_path: Path
) -> None:
    case = walked_to_party_heard(cases, clock)
    integrate(force_checkpoint=True)
    bundle = bundle_of(runtime, case)
    names = zipfile.ZipFile(io.BytesIO(bundle)).namelist()
    assert [n for n in names if n.startswith("entries/policies-")] == ["entries/policies-000000.bin"]
    report = verify_bundle(bundle)
    assert (report.steps, report.notices) == (6, [])
    path = tmp_path / "case.zip"
    path.write_bytes(bundle)
    ok = subprocess_verify(path)  # on the pure modules alone
    assert ok.returncode == 0, ok.stderr
    assert "6 steps follow the procedure" in ok.stdout


def test_a_second_filing_approval_in_a_bundle_fails_verify_bundle(
    cases: Cases, runtime: Runtime, integrate: Callable[..., Any], tmp_path: Path
) -> None:
    case = cases.open()
    cases.step(case, "approve_filing", "head")
    approval = next(e for e in entries_of(runtime, case) if e.type == "case:filing:approved")
    append_step(runtime, case, "case:filing:approved", body_of(approval))
    integrate(force_checkpoint=True)
    doubled = f"entries/case-{len(entries_of(runtime, case)) - 1:06d}.bin"
    bundle = bundle_of(runtime, case)
    with pytest.raises(VerificationError) as caught:
        verify_bundle(bundle)
    assert caught.value.reason.startswith(f"{doubled} (agency tiemen, stream case:{case['id']}, position")
    assert "but the case was in investigating" in caught.value.reason
    path = tmp_path / "case.zip"
    path.write_bytes(bundle)
    refused = subprocess_verify(path)
    assert refused.returncode == 1, refused.stdout
    assert f"BUNDLE REFUSED: {doubled}" in refused.stderr
