"""Lockout records against guessing, one row per key, with optimistic versions instead of row locks.

Most tries only read the record (a right code, nothing to forgive), so they must not queue behind each other;
a try that changes it (a wrong code) writes it back only if nobody changed it since it was read. When two wrong
tries race, one of them raises ConcurrencyConflict and is run again by Services.run, reading the other's count:
no wrong try is ever lost, and there is no lock to wait for or deadlock on.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, insert, select, update

from parcellocker.adapters.db.preloaded import PreloadedRows
from parcellocker.adapters.db.tables import lockouts
from parcellocker.adapters.db.transaction import Transaction
from parcellocker.adapters.db.writes import Write
from parcellocker.domain.errors import ConcurrencyConflict
from parcellocker.domain.lockout import Lockout
from parcellocker.service.ports import LockoutRepository

lo = lockouts.c
# The columns `get` reads a record from, in order (a right pickup code's lookup reads them too: shipments.py,
# preloaded.py).
LOCKOUT_COLUMNS = (lo.failures, lo.locked_until, lo.strikes, lo.last_strike_at, lo.version)
_GET = select(*LOCKOUT_COLUMNS).where(lo.key == bindparam("match_key"))
_ADD = insert(lockouts)
_SAVE = update(lockouts).where(lo.key == bindparam("match_key"), lo.version == bindparam("match_version"))
_ABSENT = -1  # the version of a record not yet written


class SqlLockoutRepository(LockoutRepository):
    def __init__(self, tx: Transaction, preloaded: PreloadedRows) -> None:
        self._tx = tx
        self._versions: dict[str, int] = {}  # what this unit of work read: key -> version
        self._preloaded = preloaded

    async def get(self, key: str) -> Lockout:
        """The record for `key`, or a new empty one (written by `save`)."""
        row = self._preloaded.lockout_rows.take(key)
        if row is None:
            row = (await self._tx.execute(_GET, {"match_key": key})).first()
        if row is None or row[-1] is None:  # no record (a joined row without one: all its columns NULL)
            self._versions[key] = _ABSENT
            return Lockout(key)
        failures_at, locked_until, strikes, last_strike_at, version = row
        self._versions[key] = version
        failures = [datetime.fromisoformat(at) for at in failures_at]
        return Lockout(key, failures, locked_until, strikes, last_strike_at)

    async def save(self, lockout: Lockout) -> None:
        """Raises ConcurrencyConflict when the record changed since `get` read it."""
        version = self._versions.get(lockout.key)
        if version is None:
            version = await self._read_version(lockout.key)
        values = {
            "failures": [at.isoformat() for at in lockout.failures],
            "locked_until": lockout.locked_until,
            "strikes": lockout.strikes,
            "last_strike_at": lockout.last_strike_at,
            "version": version + 1,
        }
        row = ("lockouts", lockout.key)
        if version == _ABSENT:  # a concurrent first write makes this a DuplicateRow, a ConcurrencyConflict too
            await self._tx.write(Write(_ADD, {"key": lockout.key, **values}, row=row))
        else:
            stale = ConcurrencyConflict("another try was counted at the same moment; try again")
            parameters = {"match_key": lockout.key, "match_version": version, **values}
            await self._tx.write(Write(_SAVE, parameters, row=row, stale=stale))
        self._versions[lockout.key] = version + 1

    async def _read_version(self, key: str) -> int:
        row = (await self._tx.execute(_GET, {"match_key": key})).first()
        return _ABSENT if row is None else int(row.version)
