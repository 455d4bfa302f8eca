"""Fixtures of the kiosk's browser tests: a real management server (one per module, on SQLite), and for each test a
locker of its own with an emulated Kerong bus over a pty, `parcellocker terminal` as its own process serving the
kiosk, and a stand-in of the demo's emulator control over that same bus (see emulator_stand_in.py).

`await start_kiosk(**settings)` starts the terminal with more `[kiosk]` settings and gives the `Kiosk` to drive:
its address, the rig of tests/integration/terminal (server, emulator, terminal) and the emulator control.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from emulator_stand_in import EmulatorControlStandIn
from kiosk_rigs import Kiosk
from terminal_fixtures import serve_lms
from terminal_rigs import LAYOUT, Lms, TerminalRig

from parcellocker.boards.emulator import kerong_emulator

if TYPE_CHECKING:
    from tests.conftest import SqliteDatabases


StartKiosk = Callable[..., Awaitable[Kiosk]]


@pytest.fixture(scope="module")
def lms(tmp_path_factory: pytest.TempPathFactory, sqlite_databases: SqliteDatabases) -> Iterator[Lms]:
    scheduler = {"PARCELLOCKER_SCHEDULER_INTERVAL_SECONDS": "0.2"}  # expiry within a test (kiosk_rigs.py)
    yield from serve_lms(tmp_path_factory.mktemp("kiosk-lms"), sqlite_databases, scheduler)


@pytest.fixture
async def start_kiosk(lms: Lms, tmp_path: Path) -> AsyncIterator[StartKiosk]:
    started: list[Kiosk] = []
    async with kerong_emulator((0, 1), 16) as emulator:

        async def start(**settings: Any) -> Kiosk:
            control = EmulatorControlStandIn(emulator, LAYOUT)
            await control.start()
            rig = TerminalRig(lms, emulator, await emulator.serve_pty(), tmp_path)
            rig.kiosk_settings = {"emulator_url": control.url, **settings}
            await rig.add_locker()
            kiosk = Kiosk(rig, control)
            started.append(kiosk)
            await rig.start()
            return kiosk

        try:
            yield start
        finally:
            for kiosk in started:
                if kiosk.rig.process is not None:
                    await kiosk.rig.kill()
                await kiosk.control.stop()
