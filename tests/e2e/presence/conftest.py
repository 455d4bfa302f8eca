"""Fixtures of the presence tests: a management server process whose window of silence is short (2 s), and a locker
of the test's own with an emulated Kerong bus over a pty and its terminal (`parcellocker terminal`, on the HTTP
link) not started yet; the rigs are those of tests/integration/terminal."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from presence_rigs import WINDOW_SECONDS
from terminal_rigs import Lms, TerminalRig, new_lms

from parcellocker.boards.emulator import kerong_emulator

if TYPE_CHECKING:
    from tests.conftest import SqliteDatabases


def _run(work: Any) -> Any:
    """Run a coroutine on a thread of its own, away from the tests' event loops."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, work).result()


@pytest.fixture(scope="module")
def lms(tmp_path_factory: pytest.TempPathFactory, sqlite_databases: SqliteDatabases) -> Iterator[Lms]:
    settings = {"PARCELLOCKER_LINK_SILENCE_SECONDS": str(WINDOW_SECONDS)}
    server: Lms = _run(new_lms(tmp_path_factory.mktemp("presence-lms"), sqlite_databases, settings))
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
