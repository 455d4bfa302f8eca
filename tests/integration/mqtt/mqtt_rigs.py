"""The rigs of the MQTT tests: a Mosquitto of the test's own, the management server with its MQTT bridge, and the
terminal rig of tests/integration/terminal switched to transport "mqtt"."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "terminal"))

from terminal_rigs import Lms, TerminalRig, new_lms

from parcellocker.server_process import free_port
from patience import START_WITHIN, STOP_WITHIN

if TYPE_CHECKING:
    from tests.conftest import SqliteDatabases

MACHINE_BROKER = ("127.0.0.1", 1883)


def unavailable(message: str) -> None:
    """Skip the test, or fail it when CI=true."""
    if os.environ.get("CI") == "true":
        pytest.fail(message + " (CI=true: the MQTT tests must run)")
    pytest.skip(message)


def mosquitto_program() -> str | None:
    """The mosquitto program (in /usr/sbin on Debian, which a PATH may leave out)."""
    found = shutil.which("mosquitto")
    if found is None and Path("/usr/sbin/mosquitto").exists():
        found = "/usr/sbin/mosquitto"
    return found


def accepts(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


@dataclass
class OwnBroker:
    """A Mosquitto of the test's own, on loopback, keeping nothing on disk."""

    folder: Path
    port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def start(self) -> None:
        config = self.folder / "mosquitto.conf"
        config.write_text(f"listener {self.port} 127.0.0.1\nallow_anonymous true\npersistence false\n")
        with (self.folder / "mosquitto.log").open("ab") as log:
            program = mosquitto_program() or "mosquitto"
            self.process = subprocess.Popen([program, "-c", str(config)], stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_WITHIN
        while not accepts("127.0.0.1", self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"mosquitto did not start:\n{(self.folder / 'mosquitto.log').read_text()}")
            time.sleep(0.02)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=STOP_WITHIN)
            self.process = None


def topic_root() -> str:
    """A topic root of the test's own: servers of other test runs on the same broker never see its messages."""
    return f"parcellocker-test-{uuid.uuid4().hex[:8]}/v1"


async def new_mqtt_lms(folder: Path, sqlite_databases: SqliteDatabases, broker_url: str) -> Lms:
    """A seeded management server whose MQTT bridge is on `broker_url`, under a topic root of its own."""
    mqtt = {"PARCELLOCKER_MQTT_URL": broker_url, "PARCELLOCKER_MQTT_TOPIC_ROOT": topic_root()}
    return await new_lms(folder, sqlite_databases, mqtt)


@dataclass
class MqttRig(TerminalRig):
    """The terminal on transport "mqtt". Its `[server] url` points at a port where nothing listens: the terminal
    reaches the server over MQTT only."""

    broker_url: str = ""

    async def add_locker(self) -> None:
        await super().add_locker()
        config = self.folder / "locker.toml"
        text = config.read_text().replace(f'url = "{self.lms.base_url}"', f'url = "http://127.0.0.1:{free_port()}"')
        link = f'[link]\ntransport = "mqtt"\nbroker = "{self.broker_url}"\nkeepalive = 2\n'
        link += f'topic_root = "{self.topic_root}"\n'
        text = text.replace("[link]\n", link)
        config.write_text(text)

    @property
    def topic_root(self) -> str:
        """The server's topic root, which its terminals use."""
        return self.lms.env["PARCELLOCKER_MQTT_TOPIC_ROOT"]

    async def locker(self) -> dict[str, Any]:
        async with self.lms.api(self.lms.operator_token) as operator:
            reply = await operator.get(f"/lockers/{self.locker_id}")
        assert reply.status_code == 200, reply.text
        found: dict[str, Any] = reply.json()
        return found

    async def locker_status(self) -> str:
        status: str = (await self.locker())["status"]
        return status
