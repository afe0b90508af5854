"""Fixtures for the case tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from service.runtime import Runtime

from .driver import Cases


@pytest.fixture
def cases(client: TestClient, auth: Callable[[str], dict[str, str]], runtime: Runtime) -> Cases:
    return Cases(client, auth, runtime.clock)
