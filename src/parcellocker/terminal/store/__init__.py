"""The terminal's own store: one SQLite file holding the event outbox, the last known door states, the code sheet
for offline pickups, the lockout records, the commands taken and the settings changed from afar.

Every write is a transaction committed with `synchronous=FULL` before the terminal answers anyone, so nothing is
lost when the terminal is killed or the power fails. `with store.transaction():` groups writes of several parts
into one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from parcellocker.terminal.store.codes import CodeBook, OfflinePickup
from parcellocker.terminal.store.commands import CommandLog, CommandRecord, SettingOverrides
from parcellocker.terminal.store.database import Database, StoreError
from parcellocker.terminal.store.doors import DoorRecords
from parcellocker.terminal.store.outbox import Outbox
from parcellocker.terminal.store.safety import LockoutRecords


class TerminalStore:
    def __init__(self, database: Database) -> None:
        self._database = database
        self.outbox = Outbox(database)
        self.doors = DoorRecords(database)
        self.codes = CodeBook(database)
        self.lockouts = LockoutRecords(database)
        self.commands = CommandLog(database)
        self.settings = SettingOverrides(database)

    @classmethod
    def open(cls, path: Path) -> TerminalStore:
        return cls(Database.open(path))

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self._database.transaction() as connection:
            yield connection

    def close(self) -> None:
        self._database.close()


__all__ = ["CommandRecord", "OfflinePickup", "StoreError", "TerminalStore"]
