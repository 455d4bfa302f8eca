"""A door coordinator on the real drivers, over a real pty to an emulated bus of two boards, with short
timings so that a fault or a left-open door shows within a second."""

import asyncio
import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from parcellocker.boards.eighta import SERIAL_BAUDRATE as EIGHTA_BAUDRATE
from parcellocker.boards.eighta import EightABoard, EightAConfig
from parcellocker.boards.emulator import BoardEmulator, eighta_emulator, kerong_emulator
from parcellocker.boards.kerong import SERIAL_BAUDRATE as KERONG_BAUDRATE
from parcellocker.boards.kerong import KerongBoard, KerongConfig
from parcellocker.boards.port import Bus, BusSettings, LockBoard
from parcellocker.boards.serial_transport import SerialTransport
from parcellocker.terminal.doors import (
    BusWiring,
    DoorCoordinator,
    DoorEvent,
    DoorEventFeed,
    DoorMonitorSettings,
    LastKnownDoor,
)

FAST_BUS = BusSettings(timeout=0.1, retries=2, silence=0.01, resync_limit=0.2)
FAST_KERONG = KerongConfig(confirm_within=0.15, confirm_interval=0.02, unlock_attempts=2)
FAST_EIGHTA = EightAConfig(query_timeout=0.1, unlock_timeout=0.2)
FAST_MONITOR = DoorMonitorSettings(poll_interval=0.03, left_open_after=0.4, opening_grace=2.0, faulted_board_retry=0.3)
SOON = 3.0
"""Seconds a test waits for an event before it fails."""
NEVER = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Protocol:
    name: str
    boards: tuple[int, int]
    locks: int
    baudrate: int
    emulator: Callable[[], BoardEmulator[Any]]
    driver: Callable[[Bus, int], LockBoard]


PROTOCOLS = {
    "kerong": Protocol(
        "kerong",
        (0, 1),
        16,
        KERONG_BAUDRATE,
        lambda: kerong_emulator((0, 1), 16),
        lambda bus, address: KerongBoard(bus, address, config=FAST_KERONG),
    ),
    "eighta": Protocol(
        "eighta",
        (1, 2),
        24,
        EIGHTA_BAUDRATE,
        lambda: eighta_emulator((1, 2), 24, FAST_EIGHTA),
        lambda bus, address: EightABoard(bus, address, config=FAST_EIGHTA),
    ),
}


def wiring_of(protocol: Protocol) -> BusWiring:
    """Compartments 1-8 on channels 1-8 of the first board, 9-16 on channels 1-8 of the second."""
    first, second = protocol.boards
    compartments = {n: (first, n) for n in range(1, 9)} | {n: (second, n - 8) for n in range(9, 17)}
    return BusWiring.of(dict.fromkeys(protocol.boards, protocol.locks), compartments)


@dataclass
class DoorRig:
    protocol: Protocol
    emulator: BoardEmulator[Any]
    path: str
    wiring: BusWiring
    buses: list[Bus] = dataclasses.field(default_factory=list)
    coordinators: list[DoorCoordinator] = dataclasses.field(default_factory=list)

    def lock_of(self, compartment: int) -> tuple[int, int]:
        """(board, channel) of a compartment, as the emulator's doors are addressed."""
        position = self.wiring.position(compartment)
        return position.board, position.channel

    async def start_coordinator(
        self, last_known: dict[int, LastKnownDoor] | None = None
    ) -> tuple[DoorCoordinator, DoorEventFeed, list[DoorEvent]]:
        """A terminal starting: opens the port, builds the drivers, subscribes, reconciles and polls."""
        bus = Bus(await SerialTransport.open(self.path, baudrate=self.protocol.baudrate), FAST_BUS)
        self.buses.append(bus)
        drivers = {address: self.protocol.driver(bus, address) for address in self.protocol.boards}
        coordinator = DoorCoordinator(self.wiring, drivers, settings=FAST_MONITOR)
        self.coordinators.append(coordinator)
        feed = coordinator.subscribe()
        events = await coordinator.start(last_known)
        feed.take_pending()
        return coordinator, feed, events

    async def stop_coordinator(self, coordinator: DoorCoordinator) -> None:
        """The terminal going down: polling stops and its port is closed."""
        index = self.coordinators.index(coordinator)
        self.coordinators.pop(index)
        await coordinator.stop()
        await self.buses.pop(index).close()

    async def close(self) -> None:
        for coordinator in self.coordinators:
            await coordinator.stop()
        for bus in self.buses:
            await bus.close()


def seen(event: DoorEvent) -> DoorEvent:
    """The event without its time, to compare with an expected one made with at=NEVER."""
    return dataclasses.replace(event, at=NEVER)


async def events_until(
    feed: DoorEventFeed, kind: type[DoorEvent], *, besides: tuple[type[DoorEvent], ...] = ()
) -> list[DoorEvent]:
    """Every event up to and including the first of `kind`, without their times (fails after SOON s).

    Events of the `besides` kinds are left out: alarms that come or not by how slow the host is.
    """
    events: list[DoorEvent] = []
    async with asyncio.timeout(SOON):
        while True:
            event = seen(await feed.get())
            if isinstance(event, besides) and not isinstance(event, kind):
                continue
            events.append(event)
            if isinstance(event, kind):
                return events
