from door_fakes import Locker

from parcellocker.terminal.doors import DoorClosed, DoorLeftOpen, DoorMonitorSettings, OpeningPurpose


async def test_door_left_open_past_the_limit_is_reported_once(locker: Locker) -> None:
    await locker.coordinator.open_compartment(2, OpeningPurpose.PICKUP)
    assert await locker.poll_after(59.9) == []
    assert await locker.poll_after(0.1) == [DoorLeftOpen(2, 60.0, at=locker.clock.now())]
    assert locker.coordinator.snapshot.door(2).left_open
    for _ in range(5):
        assert await locker.poll_after(30) == []


async def test_each_opening_gets_its_own_left_open_alarm(locker: Locker) -> None:
    locker.open_door(11)
    await locker.poll_after(0)
    await locker.poll_after(61)
    locker.close_door(11)
    assert await locker.poll_after(1) == [DoorClosed(11, None, at=locker.clock.now())]
    assert not locker.coordinator.snapshot.door(11).left_open
    locker.open_door(11)
    await locker.poll_after(1)
    assert await locker.poll_after(59) == []
    assert [type(e) for e in await locker.poll_after(1)] == [DoorLeftOpen]


async def test_left_open_limit_is_configurable() -> None:
    locker = Locker.build(DoorMonitorSettings(left_open_after=5))
    await locker.coordinator.reconcile()
    await locker.coordinator.open_compartment(7, OpeningPurpose.DEPOSIT)
    assert await locker.poll_after(4.8) == []
    assert await locker.poll_after(0.4) == [DoorLeftOpen(7, 5.2, at=locker.clock.now())]


async def test_door_closed_before_the_limit_raises_no_alarm(locker: Locker) -> None:
    await locker.coordinator.open_compartment(2, OpeningPurpose.DEPOSIT)
    await locker.poll_after(30)
    locker.close_door(2)
    await locker.poll_after(29)
    await locker.poll_after(60)
    assert not any(isinstance(e, DoorLeftOpen) for e in locker.feed.take_pending())
