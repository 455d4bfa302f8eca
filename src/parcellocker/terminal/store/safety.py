"""The terminal's own lockout records against guessing, kept across restarts."""

from __future__ import annotations

import json

from parcellocker.domain.lockout import Lockout
from parcellocker.terminal.store.database import Database, stamp, unstamp


class LockoutRecords:
    def __init__(self, database: Database) -> None:
        self._database = database

    def get(self, key: str) -> Lockout:
        row = self._database.connection.execute(
            "SELECT failures, locked_until, strikes, last_strike_at FROM lockouts WHERE key = ?", (key,)
        ).fetchone()
        if row is None:
            return Lockout(key)
        failures, locked_until, strikes, last_strike_at = row
        return Lockout(
            key,
            [moment for text in json.loads(failures) if (moment := unstamp(text)) is not None],
            unstamp(locked_until),
            strikes,
            unstamp(last_strike_at),
        )

    def save(self, lockout: Lockout) -> None:
        with self._database.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO lockouts (key, failures, locked_until, strikes, last_strike_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (
                    lockout.key,
                    json.dumps([stamp(at) for at in lockout.failures]),
                    None if lockout.locked_until is None else stamp(lockout.locked_until),
                    lockout.strikes,
                    None if lockout.last_strike_at is None else stamp(lockout.last_strike_at),
                ),
            )
