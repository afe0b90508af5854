"""The `caseledger` command: init, agencies, users, keys on disk, and the server's listening socket."""

from __future__ import annotations

import asyncio
import socket
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from service.cli import _listening_socket
from service.cli import app as cli_app
from service.config import ConfigurationError, Environment, Settings


@pytest.fixture
def fresh(tmp_path: Path) -> Callable[..., Any]:
    """The command on an empty data directory and a new SQLite database."""
    env = {"CASELEDGER_DATA_DIR": str(tmp_path / "var"), "CASELEDGER_DATABASE_URL": ""}

    def run(*args: str, input: str | None = None) -> Any:
        return CliRunner().invoke(cli_app, list(args), env=env, input=input, catch_exceptions=False)

    return run


def test_init_creates_the_data_directory_and_a_private_key_and_is_idempotent(
    fresh: Callable[..., Any], tmp_path: Path
) -> None:
    assert fresh("init").exit_code == 0
    key = tmp_path / "var" / "keys" / "token-es256.pem"
    first = key.read_bytes()
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert fresh("init").exit_code == 0
    assert key.read_bytes() == first  # never regenerated


def test_agency_and_user_commands(fresh: Callable[..., Any], tmp_path: Path) -> None:
    fresh("init")
    added = fresh("agency", "add", "tiemen", "铁门乡人民政府")
    assert added.exit_code == 0, added.output
    agency_key = tmp_path / "var" / "keys" / "agencies" / "tiemen.ed25519.pem"
    assert stat.S_IMODE(agency_key.stat().st_mode) == 0o600
    assert fresh("agency", "add", "tiemen", "again").exit_code == 1
    user = fresh(
        "user",
        "add",
        "--agency",
        "tiemen",
        "--username",
        "li",
        "--role",
        "officer",
        "--role",
        "reviewer",
        "--password-stdin",
        input="a long enough password\n",
    )
    assert user.exit_code == 0, user.output
    assert "a long enough password" not in user.output
    assert fresh("user", "add", "--agency", "tiemen", "--username", "x", "--role", "officer").exit_code == 2
    weak = fresh(
        "user", "add", "--agency", "tiemen", "--username", "y", "--role", "officer", "--password-stdin", input="short\n"
    )
    assert weak.exit_code == 1
    assert (
        fresh(
            "user",
            "add",
            "--agency",
            "tiemen",
            "--username",
            "z",
            "--role",
            "pope",
            "--password-stdin",
            input="a long enough password\n",
        ).exit_code
        == 1
    )
    listed = fresh("user", "list")
    assert "li" in listed.output
    assert "officer, reviewer" in listed.output
    assert fresh("user", "disable", "li").exit_code == 0
    assert "disabled" in fresh("user", "list").output
    verified = fresh("verify")
    assert verified.exit_code == 0, verified.output


def test_the_help_explains_every_command(fresh: Callable[..., Any]) -> None:
    out = fresh("--help").output
    for command in ("init", "agency", "user", "serve", "demo", "openapi", "verify", "verify-bundle", "sign", "keygen"):
        assert command in out


def test_production_refuses_default_or_missing_secrets(tmp_path: Path) -> None:
    settings = Settings(env=Environment.PRODUCTION, data_dir=tmp_path)
    with pytest.raises(ConfigurationError) as refused:
        settings.check_safe_for_production()
    message = str(refused.value)
    assert "CASELEDGER_BLIND_INDEX_KEY" in message
    assert "CASELEDGER_DATABASE_URL" in message
    assert "token signing key" in message
    Settings(env=Environment.DEVELOPMENT, data_dir=tmp_path).check_safe_for_production()  # development starts


def test_the_multi_worker_listener_gives_accepted_connections_tcp_nodelay() -> None:
    """Kludex/uvicorn#3149: a listener bound with proto 0 makes asyncio skip TCP_NODELAY on accepted sockets."""
    listener = _listening_socket("127.0.0.1", 0)
    assert listener.proto == socket.IPPROTO_TCP
    port = listener.getsockname()[1]
    seen: list[int] = []

    async def run() -> None:
        class Probe(asyncio.Protocol):
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                sock = transport.get_extra_info("socket")
                seen.append(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
                transport.close()

        server = await asyncio.get_running_loop().create_server(Probe, sock=listener)
        _reader, writer = await asyncio.open_connection("127.0.0.1", port)
        await asyncio.sleep(0.05)
        writer.close()
        server.close()
        await server.wait_closed()

    asyncio.run(run())
    assert seen
    assert seen[0] != 0
