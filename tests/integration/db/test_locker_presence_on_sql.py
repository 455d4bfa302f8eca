"""Lockers on the HTTP link on SQLite and PostgreSQL: sightings kept, silent lockers taken offline once even by two
checkers at the same moment, and migration 0005 going up and down with lockers in place."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from alembic import command
from db_samples import START, StoppedClock, a_locker
from sqlalchemy.ext.asyncio import AsyncEngine

from parcellocker.adapters.db.engine import make_engine
from parcellocker.adapters.db.migrate import alembic_config, current, head, upgrade
from parcellocker.adapters.db.terminal_link import SqlTerminalLinkUnitOfWork
from parcellocker.adapters.db.unit_of_work import SqlUnitOfWork
from parcellocker.domain.accounts import Principal, Role
from parcellocker.domain.alarms import AlarmKind
from parcellocker.domain.locker import Locker, LockerStatus
from parcellocker.service.context import Env, Services
from parcellocker.service.locker_presence import (
    RecordLockerPresence,
    RecordTerminalSeen,
    TakeSilentLockersOffline,
    record_locker_presence,
    record_terminal_seen,
    take_silent_lockers_offline,
)
from parcellocker.service.terminal_sync import SilentLocker

SILENT = timedelta(seconds=60 + 5, microseconds=1)  # past the window and the refresh of the kept sighting


def terminal_of(locker_id: str) -> Principal:
    return Principal(Role.TERMINAL, f"terminal-{locker_id}", locker_id=locker_id)


async def add_lockers(engine: AsyncEngine, *locker_ids: str) -> None:
    async with SqlUnitOfWork(engine) as uow:
        for locker_id in locker_ids:
            await uow.lockers.add(a_locker(locker_id, "S:1"))
        await uow.commit()


def link_services(engine: AsyncEngine, env: Env) -> Services:
    return Services(uow_factory=lambda: SqlTerminalLinkUnitOfWork(engine), env=env)


async def seen(services: Services, locker_id: str) -> bool:
    came_online: bool = await services.run(
        record_terminal_seen, RecordTerminalSeen(terminal_of(locker_id), locker_id), lambda came: came
    )
    return came_online


async def check(services: Services) -> list[SilentLocker]:
    taken: list[SilentLocker] = await services.run(
        take_silent_lockers_offline, TakeSilentLockersOffline(), lambda taken: taken
    )
    return taken


async def lockers(engine: AsyncEngine) -> dict[str, Locker]:
    async with SqlUnitOfWork(engine) as uow:
        return {locker.id: locker for locker in await uow.lockers.page("", 100)}


async def offline_alarms(engine: AsyncEngine) -> list[str]:
    async with SqlUnitOfWork(engine) as uow:
        return sorted(a.locker_id for a in await uow.alarms.for_locker(None) if a.kind is AlarmKind.LOCKER_OFFLINE)


async def test_seen_online_silent_offline_seen_again_online(engine: AsyncEngine, env: Env, clock: StoppedClock) -> None:
    await add_lockers(engine, "L-1", "L-2")
    services = link_services(engine, env)
    assert await seen(services, "L-1") is True
    assert await seen(services, "L-1") is False
    found = await lockers(engine)
    assert (found["L-1"].status, found["L-1"].last_seen_at) == (LockerStatus.ONLINE, START)
    assert (found["L-2"].status, found["L-2"].last_seen_at) == (LockerStatus.OFFLINE, None)

    clock.advance(timedelta(seconds=3))
    await seen(services, "L-1")  # the kept sighting is fresh: not written again
    assert (await lockers(engine))["L-1"].last_seen_at == START
    clock.advance(timedelta(seconds=3))
    await seen(services, "L-1")
    last_seen = START + timedelta(seconds=6)
    assert (await lockers(engine))["L-1"].last_seen_at == last_seen

    clock.advance(SILENT - timedelta(microseconds=1))
    assert await check(services) == []
    clock.advance(timedelta(microseconds=1))
    assert await check(services) == [SilentLocker("L-1", last_seen)]
    assert await check(services) == []
    assert (await lockers(engine))["L-1"].status is LockerStatus.OFFLINE
    assert await offline_alarms(engine) == ["L-1"]

    assert await seen(services, "L-1") is True
    assert (await lockers(engine))["L-1"].status is LockerStatus.ONLINE
    async with SqlUnitOfWork(engine) as uow:
        actions = [(entry.record.action, entry.record.actor) async for entry in uow.audit.entries()]
    assert [action for action in actions if action[0].startswith("locker.")] == [
        ("locker.online", "terminal:terminal-L-1"),
        ("locker.offline", "system:parcellocker"),
        ("locker.online", "terminal:terminal-L-1"),
    ]


async def test_two_checkers_at_the_same_moment_take_a_locker_offline_once(
    engine: AsyncEngine, env: Env, clock: StoppedClock
) -> None:
    await add_lockers(engine, "L-1", "L-2", "L-3")
    services = link_services(engine, env)
    for locker_id in ("L-1", "L-2", "L-3"):
        await seen(services, locker_id)
    clock.advance(SILENT)

    async with SqlTerminalLinkUnitOfWork(engine) as first:
        taken_first = await take_silent_lockers_offline(TakeSilentLockersOffline(), first, env)
        # The second checker's UPDATE waits for the first's rows (PostgreSQL) or its write lock (SQLite) ...
        second = asyncio.create_task(check(services))
        await asyncio.sleep(0.3)
        assert not second.done()
        await first.commit()
    taken_second = await second  # ... and then finds them offline already
    assert [silent.locker_id for silent in taken_first] == ["L-1", "L-2", "L-3"]
    assert taken_second == []
    assert await offline_alarms(engine) == ["L-1", "L-2", "L-3"]


async def test_many_checkers_at_once_raise_one_alarm_per_locker(
    engine: AsyncEngine, env: Env, clock: StoppedClock
) -> None:
    locker_ids = [f"L-{n}" for n in range(1, 9)]
    await add_lockers(engine, *locker_ids)
    services = link_services(engine, env)
    await asyncio.gather(*(seen(services, locker_id) for locker_id in locker_ids))
    clock.advance(SILENT)
    taken = await asyncio.gather(*(check(services) for _ in range(4)))
    assert sorted(silent.locker_id for each in taken for silent in each) == sorted(locker_ids)
    assert await offline_alarms(engine) == sorted(locker_ids)


async def test_two_sightings_at_once_bring_a_locker_online_once(engine: AsyncEngine, env: Env) -> None:
    await add_lockers(engine, "L-1")
    services = link_services(engine, env)
    came_online = await asyncio.gather(*(seen(services, "L-1") for _ in range(6)))
    assert sorted(came_online) == [False] * 5 + [True]


async def test_mqtt_presence_and_the_http_link_together(engine: AsyncEngine, env: Env, clock: StoppedClock) -> None:
    await add_lockers(engine, "L-1")
    services = link_services(engine, env)
    await seen(services, "L-1")

    async def mqtt_says(status: LockerStatus) -> bool:
        said = RecordLockerPresence(terminal_of("L-1"), "L-1", status, clock.now())
        changed: bool = await services.run(record_locker_presence, said, lambda changed: changed)
        return changed

    assert await mqtt_says(LockerStatus.OFFLINE) is False  # seen on the HTTP link within the window
    assert await mqtt_says(LockerStatus.ONLINE) is False  # online already; its HTTP sighting is forgotten
    assert (await lockers(engine))["L-1"].last_seen_at is None
    clock.advance(timedelta(hours=2))
    assert await check(services) == []  # its presence is MQTT's to tell
    assert await mqtt_says(LockerStatus.OFFLINE) is True
    assert await offline_alarms(engine) == ["L-1"]


async def test_migration_0005_goes_down_and_up_with_lockers_in_place(
    fresh_database: Any, database_kind: str, env: Env
) -> None:
    url = await fresh_database(database_kind, migrated=False)
    upgrade(url)
    engine = make_engine(url)
    try:
        await add_lockers(engine, "L-1")
        await seen(link_services(engine, env), "L-1")
    finally:
        await engine.dispose()
    await asyncio.to_thread(command.downgrade, alembic_config(url), "0004")
    assert current(url) == "0004"
    assert await _schema(url) == ({"id", "name", "status"}, {"ix_transitions_subject_subject_id"}, [], 1)
    upgrade(url)
    assert current(url) == head()
    assert await _schema(url) == ({"id", "name", "status", "last_seen_at"},
                                  {"ix_transitions_subject_subject_id_at_id"}, [], 1)  # fmt: skip


# The transitions' indexes 0005 swaps, and 0012 after it (later revisions add others, not this test's business).
_SUBJECT_INDEXES = {
    "ix_transitions_subject_subject_id",
    "ix_transitions_subject_subject_id_at",
    "ix_transitions_subject_subject_id_at_id",
}


async def _schema(url: str) -> tuple[set[str], set[str], list[Any], int]:
    """Some of the lockers' columns, the transitions' indexes, the foreign keys broken (SQLite), the compartments."""

    def read(sync: sa.Connection) -> tuple[set[str], set[str], list[Any], int]:
        inspector = sa.inspect(sync)
        columns = {c["name"] for c in inspector.get_columns("lockers")} & {"id", "name", "status", "last_seen_at"}
        indexes = {str(index["name"]) for index in inspector.get_indexes("transitions")} & _SUBJECT_INDEXES
        broken = list(sync.exec_driver_sql("PRAGMA foreign_key_check")) if sync.dialect.name == "sqlite" else []
        count = sync.execute(sa.text("SELECT count(*) FROM compartments")).scalar_one()
        return columns, indexes, broken, int(count)

    engine = make_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(read)
    finally:
        await engine.dispose()
