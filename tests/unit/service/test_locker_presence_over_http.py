"""A locker whose terminal uses the HTTP link: seen → online; silent past the window → offline with one alarm; seen
again → online. And how that sits beside what the MQTT link says."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from parcellocker.api.silent_lockers import SilentLockerCheck
from parcellocker.api.terminal_sightings import TerminalSightings
from parcellocker.domain.alarms import AlarmKind
from parcellocker.domain.errors import Forbidden
from parcellocker.domain.locker import LockerStatus
from parcellocker.service.context import Policy, Services
from parcellocker.service.locker_overview import ReadLockerOverview, read_locker_overview
from parcellocker.service.locker_presence import (
    RecordLockerPresence,
    RecordTerminalSeen,
    TakeSilentLockersOffline,
    record_locker_presence,
    record_terminal_seen,
    take_silent_lockers_offline,
)
from parcellocker.service.terminal_sync import SilentLocker

from .presence_fakes import FakeLinkUnitOfWork
from .world import LOCKER, OTHER_LOCKER, Template, World

WINDOW = timedelta(seconds=60)  # the default Policy.link_silence
REFRESH = timedelta(seconds=5)  # a quarter of it, at most 5 s


@pytest.fixture
def world(template: Template) -> World:
    world = template.world()
    world.services = Services(uow_factory=lambda: FakeLinkUnitOfWork(world.db), env=world.env)
    return world


async def seen(world: World, locker_id: str = LOCKER) -> bool:
    terminal = world.cast.terminal if locker_id == LOCKER else world.cast.other_terminal
    came_online: bool = await world.run(record_terminal_seen, RecordTerminalSeen(terminal, locker_id))
    return came_online


async def check(world: World) -> list[SilentLocker]:
    taken: list[SilentLocker] = await world.run(take_silent_lockers_offline, TakeSilentLockersOffline())
    return taken


def status(world: World, locker_id: str = LOCKER) -> LockerStatus:
    return world.db.lockers[locker_id].status


async def test_a_terminal_seen_on_the_http_link_brings_its_locker_online(world: World) -> None:
    assert status(world) is LockerStatus.OFFLINE  # a new locker has not been heard from
    assert await seen(world) is True
    assert (status(world), world.db.lockers[LOCKER].last_seen_at) == (LockerStatus.ONLINE, world.clock.now())
    assert status(world, OTHER_LOCKER) is LockerStatus.OFFLINE
    assert world.audit_actions()[-1] == "locker.online"
    assert world.db.audit[-1].record.actor == f"terminal:terminal-{LOCKER}"
    overview = await world.services.read(read_locker_overview, ReadLockerOverview(world.cast.operator))
    assert [(summary.status, summary.last_seen_at) for summary in overview.lockers] == [
        (LockerStatus.ONLINE, world.clock.now()),
        (LockerStatus.OFFLINE, None),
    ]


async def test_a_sighting_is_kept_again_only_once_the_kept_one_is_a_few_seconds_old(world: World) -> None:
    await seen(world)
    first = world.clock.now()
    world.clock.advance(REFRESH - timedelta(milliseconds=1))
    assert await seen(world) is False
    assert world.db.lockers[LOCKER].last_seen_at == first
    world.clock.advance(timedelta(milliseconds=2))
    await seen(world)
    assert world.db.lockers[LOCKER].last_seen_at == world.clock.now()
    assert world.audit_actions().count("locker.online") == 1  # online once; the rest are sightings


async def test_silence_past_the_window_takes_the_locker_offline_with_one_alarm(world: World) -> None:
    await seen(world)
    last_seen = world.clock.now()
    world.clock.advance(WINDOW + REFRESH)  # the kept sighting may be up to REFRESH older than the last request
    assert await check(world) == []
    assert status(world) is LockerStatus.ONLINE

    world.clock.advance(timedelta(milliseconds=1))
    assert await check(world) == [SilentLocker(LOCKER, last_seen)]
    assert await check(world) == []  # offline already: nothing more
    assert status(world) is LockerStatus.OFFLINE
    (alarm,) = world.alarms(AlarmKind.LOCKER_OFFLINE)
    assert (alarm.locker_id, alarm.at) == (LOCKER, world.clock.now())
    assert "last seen at 2025-03-03 08:05:00 UTC" in alarm.message
    assert world.audit_actions().count("locker.offline") == 1
    assert world.db.audit[-1].record.actor == "system:parcellocker"


async def test_a_silent_locker_seen_again_comes_back_online(world: World) -> None:
    await seen(world)
    world.clock.advance(WINDOW + REFRESH + timedelta(seconds=1))
    await check(world)
    assert await seen(world) is True
    assert status(world) is LockerStatus.ONLINE
    assert world.audit_actions()[-3:] == ["locker.online", "locker.offline", "locker.online"]
    assert len(world.alarms(AlarmKind.LOCKER_OFFLINE)) == 1
    world.clock.advance(WINDOW)
    assert await check(world) == []  # seen within the window


async def test_the_window_is_the_servers_setting(template: Template) -> None:
    world = template.world(Policy(link_silence=timedelta(seconds=8)))  # a sighting kept every 2 s
    world.services = Services(uow_factory=lambda: FakeLinkUnitOfWork(world.db), env=world.env)
    await seen(world)
    world.clock.advance(timedelta(seconds=10))
    assert await check(world) == []
    world.clock.advance(timedelta(seconds=1))
    assert [silent.locker_id for silent in await check(world)] == [LOCKER]


async def test_a_locker_whose_terminal_never_used_the_http_link_is_left_alone(world: World) -> None:
    world.db.lockers[OTHER_LOCKER].status = LockerStatus.ONLINE  # said by MQTT
    world.clock.advance(timedelta(days=1))
    assert await check(world) == []
    assert status(world, OTHER_LOCKER) is LockerStatus.ONLINE


async def test_mqtt_saying_online_takes_over_from_the_http_link(world: World) -> None:
    await seen(world)
    said = RecordLockerPresence(world.cast.terminal, LOCKER, LockerStatus.ONLINE, world.clock.now())
    await world.run(record_locker_presence, said)
    assert world.db.lockers[LOCKER].last_seen_at is None
    world.clock.advance(timedelta(hours=1))
    assert await check(world) == []
    assert status(world) is LockerStatus.ONLINE


async def test_mqtt_saying_offline_leaves_online_a_locker_seen_on_the_http_link_within_the_window(
    world: World,
) -> None:
    await seen(world)
    world.clock.advance(WINDOW)
    said = RecordLockerPresence(world.cast.terminal, LOCKER, LockerStatus.OFFLINE, world.clock.now())
    assert await world.run(record_locker_presence, said) is False
    assert status(world) is LockerStatus.ONLINE and world.alarms(AlarmKind.LOCKER_OFFLINE) == []
    world.clock.advance(REFRESH + timedelta(seconds=1))
    said = RecordLockerPresence(world.cast.terminal, LOCKER, LockerStatus.OFFLINE, world.clock.now())
    assert await world.run(record_locker_presence, said) is True
    assert status(world) is LockerStatus.OFFLINE and len(world.alarms(AlarmKind.LOCKER_OFFLINE)) == 1


async def test_a_locker_in_maintenance_stays_in_maintenance_when_seen(world: World) -> None:
    world.db.lockers[LOCKER].status = LockerStatus.MAINTENANCE
    assert await seen(world) is False
    world.clock.advance(timedelta(hours=1))
    assert await check(world) == []
    assert status(world) is LockerStatus.MAINTENANCE


async def test_only_the_lockers_own_terminal_is_a_sighting_of_it(world: World) -> None:
    for someone in (world.cast.other_terminal, world.cast.operator, world.cast.courier):
        with pytest.raises(Forbidden):
            await world.run(record_terminal_seen, RecordTerminalSeen(someone, LOCKER))
    assert status(world) is LockerStatus.OFFLINE


class CountedUnitsOfWork:
    def __init__(self, world: World) -> None:
        self.world = world
        self.opened = 0

    def __call__(self) -> FakeLinkUnitOfWork:
        self.opened += 1
        return FakeLinkUnitOfWork(self.world.db)


async def test_the_requests_of_a_terminal_keep_one_sighting_in_a_few_seconds(world: World) -> None:
    units = CountedUnitsOfWork(world)
    sightings = TerminalSightings(Services(uow_factory=units, env=world.env))
    await asyncio.gather(*(sightings.seen(world.cast.terminal) for _ in range(20)))  # at once
    for _ in range(50):
        await sightings.seen(world.cast.terminal)
        world.clock.advance(timedelta(milliseconds=90))  # 4.5 s in all
    assert units.opened == 1
    world.clock.advance(timedelta(milliseconds=501))  # the kept sighting is more than 5 s old
    await sightings.seen(world.cast.terminal)
    assert units.opened == 2
    assert world.db.lockers[LOCKER].last_seen_at == world.clock.now()
    for someone in (world.cast.operator, world.cast.carrier, world.cast.courier):
        await sightings.seen(someone)
    assert units.opened == 2


async def test_a_sighting_that_could_not_be_kept_is_tried_again_at_the_next_request(world: World) -> None:
    broken = True

    def units() -> FakeLinkUnitOfWork:
        if broken:
            raise ConnectionRefusedError("the database is out of reach")
        return FakeLinkUnitOfWork(world.db)

    sightings = TerminalSightings(Services(uow_factory=units, env=world.env))
    await sightings.seen(world.cast.terminal)  # logged, not raised: the terminal's request goes on
    assert status(world) is LockerStatus.OFFLINE
    broken = False
    await sightings.seen(world.cast.terminal)
    assert status(world) is LockerStatus.ONLINE


async def test_the_servers_check_runs_by_itself(world: World) -> None:
    await seen(world)
    silent_check = SilentLockerCheck(world.services, interval=0.01)
    silent_check.start()
    try:
        world.clock.advance(WINDOW + REFRESH + timedelta(seconds=1))
        for _ in range(200):
            if status(world) is LockerStatus.OFFLINE:
                break
            await asyncio.sleep(0.01)
    finally:
        await silent_check.stop()
    assert status(world) is LockerStatus.OFFLINE
    assert len(world.alarms(AlarmKind.LOCKER_OFFLINE)) == 1
