"""The `door_rig` fixture: each test that takes it runs once per protocol (Kerong and 8A/80)."""

from collections.abc import AsyncIterator

import pytest
from door_bus_rigs import PROTOCOLS, DoorRig, wiring_of


@pytest.fixture(params=sorted(PROTOCOLS))
async def door_rig(request: pytest.FixtureRequest) -> AsyncIterator[DoorRig]:
    protocol = PROTOCOLS[request.param]
    async with protocol.emulator() as emulator:
        rig = DoorRig(protocol, emulator, await emulator.serve_pty(), wiring_of(protocol))
        try:
            yield rig
        finally:
            await rig.close()
