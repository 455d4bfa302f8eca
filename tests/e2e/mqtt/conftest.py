"""The server process of tests/e2e with its MQTT bridge on the machine's Mosquitto (127.0.0.1:1883), on SQLite and on
PostgreSQL. Without the broker the tests are skipped, and they fail instead when CI=true."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from e2e.conftest import DATABASE_KINDS, RunningServer, start_server

if TYPE_CHECKING:
    from tests.conftest import PostgresDatabases, SqliteDatabases

BROKER = "mqtt://127.0.0.1:1883"
TOPIC_ROOT = f"parcellocker-e2e-{os.getpid()}/v1"
"""The server's topic root, the same wherever this module is imported from in one test run, and another in each
run: servers of other runs on the same broker never see these tests' messages."""


@pytest.fixture(scope="module", params=DATABASE_KINDS)
def server(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    sqlite_databases: SqliteDatabases,
    postgres_databases: PostgresDatabases,
) -> Iterator[RunningServer]:
    try:
        socket.create_connection(("127.0.0.1", 1883), timeout=1).close()
    except OSError:
        message = "Mosquitto is not reachable at 127.0.0.1:1883"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " (CI=true: the MQTT tests must run)")
        pytest.skip(message)
    folder = tmp_path_factory.mktemp(f"e2e-mqtt-{request.param}")
    with pytest.MonkeyPatch.context() as environment:
        environment.setenv("PARCELLOCKER_MQTT_URL", BROKER)
        environment.setenv("PARCELLOCKER_MQTT_TOPIC_ROOT", TOPIC_ROOT)
        running = start_server(request.param, folder, sqlite_databases, postgres_databases)
        started = next(running)
    yield started
    running.close()
