"""The policy files in force are part of the record: a changed file is recorded in every agency's ledger."""

from __future__ import annotations

import shutil
from pathlib import Path

import sqlalchemy as sa
from fastapi.testclient import TestClient

from service.config import Settings
from service.ledger.canonical import parse_entry
from service.ledger.models import LedgerEntry
from service.main import create_app
from service.policy.recorded import recorded_contents
from service.policy.versions import PolicyVersions, policy_files, policy_hashes
from service.runtime import Runtime


def loaded_entries(runtime: Runtime) -> int:
    with runtime.database.transaction(write=False) as session:
        return int(session.scalar(sa.select(sa.func.count()).where(LedgerEntry.type == "agency:policies:loaded")) or 0)


def test_the_service_records_changed_policy_files_at_start(
    settings: Settings, runtime: Runtime, tmp_path: Path
) -> None:
    with TestClient(create_app(runtime)):
        pass
    unchanged = loaded_entries(runtime)  # the seeded agencies already recorded these files

    policies = tmp_path / "policies"
    shutil.copytree(settings.policies_dir, policies)
    (policies / "cases.yaml").write_text((policies / "cases.yaml").read_text() + "\n# revised\n")
    changed = Runtime.build(
        settings.model_copy(update={"policies_dir": policies}), database=runtime.database, clock=runtime.clock
    )
    with TestClient(create_app(changed)):
        pass
    assert loaded_entries(runtime) == unchanged + 2  # tiemen and other
    with runtime.database.transaction(write=False) as session:
        versions = session.scalars(sa.select(PolicyVersions)).all()
    assert {v.files["cases.yaml"] for v in versions} == {policy_hashes(policies)["cases.yaml"]}
    with runtime.database.transaction(write=False) as session:
        latest = session.scalars(
            sa.select(LedgerEntry)
            .where(LedgerEntry.type == "agency:policies:loaded")
            .order_by(LedgerEntry.recorded_at.desc())
            .limit(1)
        ).one()
    assert recorded_contents(parse_entry(latest.canonical).body) == policy_files(policies)  # recoverable as it stood
    with TestClient(create_app(changed)):
        pass
    assert loaded_entries(runtime) == unchanged + 2  # recorded once
