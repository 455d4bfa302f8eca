"""The management server started as its own process holds its port from the moment the port is chosen: another
process (a test on another pytest-xdist worker, a client's outgoing connection) can no longer take it before the
server binds it, as it could while the port was only probed free and let go (`free_port`)."""

from __future__ import annotations

import errno
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from parcellocker.server_process import ServerProcess, free_port
from patience import START_WITHIN

if TYPE_CHECKING:
    from tests.conftest import SqliteDatabases


@pytest.fixture
def port_taken_by_another() -> Iterator[int]:
    """What the race did: the port `free_port` gave is bound and listened on by someone else."""
    with socket.socket() as other:
        other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        other.bind(("127.0.0.1", free_port()))
        other.listen()
        yield other.getsockname()[1]


def bind_error(port: int) -> int | None:
    """The errno of another socket binding `port` the way a server does (SO_REUSEADDR), None when it can."""
    with socket.socket() as intruder:
        intruder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            intruder.bind(("127.0.0.1", port))
        except OSError as error:
            return error.errno
        return None


async def test_no_other_socket_can_take_the_port_between_its_choice_and_the_start(
    port_taken_by_another: int, sqlite_databases: SqliteDatabases, tmp_path: Path
) -> None:
    env = {"PARCELLOCKER_DATABASE_URL": sqlite_databases.create(migrated=True), "PARCELLOCKER_VAR_DIR": str(tmp_path)}
    server = ServerProcess(env, startup_timeout=START_WITHIN, log_path=tmp_path / "server.log")
    assert server.port != port_taken_by_another
    assert server.env["PARCELLOCKER_PORT"] == str(server.port)
    assert bind_error(server.port) == errno.EADDRINUSE  # before the start: held by this process

    async with server:
        assert bind_error(server.port) == errno.EADDRINUSE  # running: held by the server process
        async with httpx.AsyncClient(base_url=server.base_url, timeout=10) as client:
            assert (await client.get("/healthz")).status_code == 200
    assert bind_error(server.port) is None  # a stopped server lets its port go

    again = ServerProcess(env, port=server.port, startup_timeout=START_WITHIN, log_path=tmp_path / "again.log")
    async with again, httpx.AsyncClient(base_url=again.base_url, timeout=10) as client:  # a restart on that port
        assert (await client.get("/healthz")).status_code == 200


def test_a_server_never_started_lets_its_port_go(tmp_path: Path) -> None:
    server = ServerProcess({"PARCELLOCKER_VAR_DIR": str(tmp_path)}, log_path=tmp_path / "server.log")
    assert bind_error(server.port) == errno.EADDRINUSE
    server.stop()
    assert bind_error(server.port) is None
