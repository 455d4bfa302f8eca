"""A server process of the tests of a locked-out locker (test_lockout_memory_cost.py, test_locked_out_door.py): its
own app, lockout memory and engine on the test's database, a terminal client over ASGI, and the statements each
request costs."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from db_samples import StoppedClock
from statement_log import StatementLog

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
        return await self.post(PICKUPS, json={"code": code})

    async def post(self, path: str, **request: Any) -> tuple[httpx.Response, list[str]]:
        """The answer to a POST by the terminal (`request`: httpx's arguments), and the statements it cost."""
        replies: list[httpx.Response] = []

        async def post() -> None:
            replies.append(await self.terminal.post(path, **request))

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
