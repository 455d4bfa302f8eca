"""Fixtures: `lms` (one management server process per module, on SQLite), `rig` (a locker of the test's own on
that server, with an emulated Kerong bus of two boards over a pty, and its terminal not started yet)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from terminal_rigs import COURIER_PIN, OPERATOR_PASSWORD, Lms, TerminalRig

from parcellocker.boards.emulator import kerong_emulator
from parcellocker.bootstrap import bootstrap
from parcellocker.config import Settings
from parcellocker.sample_site import seed_sample_site
from parcellocker.server_process import free_port

if TYPE_CHECKING:
    from tests.conftest import SqliteDatabases


def _run(work: Any) -> Any:
    """Run a coroutine on a thread of its own, away from the tests' event loops."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, work).result()


async def new_lms(folder: Path, sqlite_databases: SqliteDatabases) -> Lms:
    url = sqlite_databases.create(migrated=True)
    var_dir = folder / "var"
    server = bootstrap(Settings(database_url=url, var_dir=var_dir))
    try:
        site = await seed_sample_site(
            server.services, lockers=0, courier_pin=COURIER_PIN, operator_password=OPERATOR_PASSWORD
        )
    finally:
        await server.close()
    env = {
        "PARCELLOCKER_DATABASE_URL": url,
        "PARCELLOCKER_VAR_DIR": str(var_dir),
        "PARCELLOCKER_LOG_FORMAT": "text",
    }
    lms = Lms(env, free_port(), Path(url.removeprefix("sqlite+aiosqlite:///")), var_dir, site.operator_id,
              site.carrier_key, site.courier_id)  # fmt: skip
    await lms.start()
    async with httpx.AsyncClient(base_url=lms.base_url + "/api/v1") as client:
        reply = await client.post(
            "/sessions/operator", json={"operator_id": lms.operator_id, "password": OPERATOR_PASSWORD}
        )
    lms.operator_token = reply.json()["token"]
    return lms


@pytest.fixture(scope="module")
def lms(tmp_path_factory: pytest.TempPathFactory, sqlite_databases: SqliteDatabases) -> Iterator[Lms]:
    server: Lms = _run(new_lms(tmp_path_factory.mktemp("lms"), sqlite_databases))
    yield server
    server.stop()


@pytest.fixture
async def rig(lms: Lms, tmp_path: Path) -> AsyncIterator[TerminalRig]:
    async with kerong_emulator((0, 1), 16) as emulator:
        rig = TerminalRig(lms, emulator, await emulator.serve_pty(), tmp_path)
        await rig.add_locker()
        try:
            yield rig
        finally:
            if rig.process is not None:
                await rig.kill()
