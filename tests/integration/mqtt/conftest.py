"""Fixtures for the terminal and the server linked over MQTT, with the real Mosquitto.

- `machine_broker`: the Mosquitto at 127.0.0.1:1883. When it cannot be reached the tests are skipped, and they fail
  instead when CI=true.
- `own_broker`: a second Mosquitto of the test's own on a free loopback port, which the test may stop and start
  (the machine's broker is never stopped).
- `mqtt_lms`: one management server per module, its MQTT bridge on the machine's broker.
- `mqtt_rig`: a locker of the test's own on that server, its terminal (not started yet) on transport "mqtt", with
  an emulated Kerong bus of two boards over a pty.
- `own_broker_rig`: the same, with a server and a terminal of its own on `own_broker`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from mqtt_rigs import MACHINE_BROKER, MqttRig, OwnBroker, accepts, mosquitto_program, new_mqtt_lms, unavailable
from terminal_rigs import Lms

from parcellocker.boards.emulator import kerong_emulator
from parcellocker.server_process import free_port

if TYPE_CHECKING:
    from tests.conftest import SqliteDatabases


def _run(work: Any) -> Any:
    """Run a coroutine on a thread of its own, away from the tests' event loops."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, work).result()


@pytest.fixture(scope="session")
def machine_broker() -> str:
    if not accepts(*MACHINE_BROKER):
        unavailable("Mosquitto is not reachable at 127.0.0.1:1883")
    return "mqtt://{}:{}".format(*MACHINE_BROKER)


@pytest.fixture
def own_broker(machine_broker: str, tmp_path: Path) -> Iterator[OwnBroker]:
    if mosquitto_program() is None:
        unavailable("the mosquitto program is not installed")
    broker = OwnBroker(tmp_path, free_port())
    broker.start()
    yield broker
    broker.stop()


@pytest.fixture(scope="module")
def mqtt_lms(
    machine_broker: str, tmp_path_factory: pytest.TempPathFactory, sqlite_databases: SqliteDatabases
) -> Iterator[Lms]:
    server: Lms = _run(new_mqtt_lms(tmp_path_factory.mktemp("mqtt-lms"), sqlite_databases, machine_broker))
    yield server
    server.stop()


@pytest.fixture
async def mqtt_rig(mqtt_lms: Lms, machine_broker: str, tmp_path: Path) -> AsyncIterator[MqttRig]:
    async with kerong_emulator((0, 1), 16) as emulator:
        rig = MqttRig(mqtt_lms, emulator, await emulator.serve_pty(), tmp_path, broker_url=machine_broker)
        await rig.add_locker()
        try:
            yield rig
        finally:
            if rig.process is not None:
                await rig.kill()


@pytest.fixture
async def own_broker_rig(
    own_broker: OwnBroker, sqlite_databases: SqliteDatabases, tmp_path: Path
) -> AsyncIterator[MqttRig]:
    (tmp_path / "terminal").mkdir()
    lms = await new_mqtt_lms(tmp_path / "lms", sqlite_databases, own_broker.url)
    try:
        async with kerong_emulator((0, 1), 16) as emulator:
            pty = await emulator.serve_pty()
            rig = MqttRig(lms, emulator, pty, tmp_path / "terminal", broker_url=own_broker.url)
            await rig.add_locker()
            try:
                yield rig
            finally:
                if rig.process is not None:
                    await rig.kill()
    finally:
        lms.stop()
