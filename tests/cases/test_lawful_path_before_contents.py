"""Ledgers written before policy version entries carried their content still verify.

Here the service runs on a revised general workflow, recorded the old way (``files`` hashes alone), and a case is
walked through it. `caseledger verify` then finds the workflow among the files at hand whose hash is the recorded
version; where none has it, the case is still checked for continuity and listed as not checked against the
procedure — a notice, not a failure.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from service.audit.bundle import verify_bundle
from service.cli import app as cli_app
from service.clock import FixedClock
from service.config import Settings
from service.ledger.canonical import parse_entry
from service.ledger.models import LedgerEntry
from service.main import create_app
from service.policy import versions
from service.policy.recorded import file_hash, recorded_contents
from service.runtime import Runtime

from .driver import Cases
from .test_lawful_path import append_step, body_of, bundle_of, entries_of, walked_to_party_heard


@pytest.fixture
def settings(session_dir: Path, database_url: str, tmp_path: Path) -> Settings:
    """The test's settings (as tests/conftest.py makes them) on a copy of the policies whose general workflow is
    revised: a new workflow version, recorded when the service starts."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "keys").symlink_to(session_dir / "data" / "keys", target_is_directory=True)
    policies = tmp_path / "policies"
    shutil.copytree(Settings().policies_dir, policies)
    general = policies / "workflows" / "general.yaml"
    general.write_text(general.read_text(encoding="utf-8") + "\n# revised\n", encoding="utf-8")
    return Settings(data_dir=data, database_url=database_url, run_integrator=False, policies_dir=policies)


@pytest.fixture(autouse=True)
def recorded_by_hash_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """Policy versions recorded as caseledger did before: the files' hashes, not their content."""

    def hashes_only(files: Mapping[str, bytes]) -> dict[str, Any]:
        return {"files": {name: file_hash(content) for name, content in files.items()}}

    monkeypatch.setattr(versions, "policy_entry_body", hashes_only)


def verify(settings: Settings, policies_dir: Path) -> tuple[int, str]:
    env = {
        "CASELEDGER_DATA_DIR": str(settings.data_dir),
        "CASELEDGER_DATABASE_URL": settings.resolved_database_url,
        "CASELEDGER_POLICIES_DIR": str(policies_dir),
    }
    result = CliRunner().invoke(cli_app, ["verify", "--agency", "tiemen"], env=env, catch_exceptions=False)
    return result.exit_code, " ".join(result.output.split())


def test_the_workflow_file_with_the_recorded_hash_is_used_when_the_ledger_has_no_content(
    cases: Cases, clock: FixedClock, settings: Settings, integrate: Callable[..., Any]
) -> None:
    walked_to_party_heard(cases, clock)
    integrate(force_checkpoint=True)
    code, output = verify(settings, settings.policies_dir)
    assert code == 0, output
    assert "1 cases re-run through their procedure (6 steps), 0 not checked against the procedure" in output


def test_without_the_workflow_anywhere_the_case_verifies_with_a_notice(
    cases: Cases, clock: FixedClock, settings: Settings, runtime: Runtime, integrate: Callable[..., Any]
) -> None:
    case = walked_to_party_heard(cases, clock)
    integrate(force_checkpoint=True)
    code, output = verify(settings, Settings().policies_dir)  # the files at hand are not the revised ones
    assert code == 0, output
    assert "1 cases re-run through their procedure (6 steps), 1 not checked against the procedure" in output
    version = body_of(entries_of(runtime, case)[1])["check"]["workflow_version"]
    assert (
        f"notice: stream case:{case['id']}: not checked against the procedure: workflow version {version} is not "
        f"among the workflows recorded in the ledger and the files in {Settings().policies_dir / 'workflows'}"
    ) in output
    # The bundle carries no workflow either: it verifies, with the notice.
    report = verify_bundle(bundle_of(runtime, case))
    assert report.notices == [
        f"stream case:{case['id']}: not checked against the procedure: workflow version {version} is not "
        "among the workflows the bundle carries"
    ]


def test_without_the_workflow_a_step_that_does_not_continue_the_stream_still_fails(
    cases: Cases, settings: Settings, runtime: Runtime, integrate: Callable[..., Any]
) -> None:
    case = cases.open()
    cases.step(case, "approve_filing", "head")
    approval = next(e for e in entries_of(runtime, case) if e.type == "case:filing:approved")
    where = append_step(runtime, case, "case:filing:approved", body_of(approval))
    integrate(force_checkpoint=True)
    code, output = verify(settings, Settings().policies_dir)
    assert code == 1, output
    assert f"stream case:{case['id']}, {where}: says approve_filing went from registered to investigating" in output


def test_the_first_start_after_the_upgrade_records_the_contents_once(
    cases: Cases,
    clock: FixedClock,
    settings: Settings,
    runtime: Runtime,
    integrate: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    case = walked_to_party_heard(cases, clock)
    before = len(policy_entries(runtime))
    monkeypatch.undo()  # this caseledger, on the same policy files
    for _ in range(2):
        with TestClient(create_app(runtime)):
            pass
    recorded = policy_entries(runtime)
    assert len(recorded) == before + 2  # tiemen and other, once each
    assert recorded_contents(parse_entry(recorded[-1].canonical).body) == versions.policy_files(settings.policies_dir)
    integrate(force_checkpoint=True)
    code, output = verify(settings, Settings().policies_dir)  # the revised workflow is now in the ledger
    assert code == 0, output
    assert "1 cases re-run through their procedure (6 steps), 0 not checked against the procedure" in output
    assert verify_bundle(bundle_of(runtime, case)).notices == []


def policy_entries(runtime: Runtime) -> list[LedgerEntry]:
    with runtime.database.transaction(write=False) as session:
        return list(
            session.scalars(
                sa.select(LedgerEntry)
                .where(LedgerEntry.type == "agency:policies:loaded")
                .order_by(LedgerEntry.recorded_at)
            )
        )
