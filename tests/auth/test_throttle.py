"""Sign-in throttling per account and per address, that holds under concurrency and cannot lock an owner out
for good. Every 429 carries Retry-After."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from ipaddress import ip_network

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from service.auth.throttle import client_address
from service.clock import FixedClock
from service.config import Settings
from service.main import create_app
from service.runtime import Runtime
from tests.conftest import PASSWORD

WRONG = "not the password"
STRANGER, OWNER_HOME, OWNER_TRAVELLING = ("203.0.113.9", 4000), ("198.51.100.7", 4000), ("192.0.2.44", 4000)


def attempt(client: TestClient, username: str, password: str = WRONG, **headers: str) -> Response:
    return client.post("/api/v1/auth/token", data={"username": username, "password": password}, headers=headers)


def assert_throttled(response: Response, window_seconds: int) -> None:
    assert response.status_code == 429, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "too_many_requests"
    assert 0 < int(response.headers["Retry-After"]) <= window_seconds


@pytest.fixture
def from_address(runtime: Runtime) -> Iterator[dict[tuple[str, int], TestClient]]:
    """Clients of the same app, each connecting from its own address."""
    app = create_app(runtime)
    clients: dict[tuple[str, int], TestClient] = {}
    for peer in (STRANGER, OWNER_HOME, OWNER_TRAVELLING):
        clients[peer] = TestClient(app, client=peer).__enter__()
    yield clients
    for c in clients.values():
        c.__exit__(None, None, None)


def test_20_concurrent_wrong_passwords_get_at_most_the_threshold_of_401s(client: TestClient, runtime: Runtime) -> None:
    """Real threads against the app: the attempt is counted before Argon2 runs, in one atomic statement."""
    threshold = runtime.settings.login_max_failures
    start = threading.Barrier(20)
    responses: list[Response] = []

    def guess() -> None:
        start.wait()
        responses.append(attempt(client, "head"))

    threads = [threading.Thread(target=guess) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = Counter(r.status_code for r in responses)
    assert statuses == {401: threshold, 429: 20 - threshold}
    for refused in (r for r in responses if r.status_code == 429):
        assert_throttled(refused, runtime.settings.login_window_seconds)


def test_after_the_threshold_even_the_right_password_waits_with_retry_after(
    client: TestClient, runtime: Runtime
) -> None:
    for _ in range(runtime.settings.login_max_failures):
        assert attempt(client, "head").status_code == 401
    assert_throttled(attempt(client, "head", PASSWORD), runtime.settings.login_window_seconds)


def test_failures_from_one_address_throttle_every_username_from_it(client: TestClient, runtime: Runtime) -> None:
    for i in range(runtime.settings.login_max_failures):
        assert attempt(client, f"guess{i}").status_code == 401
    assert_throttled(attempt(client, "reviewer", PASSWORD), runtime.settings.login_window_seconds)


def test_a_lock_ends_with_its_window(client: TestClient, runtime: Runtime, clock: FixedClock) -> None:
    for _ in range(runtime.settings.login_max_failures):
        attempt(client, "head")
    refused = attempt(client, "head", PASSWORD)
    assert refused.status_code == 429
    clock.advance(seconds=int(refused.headers["Retry-After"]))
    assert attempt(client, "head", PASSWORD).status_code == 200


def test_a_right_password_clears_the_accounts_count_but_not_its_addresss(
    from_address: dict[tuple[str, int], TestClient], runtime: Runtime
) -> None:
    """An address keeps its failures (else one valid account would let an address guess at every other)."""
    below = runtime.settings.login_max_failures - 1
    for _ in range(below):
        assert attempt(from_address[STRANGER], "head2").status_code == 401
    assert attempt(from_address[OWNER_HOME], "head2", PASSWORD).status_code == 200
    for _ in range(below):
        assert attempt(from_address[OWNER_TRAVELLING], "head2").status_code == 401
    assert attempt(from_address[STRANGER], "guess").status_code == 401
    assert attempt(from_address[STRANGER], "guess").status_code == 429


def test_strangers_locking_an_account_do_not_lock_out_its_owner_where_the_owner_signed_in_before(
    from_address: dict[tuple[str, int], TestClient], runtime: Runtime
) -> None:
    assert attempt(from_address[OWNER_HOME], "officer1", PASSWORD).status_code == 200
    for _ in range(runtime.settings.login_max_failures):
        assert attempt(from_address[STRANGER], "officer1").status_code == 401
    assert_throttled(attempt(from_address[STRANGER], "officer1", PASSWORD), runtime.settings.login_window_seconds)
    # A new address waits for the window, as the strangers do ...
    assert_throttled(
        attempt(from_address[OWNER_TRAVELLING], "officer1", PASSWORD), runtime.settings.login_window_seconds
    )
    # ... but where the owner has signed in before, only that address's own count applies.
    assert attempt(from_address[OWNER_HOME], "officer1", PASSWORD).status_code == 200


def test_a_known_address_is_still_throttled_by_its_own_count(
    from_address: dict[tuple[str, int], TestClient], runtime: Runtime
) -> None:
    home = from_address[OWNER_HOME]
    assert attempt(home, "officer1", PASSWORD).status_code == 200
    for _ in range(runtime.settings.login_max_failures):
        assert attempt(home, "officer1").status_code == 401
    assert_throttled(attempt(home, "officer1", PASSWORD), runtime.settings.login_window_seconds)


def test_an_address_is_forgotten_after_the_configured_days(
    from_address: dict[tuple[str, int], TestClient], runtime: Runtime, clock: FixedClock
) -> None:
    assert attempt(from_address[OWNER_HOME], "officer1", PASSWORD).status_code == 200
    clock.advance(days=runtime.settings.login_known_address_days)
    for _ in range(runtime.settings.login_max_failures):
        attempt(from_address[STRANGER], "officer1")
    assert attempt(from_address[OWNER_HOME], "officer1", PASSWORD).status_code == 429


def test_x_forwarded_for_from_an_untrusted_peer_changes_nothing(
    from_address: dict[tuple[str, int], TestClient], runtime: Runtime
) -> None:
    stranger = from_address[STRANGER]
    for i in range(runtime.settings.login_max_failures):
        assert attempt(stranger, f"guess{i}", **{"X-Forwarded-For": f"10.9.9.{i}"}).status_code == 401
    refused = attempt(stranger, "reviewer", PASSWORD, **{"X-Forwarded-For": "10.9.9.200"})
    assert_throttled(refused, runtime.settings.login_window_seconds)


def test_behind_a_trusted_proxy_each_forwarded_client_is_counted_on_its_own(
    settings: Settings, runtime: Runtime
) -> None:
    proxied = Runtime.build(
        settings.model_copy(update={"trusted_proxies": [ip_network("10.0.0.0/24")]}),
        database=runtime.database,
        clock=runtime.clock,
    )
    with TestClient(create_app(proxied), client=("10.0.0.3", 5000)) as proxy:
        for i in range(proxied.settings.login_max_failures):
            # The client wrote the left-hand hop itself; the proxy appended the address it saw.
            forwarded = {"X-Forwarded-For": f"1.2.3.{i}, 198.51.100.20"}
            assert attempt(proxy, f"guess{i}", **forwarded).status_code == 401
        assert attempt(proxy, "reviewer", PASSWORD, **{"X-Forwarded-For": "198.51.100.20"}).status_code == 429
        assert attempt(proxy, "reviewer", PASSWORD, **{"X-Forwarded-For": "198.51.100.21"}).status_code == 200


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        ("203.0.113.9", ["198.51.100.1"], "203.0.113.9"),  # not a proxy of ours: the header is ignored
        ("10.0.0.1", [], "10.0.0.1"),  # our proxy, talking for itself
        ("10.0.0.1", ["198.51.100.1"], "198.51.100.1"),
        ("10.0.0.1", ["6.6.6.6, 198.51.100.1"], "198.51.100.1"),  # the client's own hop is not believed
        ("10.0.0.1", ["6.6.6.6", "198.51.100.1, 10.0.0.2"], "198.51.100.1"),  # two proxies of ours, two headers
        ("10.0.0.1", ["198.51.100.1, garbage"], "10.0.0.1"),
        ("testclient", ["198.51.100.1"], "testclient"),
        (None, ["198.51.100.1"], None),
    ],
)
def test_the_client_address_is_the_nearest_hop_that_is_not_a_trusted_proxy(
    peer: str | None, forwarded: list[str], expected: str | None
) -> None:
    assert client_address(peer, forwarded, [ip_network("10.0.0.0/24")]) == expected


def test_wrong_current_passwords_count_against_the_account(
    client: TestClient, runtime: Runtime, auth: Callable[[str], dict[str, str]]
) -> None:
    body = {"current_password": WRONG, "new_password": "n" * 16}
    for _ in range(runtime.settings.login_max_failures):
        assert client.put("/api/v1/auth/password", headers=auth("officer2"), json=body).status_code == 403
    refused = client.put("/api/v1/auth/password", headers=auth("officer2"), json=body)
    assert_throttled(refused, runtime.settings.login_window_seconds)


@pytest.mark.parametrize("username", ["Head", "-admin", "../admin"])
def test_a_name_that_cannot_be_a_username_is_a_plain_401(client: TestClient, username: str) -> None:
    response = attempt(client, username, PASSWORD)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_a_name_with_a_control_character_is_refused_at_the_edge(client: TestClient) -> None:
    # Refused before it reaches the throttle or the database (service/inputs.py): a 422, never a 500.
    assert attempt(client, "a\x00b", PASSWORD).status_code == 422
