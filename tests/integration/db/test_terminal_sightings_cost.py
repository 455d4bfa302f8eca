"""What keeping terminals' sightings costs the hot path: counted statement by statement, on SQLite and PostgreSQL,
while a terminal sends door events with its key (as `parcellocker bench api` does) through the real app."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import httpx
from db_samples import START, StoppedClock
from statement_log import StatementLog

from parcellocker.adapters.db.engine import is_sqlite
from parcellocker.api.app import create_app
from parcellocker.bootstrap import bootstrap
from parcellocker.config import Settings
from parcellocker.domain.accounts import Principal, Role
from parcellocker.service.lockers import AddLocker, LockerAdded, add_locker

OPERATOR = Principal(Role.OPERATOR, "op-1")
REFRESH = timedelta(seconds=5)


def sighting(statement: str) -> bool:
    return "last_seen_at" in statement and statement.lstrip().upper().startswith("UPDATE")


async def test_door_events_of_a_terminal_send_no_statement_for_its_sightings_in_the_common_case(
    database_url: str, tmp_path: Path
) -> None:
    clock = StoppedClock(START)
    server = bootstrap(Settings(database_url=database_url, var_dir=tmp_path, notifier="none"), clock)
    log = StatementLog(server.engine)  # before the first connection
    app = create_app(server)
    try:
        added: LockerAdded = await server.services.run(
            add_locker, AddLocker(OPERATOR, "Counted", "1 Count St", "S:2", "COUNTED-1"), lambda added: added
        )
        headers = {"Authorization": f"Bearer {added.terminal_key}"}
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://lms/api/v1", headers=headers) as terminal:

            async def door_closed(seq: int) -> None:
                reply = await terminal.post("/lockers/COUNTED-1/door-events", json={"compartment": 1,
                                            "state": "closed", "seq": seq})  # fmt: skip
                assert reply.status_code == 200, reply.text

            first = await log.during(door_closed(1))  # the key looked up, the locker brought online
            await asyncio.sleep(0.5)  # PostgreSQL: the audit entry of its coming online chained meanwhile
            steady = []
            for seq in range(2, 22):
                clock.advance(timedelta(milliseconds=200))  # 4 s in all: the kept sighting stays fresh
                steady.append(await log.during(door_closed(seq)))
            clock.advance(REFRESH)
            refreshed = await log.during(door_closed(22))
    finally:
        await server.close()

    assert sum(map(sighting, first)) == 2  # offline: no refresh, then online
    assert not any(sighting(statement) for counted in steady for statement in counted)
    per_event = {len(counted) for counted in steady}
    assert len(per_event) == 1, f"door events sent different numbers of statements: {[len(c) for c in steady]}"
    (usual,) = per_event
    # Once the kept sighting is more than 5 s old: one unit of work more, of one conditional UPDATE (with its BEGIN,
    # and on PostgreSQL its COMMIT).
    assert sum(map(sighting, refreshed)) == 1
    assert len(refreshed) == usual + (2 if is_sqlite(server.engine) else 3)
