"""Reopening after a pickup ("I forgot something"): the terminal opens a compartment again only for the pickup it
just completed there, after the door closed on it, within 30 s, with nothing opened there since, and only when the
server agrees that the compartment is still free."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from terminal_fakes import LOCKER, LOCKER_KEY, NOW, WIRING, FakeBoard, FakeLink, sheet_code

from parcellocker.domain.lockout import LockoutPolicy
from parcellocker.terminal.doors import DoorCoordinator, DoorMonitorSettings, OpeningPurpose
from parcellocker.terminal.kiosk.desk import Kiosk
from parcellocker.terminal.kiosk.errors import RefusedByServer, ReopenRefused, ServerUnreachable
from parcellocker.terminal.kiosk.offline import OfflinePickupDesk
from parcellocker.terminal.kiosk.reopening import ReopenWindow
from parcellocker.terminal.link.health import LinkHealth
from parcellocker.terminal.link.port import CodeSheet, CompartmentToOpen, LinkRefused
from parcellocker.terminal.reporting import DoorReporter
from parcellocker.terminal.store import TerminalStore


class StepClock:
    def __init__(self) -> None:
        self.elapsed = 0.0

    def now(self) -> datetime:
        return NOW + timedelta(seconds=self.elapsed)

    def monotonic(self) -> float:
        return 500.0 + self.elapsed

    async def sleep(self, seconds: float) -> None:
        self.elapsed += seconds
        await asyncio.sleep(0)


@dataclass
class Rig:
    kiosk: Kiosk
    link: FakeLink
    board: FakeBoard
    coordinator: DoorCoordinator
    reporter: DoorReporter
    clock: StepClock
    store: TerminalStore

    async def close_door(self, number: int) -> None:
        self.board.closed[number] = True
        await self.coordinator.poll()

    async def open_door(self, number: int) -> None:
        self.board.closed[number] = False
        await self.coordinator.poll()

    def sent_to_server(self) -> None:
        """The outbox sender delivered everything (the server knows of the close)."""
        self.reporter.record_pending()
        for event in self.store.outbox.pending():
            self.store.outbox.acknowledge(event.seq)


@pytest.fixture
async def rig(store: TerminalStore) -> AsyncIterator[Rig]:
    link, board, clock = FakeLink(), FakeBoard(), StepClock()
    coordinator = DoorCoordinator(WIRING, {0: board}, settings=DoorMonitorSettings(), clock=clock)
    reporter = DoorReporter(store, coordinator)
    await coordinator.reconcile()
    store.codes.replace(CodeSheet(LOCKER_KEY, b"q" * 32, [sheet_code(5, "555555", "ship-5")], "v1"), NOW)
    offline = OfflinePickupDesk(store, LOCKER, LockoutPolicy())
    reopening = ReopenWindow(coordinator, clock)
    kiosk = Kiosk(LOCKER, store, coordinator, reporter, link, LinkHealth(), offline, clock.now, reopening=reopening)
    link.pickup_answer = CompartmentToOpen(5, "ship-5", "TN-5")
    yield Rig(kiosk, link, board, coordinator, reporter, clock, store)


async def picked_up_and_closed(rig: Rig) -> None:
    await rig.kiosk.pick_up(code="555555")
    rig.clock.elapsed += 4
    await rig.close_door(5)
    rig.sent_to_server()


async def test_the_door_opens_again_within_30_s_of_closing_once_the_server_agrees(rig: Rig) -> None:
    await picked_up_and_closed(rig)
    rig.clock.elapsed += 25
    opened = await rig.kiosk.reopen_after_pickup("ship-5")
    assert (opened.compartment, rig.board.unlocks) == (5, [5, 5])
    assert rig.link.reopenings == [("ship-5", 5)]
    assert rig.coordinator.snapshot.door(5).opened_for is OpeningPurpose.PICKUP


async def test_it_may_be_reopened_again_after_each_close(rig: Rig) -> None:
    await picked_up_and_closed(rig)
    await rig.kiosk.reopen_after_pickup("ship-5")
    await rig.close_door(5)
    rig.sent_to_server()
    await rig.kiosk.reopen_after_pickup("ship-5")
    assert rig.board.unlocks == [5, 5, 5]


async def test_not_while_the_door_is_still_open_nor_after_the_window(rig: Rig) -> None:
    await rig.kiosk.pick_up(code="555555")
    with pytest.raises(ReopenRefused, match="still open"):
        await rig.kiosk.reopen_after_pickup("ship-5")
    await rig.close_door(5)
    rig.sent_to_server()
    rig.clock.elapsed += 31
    with pytest.raises(ReopenRefused, match="more than 30 seconds"):
        await rig.kiosk.reopen_after_pickup("ship-5")
    assert rig.board.unlocks == [5] and rig.link.reopenings == []


async def test_not_when_the_door_was_opened_for_anything_else_since(rig: Rig) -> None:
    await picked_up_and_closed(rig)
    await rig.open_door(5)  # forced, or opened for a deposit: something else may be inside now
    await rig.close_door(5)
    rig.sent_to_server()
    with pytest.raises(ReopenRefused, match="opened since"):
        await rig.kiosk.reopen_after_pickup("ship-5")
    assert rig.link.reopenings == []


async def test_not_for_a_parcel_not_picked_up_here(rig: Rig) -> None:
    await picked_up_and_closed(rig)
    with pytest.raises(ReopenRefused, match="no parcel was picked up"):
        await rig.kiosk.reopen_after_pickup("ship-other")


async def test_not_when_the_server_says_the_compartment_is_no_longer_free(rig: Rig) -> None:
    await picked_up_and_closed(rig)
    rig.link.reopen_answer = LinkRefused(409, "reopen_refused", "compartment 5 is reserved")
    with pytest.raises(RefusedByServer) as refused:
        await rig.kiosk.reopen_after_pickup("ship-5")
    assert refused.value.code == "reopen_refused"
    assert rig.board.unlocks == [5]


async def test_not_while_the_server_cannot_be_asked(rig: Rig) -> None:
    await picked_up_and_closed(rig)
    rig.link.down = True
    with pytest.raises(ServerUnreachable, match="call for help"):
        await rig.kiosk.reopen_after_pickup("ship-5")
    assert rig.board.unlocks == [5]


async def test_not_before_the_close_has_reached_the_server(rig: Rig, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("parcellocker.terminal.kiosk.desk.CLOSE_REPORT_WAIT", 0.1)
    await rig.kiosk.pick_up(code="555555")
    await rig.close_door(5)  # recorded in the outbox, not delivered
    with pytest.raises(ReopenRefused, match="still telling its server"):
        await rig.kiosk.reopen_after_pickup("ship-5")
    assert rig.link.reopenings == []


async def test_a_courier_may_ask_for_a_compartment_within_reach(rig: Rig) -> None:
    rig.link.deposit_answer = CompartmentToOpen(2, "ship-2", "TN-2")
    await rig.kiosk.deposit("token", "TN-2", reachable=True)
    await rig.kiosk.deposit("token", "TN-2")
    assert rig.link.deposits == [("TN-2", True), ("TN-2", False)]
