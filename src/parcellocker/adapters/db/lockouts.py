"""Lockout records against guessing, one row per key, locked while a unit of work decides on a try."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import RowMapping, bindparam, select

from parcellocker.adapters.db.tables import lockouts
from parcellocker.adapters.db.transaction import Transaction
from parcellocker.domain.lockout import Lockout
from parcellocker.service.ports import LockoutRepository

lo = lockouts.c
# FOR SHARE (PostgreSQL): tries that only read the record (a right code, nothing to forgive) run side by side,
# while a try that writes it waits until every other reader is done, so no wrong try is ever lost. Two writers
# that read the same version deadlock; PostgreSQL aborts one, which is retried as a ConcurrencyConflict and then
# sees the other's count.
_LOCKED = select(lockouts).where(lo.key == bindparam("key")).with_for_update(read=True)


class SqlLockoutRepository(LockoutRepository):
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    async def get(self, key: str) -> Lockout:
        """The row, locked (FOR SHARE on PostgreSQL; SQLite has one writer anyway), created first if missing."""
        row = await self._locked(key)
        if row is None:
            empty = _values(Lockout(key))
            await self._tx.execute(
                self._tx.insert(lockouts).values(empty).on_conflict_do_nothing(index_elements=["key"])
            )
            row = await self._locked(key)
            assert row is not None
        return Lockout(
            key=row["key"],
            failures=[datetime.fromisoformat(at) for at in row["failures"]],
            locked_until=row["locked_until"],
            strikes=row["strikes"],
            last_strike_at=row["last_strike_at"],
        )

    async def save(self, lockout: Lockout) -> None:
        values = _values(lockout)
        upsert = self._tx.insert(lockouts).values(values)
        await self._tx.execute(upsert.on_conflict_do_update(index_elements=["key"], set_=values))

    async def _locked(self, key: str) -> RowMapping | None:
        result = await self._tx.execute(_LOCKED, {"key": key})
        return result.mappings().first()


def _values(lockout: Lockout) -> dict[str, Any]:
    return {
        "key": lockout.key,
        "failures": [at.isoformat() for at in lockout.failures],
        "locked_until": lockout.locked_until,
        "strikes": lockout.strikes,
        "last_strike_at": lockout.last_strike_at,
    }
