import asyncio
import dataclasses

import pytest
from door_fakes import WIRING, FakeBoard, Locker, ManualClock

from parcellocker.terminal.doors import (
    DoorClosed,
    DoorCoordinator,
    DoorForcedOpen,
    DoorMonitorSettings,
    DoorOpened,
    OpeningPurpose,
    WiringError,
)


async def let_the_polling_run(rounds: int) -> None:
    for _ in range(rounds):
        await asyncio.sleep(0)


async def test_started_coordinator_reads_every_board_each_round_and_waits_the_interval() -> None:
    locker = Locker.build(DoorMonitorSettings(poll_interval=0.25))
    await locker.coordinator.start()
    await let_the_polling_run(10)
    await locker.coordinator.stop()
    rounds = len(locker.clock.sleeps)
    assert rounds >= 5
    assert locker.clock.sleeps == [0.25] * rounds
    assert locker.boards[0].reads == locker.boards[1].reads == 1 + rounds


async def test_slow_round_is_followed_by_a_shorter_wait() -> None:
    clock = ManualClock()
    boards = {address: FakeBoard(8, clock=clock, read_seconds=0.07) for address in (0, 1)}
    coordinator = DoorCoordinator(WIRING, boards, settings=DoorMonitorSettings(poll_interval=0.2), clock=clock)
    await coordinator.start()
    await let_the_polling_run(3)
    await coordinator.stop()
    assert clock.sleeps and all(sleep == pytest.approx(0.06) for sleep in clock.sleeps)


async def test_polling_in_the_background_turns_door_changes_into_events() -> None:
    locker = Locker.build()
    await locker.coordinator.start()
    assert locker.coordinator.polling
    locker.open_door(12)
    await let_the_polling_run(3)
    locker.close_door(12)
    await let_the_polling_run(3)
    await locker.coordinator.stop()
    assert not locker.coordinator.polling
    assert [type(e) for e in locker.feed.take_pending()] == [DoorOpened, DoorForcedOpen, DoorClosed]


async def test_stopped_coordinator_reads_no_more() -> None:
    locker = Locker.build()
    await locker.coordinator.start()
    await let_the_polling_run(2)
    await locker.coordinator.stop()
    reads = locker.boards[0].reads
    await let_the_polling_run(5)
    assert locker.boards[0].reads == reads


async def test_every_subscriber_gets_every_event(locker: Locker) -> None:
    second = locker.coordinator.subscribe()
    locker.open_door(1)
    events = await locker.coordinator.poll()
    assert locker.feed.take_pending() == second.take_pending() == events
    assert len(events) == 2


async def test_subscriber_iterates_the_events_until_its_feed_is_closed(locker: Locker) -> None:
    received: list[object] = []

    async def kiosk() -> None:
        with locker.coordinator.subscribe() as feed:
            async for event in feed:
                received.append(event)
                if isinstance(event, DoorClosed):
                    feed.close()

    listening = asyncio.create_task(kiosk())
    await asyncio.sleep(0)
    await locker.coordinator.open_compartment(3, OpeningPurpose.PICKUP)
    locker.close_door(3)
    await locker.poll_after(1)
    await asyncio.wait_for(listening, 1)
    assert [type(e) for e in received] == [DoorOpened, DoorClosed]


async def test_closed_feed_gets_no_more_events_and_the_others_still_do(locker: Locker) -> None:
    second = locker.coordinator.subscribe()
    second.close()
    locker.open_door(1)
    await locker.coordinator.poll()
    assert second.take_pending() == []
    with pytest.raises(EOFError):
        await second.get()
    assert len(locker.feed.take_pending()) == 2


async def test_snapshot_cannot_be_changed_by_its_readers(locker: Locker) -> None:
    snapshot = locker.coordinator.snapshot
    with pytest.raises(dataclasses.FrozenInstanceError):
        snapshot.door(1).door = None  # type: ignore[misc]
    with pytest.raises(TypeError):
        snapshot.doors[1] = snapshot.doors[2]  # type: ignore[index]
    locker.open_door(1)
    await locker.coordinator.poll()
    assert snapshot.door(1).is_closed
    assert locker.coordinator.snapshot.door(1).is_open


async def test_snapshot_says_since_when_a_door_is_open(locker: Locker) -> None:
    locker.open_door(6)
    opened_at = locker.clock.now()
    await locker.coordinator.poll()
    await locker.poll_after(7)
    status = locker.coordinator.snapshot.door(6)
    assert status.since == opened_at
    assert status.read_at == locker.clock.now()
    assert (status.board, status.channel) == (0, 6)


def test_coordinator_refuses_drivers_that_do_not_match_the_wiring() -> None:
    with pytest.raises(WiringError, match="drivers for boards"):
        DoorCoordinator(WIRING, {0: FakeBoard(8)})
    with pytest.raises(WiringError, match="board 1 is wired with 8 locks, its driver has 16"):
        DoorCoordinator(WIRING, {0: FakeBoard(8), 1: FakeBoard(16)})


def test_monitor_settings_must_be_positive() -> None:
    with pytest.raises(ValueError, match="poll_interval"):
        DoorMonitorSettings(poll_interval=0)


async def test_channels_wired_to_no_compartment_are_not_watched() -> None:
    locker = Locker.build()
    await locker.coordinator.reconcile()
    locker.boards[0].open_door(8)
    assert await locker.coordinator.poll() == []
    assert tuple(locker.coordinator.snapshot.doors) == WIRING.numbers
