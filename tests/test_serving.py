"""The app as ``caseledger serve`` runs it in each worker process (``service.main.create_served_app``)."""

from __future__ import annotations

import gc

import pytest
from fastapi.testclient import TestClient

from service.config import Settings, get_settings
from service.main import create_served_app


def test_the_served_app_takes_what_it_loaded_out_of_the_collectors_reach(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A worker's collector no longer scans the objects the app loaded at start (150–250 ms a full pass); the
    # apps the tests build are not frozen (this test thaws what it froze).
    monkeypatch.setenv("CASELEDGER_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("CASELEDGER_DATABASE_URL", settings.resolved_database_url)
    monkeypatch.setenv("CASELEDGER_RUN_INTEGRATOR", "false")
    get_settings.cache_clear()
    try:
        app = create_served_app()
        assert gc.get_freeze_count() == 0
        with TestClient(app) as client:
            assert gc.get_freeze_count() > 0
            assert client.get("/healthz").status_code == 200
    finally:
        gc.unfreeze()
        get_settings.cache_clear()
