"""The `rig` fixture: each test that takes it runs once per protocol."""

from collections.abc import AsyncIterator

import pytest
from board_rigs import RIGS, Rig, open_bus


@pytest.fixture(params=sorted(RIGS))
async def rig(request: pytest.FixtureRequest) -> AsyncIterator[Rig]:
    emulator, boards, make_board = RIGS[request.param]()
    async with emulator:
        bus = await open_bus(await emulator.serve_pty())
        try:
            yield Rig(emulator, bus, boards, make_board)
        finally:
            await bus.close()
