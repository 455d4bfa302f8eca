"""The commands the terminal has taken from the server, so that none is carried out twice, and the settings
changed by `set_config` commands, which outlive a restart."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from parcellocker.terminal.store.database import Database, stamp


@dataclass(frozen=True, slots=True)
class CommandRecord:
    id: int
    kind: str
    outcome: str | None
    """None: started and not finished (the terminal stopped meanwhile)."""
    detail: str | None
    acknowledged: bool


class CommandLog:
    def __init__(self, database: Database) -> None:
        self._database = database

    def get(self, command_id: int) -> CommandRecord | None:
        row = self._database.connection.execute(
            "SELECT id, kind, outcome, detail, acknowledged FROM commands WHERE id = ?", (command_id,)
        ).fetchone()
        return None if row is None else CommandRecord(row[0], row[1], row[2], row[3], bool(row[4]))

    def start(self, command_id: int, kind: str, at: datetime) -> None:
        with self._database.transaction() as db:
            db.execute("INSERT INTO commands (id, kind, started_at) VALUES (?, ?, ?)", (command_id, kind, stamp(at)))

    def finish(self, command_id: int, outcome: str, detail: str | None) -> None:
        with self._database.transaction() as db:
            db.execute("UPDATE commands SET outcome = ?, detail = ? WHERE id = ?", (outcome, detail, command_id))

    def acknowledged(self, command_id: int) -> None:
        with self._database.transaction() as db:
            db.execute("UPDATE commands SET acknowledged = 1 WHERE id = ?", (command_id,))

    def unacknowledged(self) -> list[CommandRecord]:
        """Commands taken but not acknowledged yet, finished or not."""
        rows = self._database.connection.execute(
            "SELECT id, kind, outcome, detail, acknowledged FROM commands WHERE acknowledged = 0 ORDER BY id"
        )
        return [CommandRecord(row[0], row[1], row[2], row[3], bool(row[4])) for row in rows]


class SettingOverrides:
    def __init__(self, database: Database) -> None:
        self._database = database

    def all(self) -> dict[str, float]:
        return dict(self._database.connection.execute("SELECT name, value FROM settings").fetchall())

    def save(self, settings: dict[str, float]) -> None:
        with self._database.transaction() as db:
            db.executemany("INSERT OR REPLACE INTO settings (name, value) VALUES (?, ?)", list(settings.items()))
