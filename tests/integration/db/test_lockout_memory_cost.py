"""A locked-out locker's code tries cost no statement once its server process knows of the lockout: counted
statement by statement, on SQLite and PostgreSQL, through the real app; and when the lockout is over or lifted in
the database, codes go through again (service/wrong_codes.py, adapters/lockout_memory.py)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
from db_samples import START, StoppedClock
from sqlalchemy import text
from statement_log import StatementLog

from parcellocker.adapters.lockout_memory import RECHECK
from parcellocker.api.app import create_app
from parcellocker.bootstrap import Server, bootstrap
from parcellocker.config import Settings
from parcellocker.domain.accounts import Principal, Role
from parcellocker.service.lockers import AddLocker, LockerAdded, add_locker

OPERATOR = Principal(Role.OPERATOR, "op-1")
LOCKER = "FLOODED-1"
PICKUPS = f"/lockers/{LOCKER}/pickups"


@dataclass(frozen=True, slots=True)
class Process:
    """One server process: its own app, memory and engine, on the shared database."""

    server: Server
    log: StatementLog
    terminal: httpx.AsyncClient

    async def try_code(self, code: str = "000001") -> tuple[httpx.Response, list[str]]:
        """The answer to a pickup code, and the statements it cost."""
        replies: list[httpx.Response] = []

        async def post() -> None:
            replies.append(await self.terminal.post(PICKUPS, json={"code": code}))

        statements = await self.log.during(post())
        return replies[0], statements


@asynccontextmanager
async def process(database_url: str, var_dir: Path, clock: StoppedClock, key: str | None) -> AsyncIterator[Process]:
    server = bootstrap(Settings(database_url=database_url, var_dir=var_dir, notifier="none"), clock)
    log = StatementLog(server.engine)  # before the first connection
    app = create_app(server)
    app.state.authenticator.ttl = 3600  # the terminal's key is looked up once, however slow the machine
    try:
        if key is None:
            added: LockerAdded = await server.services.run(
                add_locker, AddLocker(OPERATOR, "Flooded", "1 Flood St", "S:2", LOCKER), lambda added: added
            )
            key = added.terminal_key
        headers = {"Authorization": f"Bearer {key}"}
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://lms/api/v1", headers=headers) as terminal:
            yield Process(server, log, terminal)
    finally:
        await server.close()


async def lock_out(first: Process) -> httpx.Response:
    """Five wrong codes; then the lockout's audit record chained (on PostgreSQL in the background, just after the
    commit: its statements are no try's)."""
    replies = [(await first.try_code())[0] for _ in range(5)]
    assert [reply.status_code for reply in replies] == [404, 404, 404, 404, 429]
    await first.log.during(_audit_chained())
    return replies[-1]


async def _audit_chained() -> None:
    for task in asyncio.all_tasks():
        if task.get_name() == "parcellocker-audit-chainer":
            await task


async def test_tries_at_a_locked_out_locker_send_no_statement_and_answer_as_the_database_would(
    database_url: str, tmp_path: Path
) -> None:
    clock = StoppedClock(START)
    async with process(database_url, tmp_path / "a", clock, None) as first:
        locked = await lock_out(first)
        assert locked.headers["retry-after"] == "60"
        flood = []
        for _ in range(20):
            clock.advance(timedelta(milliseconds=150))  # 3 s in all: within the recheck and the sighting's refresh
            flood.append(await first.try_code())
        assert all(reply.status_code == 429 for reply, _ in flood)
        assert [statements for _, statements in flood] == [[]] * 20

        terminal_key = first.terminal.headers["Authorization"].removeprefix("Bearer ")
        async with process(database_url, tmp_path / "b", clock, terminal_key) as second:
            from_database, read = await second.try_code()  # this process never saw the lockout: it asks
            from_memory, none = await first.try_code()
            assert any("lockouts" in statement for statement in read)
            assert none == []
            assert from_database.status_code == from_memory.status_code == 429
            assert from_database.content == from_memory.content
            assert from_database.headers["retry-after"] == from_memory.headers["retry-after"] == "57"
            _, learnt = await second.try_code()
            assert learnt == []


async def test_a_lockout_over_lets_codes_through_again(database_url: str, tmp_path: Path) -> None:
    clock = StoppedClock(START)
    async with process(database_url, tmp_path, clock, None) as first:
        await lock_out(first)
        clock.advance(timedelta(seconds=60))
        checked, statements = await first.try_code()
        assert checked.status_code == 404
        assert checked.json()["error"]["remaining_tries"] == 4
        assert any("lockouts" in statement for statement in statements)


async def test_a_lockout_lifted_in_the_database_is_seen_once_the_recheck_has_passed(
    database_url: str, tmp_path: Path
) -> None:
    clock = StoppedClock(START)
    async with process(database_url, tmp_path, clock, None) as first:
        await lock_out(first)
        async with first.server.engine.begin() as connection:  # an operator's hand in the database
            await connection.execute(text("UPDATE lockouts SET locked_until = NULL WHERE key = :key"),
                                     {"key": f"pickup:{LOCKER}"})  # fmt: skip
        clock.advance(RECHECK - timedelta(seconds=1))
        still, statements = await first.try_code()  # (the terminal's sighting is kept again meanwhile)
        assert (still.status_code, still.headers["retry-after"]) == (429, "51")
        assert not any("lockouts" in statement for statement in statements)
        clock.advance(timedelta(seconds=1))
        checked, _ = await first.try_code()
        assert checked.status_code == 404
        assert checked.json()["error"]["remaining_tries"] == 4
