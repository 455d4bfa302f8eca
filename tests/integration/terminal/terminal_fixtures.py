"""What the fixtures of the terminal tests (here, tests/e2e/presence, tests/browser/kiosk) are made of: the
management server of a module, and a locker of a test's own on it. Each conftest names its fixtures and yields
from these, with its own settings."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from terminal_rigs import Lms, TerminalRig, new_lms

from parcellocker.boards.emulator import kerong_emulator

if TYPE_CHECKING:
    from tests.conftest import SqliteDatabases


def serve_lms(
    folder: Path, sqlite_databases: SqliteDatabases, extra_env: dict[str, str] | None = None
) -> Iterator[Lms]:
    """`new_lms`, started on a thread of its own (away from the tests' event loops), stopped when closed."""
    lms = _run(new_lms(folder, sqlite_databases, extra_env))
    try:
        yield lms
    finally:
        lms.stop()


@asynccontextmanager
async def locker_rig(lms: Lms, folder: Path) -> AsyncIterator[TerminalRig]:
    """A locker added on `lms`, with an emulated Kerong bus of two boards over a pty, and its terminal not started
    yet; the terminal is killed at the end if it was."""
    async with kerong_emulator((0, 1), 16) as emulator:
        rig = TerminalRig(lms, emulator, await emulator.serve_pty(), folder)
        await rig.add_locker()
        try:
            yield rig
        finally:
            if rig.process is not None:
                await rig.kill()


def _run(work: Coroutine[Any, Any, Lms]) -> Lms:
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, work).result()
