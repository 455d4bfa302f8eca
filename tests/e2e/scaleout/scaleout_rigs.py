"""What the scale-out tests share: `parcellocker serve` started several times on one PostgreSQL database and one MQTT
broker (the machine's Mosquitto, under a topic root of the test's own), and HTTP clients that alternate between the
processes as a balancer would."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, Protocol, TypeVar

import httpx
import pytest
from sqlalchemy import Row
from sqlalchemy.sql import Executable

from parcellocker.adapters.db.engine import make_engine
from parcellocker.bootstrap import bootstrap
from parcellocker.config import Settings
from parcellocker.sample_site import SampleSite, seed_sample_site
from parcellocker.server_process import free_port

BROKER = ("127.0.0.1", 1883)
PROCESSES = 2
COURIER_PIN = "73519"
OPERATOR_PASSWORD = "scale-out-operator"
T = TypeVar("T")


def broker_reachable() -> None:
    """Skip the test when the machine's Mosquitto cannot be reached (fail it when CI=true)."""
    try:
        socket.create_connection(BROKER, timeout=1).close()
    except OSError:
        message = "Mosquitto is not reachable at 127.0.0.1:1883"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " (CI=true: the MQTT tests must run)")
        pytest.skip(message)


def fleet_env(url: str, var_dir: Path, server_key: str, topic_root: str) -> dict[str, str]:
    """The settings every process of the fleet shares: one database, one key, one broker and topic root."""
    return {
        "PARCELLOCKER_DATABASE_URL": url,
        "PARCELLOCKER_VAR_DIR": str(var_dir),
        "PARCELLOCKER_SERVER_KEY": server_key,
        "PARCELLOCKER_MQTT_URL": "mqtt://{}:{}".format(*BROKER),
        "PARCELLOCKER_MQTT_TOPIC_ROOT": topic_root,
        "PARCELLOCKER_LOG_LEVEL": "INFO",
        "PARCELLOCKER_LOG_FORMAT": "text",
    }


async def seed(url: str, var_dir: Path, server_key: str, *, lockers: int, layout: str) -> SampleSite:
    seeded = bootstrap(Settings(database_url=url, var_dir=var_dir, server_key=server_key))
    try:
        return await seed_sample_site(
            seeded.services,
            lockers=lockers,
            layout=layout,
            courier_pin=COURIER_PIN,
            operator_password=OPERATOR_PASSWORD,
        )
    finally:
        await seeded.close()


class StartFleet(Protocol):
    """Seed a fresh PostgreSQL database and start the fleet on it (the `start_fleet` fixture)."""

    def __call__(
        self, *, lockers: int, layout: str, env: dict[str, str] | None = None
    ) -> Awaitable[tuple[ServeProcesses, SampleSite]]: ...


class ServeProcesses:
    """`parcellocker serve` started `PROCESSES` times, each on a port of its own, sharing the same settings."""

    def __init__(self, env: dict[str, str], folder: Path) -> None:
        self.env = {**os.environ, **env}
        self.folder = folder
        self.ports = [free_port() for _ in range(PROCESSES)]
        self.processes: list[subprocess.Popen[bytes]] = []

    @property
    def base_urls(self) -> list[str]:
        return [f"http://127.0.0.1:{port}" for port in self.ports]

    def start(self) -> None:
        for port in self.ports:
            with (self.folder / f"server-{port}.log").open("wb") as log:
                command = [sys.executable, "-m", "parcellocker.cli.main", "serve", "--port", str(port),
                           "--workers", "1", "--no-upgrade-db"]  # fmt: skip
                env = {**self.env, "PARCELLOCKER_PORT": str(port)}
                self.processes.append(subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT))

    def logs(self, tail: int = 3000) -> str:
        return "\n".join(path.read_text(errors="replace")[-tail:] for path in sorted(self.folder.glob("server-*.log")))

    async def until_ready(self, within: float = 60) -> None:
        deadline = time.monotonic() + within
        async with httpx.AsyncClient(timeout=2) as client:
            for url in self.base_urls:
                while True:
                    if any(process.poll() is not None for process in self.processes):
                        raise RuntimeError(f"a server exited at start-up:\n{self.logs()}")
                    try:
                        if (await client.get(url + "/healthz")).status_code == 200:
                            break
                    except httpx.TransportError:
                        pass
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"{url} did not answer within {within:.0f} s:\n{self.logs()}")
                    await asyncio.sleep(0.1)

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


class RoundRobin:
    """One HTTP client per server process; each request goes to the next process in turn."""

    def __init__(self, base_urls: list[str], credential: str | None = None) -> None:
        headers = {"Authorization": f"Bearer {credential}"} if credential else {}
        self.clients = [httpx.AsyncClient(base_url=url + "/api/v1", headers=headers, timeout=30) for url in base_urls]
        self.turn = 0
        self.served = Counter[int]()

    def next(self) -> httpx.AsyncClient:
        self.turn = (self.turn + 1) % len(self.clients)
        self.served[self.turn] += 1
        return self.clients[self.turn]

    async def aclose(self) -> None:
        for client in self.clients:
            await client.aclose()


async def until(read: Callable[[], Awaitable[T]], holds: Callable[[T], bool], what: str, within: float = 45) -> T:
    """What `read` gives once it `holds`, polled; fails saying `what` did not happen within `within` seconds."""
    deadline = time.monotonic() + within
    while True:
        value = await read()
        if holds(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} within {within:.0f} s; last seen: {value!r}")
        await asyncio.sleep(0.1)


class Database:
    """Direct reads of the fleet's PostgreSQL database, to count what was applied, sent and kept."""

    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)

    async def rows(self, statement: Executable) -> list[Row[Any]]:
        async with self.engine.connect() as connection:
            return list(await connection.execute(statement))

    async def close(self) -> None:
        await self.engine.dispose()
