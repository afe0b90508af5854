"""Fixtures for the document tests: the case driver of tests/cases."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from tests.cases.driver import Cases


@pytest.fixture
def cases(client: TestClient, auth: Callable[[str], dict[str, str]]) -> Cases:
    return Cases(client, auth)
