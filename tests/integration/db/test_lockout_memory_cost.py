"""A locked-out locker's code tries cost no statement once its server process knows of the lockout: counted
statement by statement, on SQLite and PostgreSQL, through the real app; and when the lockout is over or lifted in
the database, codes go through again (service/wrong_codes.py, adapters/lockout_memory.py)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from db_samples import START, StoppedClock
from lockout_rigs import LOCKER, lock_out, process
from sqlalchemy import text

from parcellocker.adapters.lockout_memory import RECHECK


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
