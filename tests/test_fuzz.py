"""No input produces a 500, and every status and media type answered is declared: every operation of the
OpenAPI document, fuzzed by schemathesis, as authorised users.

Bodies and parameters are generated from the schema; each request is sent anonymously and with the token of
each role: officer, reviewer, head, supervisor and admin; the answers are checked for server errors, undeclared
statuses and media types, and bodies that do not match their schema. (Schemathesis' pytest plugin does not run
under pytest 9, so the operations are driven through Hypothesis directly.)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

pytestmark = pytest.mark.slow

USERS = ("officer1", "reviewer", "head", "supervisor", "admin")


def test_no_input_produces_a_server_error(app: FastAPI, auth: Callable[[str], dict[str, str]]) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    headers: dict[str, dict[str, str]] = {user: auth(user) for user in USERS} | {"anonymous": {}}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 40

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None
        )
        def fuzz(case: Any) -> None:
            for user, user_headers in headers.items():
                response = case.call(headers=user_headers)
                try:
                    case.validate_response(response, checks=CHECKS)
                except Exception as exc:
                    raise AssertionError(f"as {user}: {exc}") from exc

        fuzz()
