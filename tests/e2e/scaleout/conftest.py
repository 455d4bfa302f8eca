"""Fixtures of the scale-out tests: `topic_root` (the test's own, on the machine's Mosquitto) and `start_fleet`, a
factory that seeds a fresh PostgreSQL database and starts `parcellocker serve` `PROCESSES` times on it, stopped after
the test."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from scaleout_rigs import ServeProcesses, StartFleet, broker_reachable, fleet_env, seed

from parcellocker.sample_site import SampleSite

if TYPE_CHECKING:
    from tests.conftest import FreshDatabase


@pytest.fixture
def topic_root() -> str:
    return f"parcellocker-scaleout-{secrets.token_hex(4)}/v1"


@pytest.fixture
async def start_fleet(fresh_database: FreshDatabase, tmp_path: Path, topic_root: str) -> AsyncIterator[StartFleet]:
    started: list[ServeProcesses] = []

    async def start(
        *, lockers: int, layout: str, env: dict[str, str] | None = None
    ) -> tuple[ServeProcesses, SampleSite]:
        broker_reachable()
        url = await fresh_database("postgres")
        server_key = secrets.token_urlsafe(32)  # one key for all processes: a token one signs, the others accept
        site = await seed(url, tmp_path / "var", server_key, lockers=lockers, layout=layout)
        servers = ServeProcesses({**fleet_env(url, tmp_path / "var", server_key, topic_root), **(env or {})}, tmp_path)
        started.append(servers)
        servers.start()
        await servers.until_ready()
        return servers, site

    try:
        yield start
    finally:
        for servers in started:
            servers.stop()
