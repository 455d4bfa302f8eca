"""A flood of code tries at one locker, through the real app on SQLite and PostgreSQL: no more than the limit of
them are handled at once, those beyond the waiting ones are refused at once (429 locker_busy, not counted as wrong
codes), and a try at another locker is answered meanwhile (adapters/code_try_turns.py)."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import httpx
from db_samples import START, StoppedClock

from parcellocker.adapters.code_try_turns import AT_ONCE, WAITING, AsyncioCodeTryTurns
from parcellocker.api.app import create_app
from parcellocker.bootstrap import bootstrap
from parcellocker.config import Settings
from parcellocker.domain.accounts import Principal, Role
from parcellocker.service.lockers import AddLocker, LockerAdded, add_locker
from parcellocker.service.ports import UnitOfWork
from patience import ANSWER_WITHIN, SOON

OPERATOR = Principal(Role.OPERATOR, "op-1")
FLOODED, OTHER = "FLOODED-2", "QUIET-2"
FLOOD = AT_ONCE + WAITING + 20
trying_at: ContextVar[str] = ContextVar("trying_at", default="")


class Watch:
    """The units of work open at once per locker tried; those of the flooded locker held until released."""

    def __init__(self) -> None:
        self.open: Counter[str] = Counter()
        self.most: Counter[str] = Counter()
        self.release = asyncio.Event()

    def around(self, inner: UnitOfWork) -> UnitOfWork:
        watch, locker = self, trying_at.get()

        class Watched:
            async def __aenter__(self) -> UnitOfWork:
                watch.open[locker] += 1
                watch.most[locker] = max(watch.most[locker], watch.open[locker])
                if locker == FLOODED:
                    await watch.release.wait()
                return await inner.__aenter__()

            async def __aexit__(self, *exc: Any) -> Any:
                try:
                    return await inner.__aexit__(*exc)
                finally:
                    watch.open[locker] -= 1

        return Watched()  # type: ignore[return-value]


async def try_code(terminal: httpx.AsyncClient, locker_id: str) -> httpx.Response:
    trying_at.set(locker_id)  # (each task has its own context)
    return await terminal.post(f"/lockers/{locker_id}/pickups", json={"code": "000001"})


async def until(condition: Any, what: str) -> None:
    deadline = time.monotonic() + SOON
    while not condition():
        assert time.monotonic() < deadline, f"still waiting for {what}"
        await asyncio.sleep(0.01)


async def test_a_flood_at_one_locker_is_handled_a_few_at_a_time_and_another_locker_is_answered_meanwhile(
    database_url: str, tmp_path: Path
) -> None:
    server = bootstrap(Settings(database_url=database_url, var_dir=tmp_path, notifier="none"), StoppedClock(START))
    app = create_app(server)
    app.state.authenticator.ttl = 3600  # the keys are looked up once, before the watch begins
    transport = httpx.ASGITransport(app=app)
    terminals: dict[str, httpx.AsyncClient] = {}
    try:
        for locker_id in (FLOODED, OTHER):
            added: LockerAdded = await server.services.run(
                add_locker, AddLocker(OPERATOR, locker_id, "1 Flood St", "S:2", locker_id), lambda added: added
            )
            headers = {"Authorization": f"Bearer {added.terminal_key}"}
            terminals[locker_id] = httpx.AsyncClient(transport=transport, base_url="http://lms/api/v1", headers=headers)
            assert (await try_code(terminals[locker_id], locker_id)).status_code == 404  # one wrong code each
        watch = Watch()
        opens = server.services.uow_factory
        server.services.uow_factory = lambda: watch.around(opens())

        flood = [asyncio.create_task(try_code(terminals[FLOODED], FLOODED)) for _ in range(FLOOD)]
        refused_at_once = FLOOD - AT_ONCE - WAITING
        await until(lambda: sum(task.done() for task in flood) == refused_at_once, "the tries refused at once")
        assert watch.open[FLOODED] == AT_ONCE  # the others wait their turn, or were refused at once
        busy = [task.result() for task in flood if task.done()]
        assert {(reply.status_code, reply.json()["error"]["code"], reply.headers["retry-after"]) for reply in busy} == {
            (429, "locker_busy", "1")
        }

        other = await asyncio.wait_for(try_code(terminals[OTHER], OTHER), ANSWER_WITHIN)
        assert (other.status_code, other.json()["error"]["remaining_tries"]) == (404, 3)

        watch.release.set()
        replies = await asyncio.gather(*flood)
        assert watch.most[FLOODED] == AT_ONCE
        # 1 wrong code before, then 3 more and the 5th that locks; the waiting rest is refused as locked out (from
        # the memory); the busy ones were never counted, or the lockout would have come sooner
        assert Counter(reply.json()["error"]["code"] for reply in replies) == {
            "locker_busy": refused_at_once,
            "pickup_code_not_found": 3,
            "locked_out": AT_ONCE + WAITING - 3,
        }
        turns = server.services.env.code_try_turns
        assert isinstance(turns, AsyncioCodeTryTurns) and len(turns) == 0  # the idle locker forgotten
    finally:
        for terminal in terminals.values():
            await terminal.aclose()
        await server.close()
