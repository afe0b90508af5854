"""Signing in to the console as a browser does: the sign-in form's token, then the session cookie."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.conftest import PASSWORD

CSRF = re.compile(r'name="csrf" value="([^"]+)"')
SIGNIN_TOKEN = re.compile(r'name="signin_token" value="([^"]+)"')


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Sign ``client`` in as ``username``; the form token of the session (every POST must carry it)."""
    page = client.get("/login")
    token = SIGNIN_TOKEN.search(page.text)
    assert token is not None
    answer = client.post(
        "/login",
        files={"username": (None, username), "password": (None, password), "signin_token": (None, token.group(1))},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    home = client.get("/")
    assert home.status_code == 200, home.text
    found = CSRF.search(home.text)
    assert found is not None
    return found.group(1)


def form(**fields: str | list[str]) -> dict[str, tuple[None, str]] | list[tuple[str, tuple[None, str]]]:
    """A multipart form body, as the console's forms post (repeated names for a list)."""
    out: list[tuple[str, tuple[None, str]]] = []
    for name, value in fields.items():
        for v in value if isinstance(value, list) else [value]:
            out.append((name, (None, v)))
    return out


def part_of(page: str, marker: str, end: str) -> str:
    """The part of ``page`` from ``marker`` to the first ``end`` after it: a section, a list, an alert."""
    start = page.index(marker)
    return page[start : page.index(end, start)]
