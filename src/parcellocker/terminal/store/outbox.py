"""The outbox of events for the server. Each event gets the next `seq` of a counter kept in the store, so a
number is never given twice, even after a crash; it stays until the server has acknowledged it."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from parcellocker.terminal.link.port import EventKind, OutboxEvent
from parcellocker.terminal.store.database import Database, stamp, unstamp

_COUNTER = "seq"


class Outbox:
    def __init__(self, database: Database) -> None:
        self._database = database

    def append(self, kind: EventKind, at: datetime, body: dict[str, Any]) -> OutboxEvent:
        with self._database.transaction() as db:
            seq = self._next(db.execute("SELECT value FROM counters WHERE name = ?", (_COUNTER,)).fetchone())
            db.execute(
                "INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = ?",
                (_COUNTER, seq, seq),
            )
            db.execute(
                "INSERT INTO outbox (seq, kind, at, body) VALUES (?, ?, ?, ?)",
                (seq, kind.value, stamp(at), json.dumps(body)),
            )
        return OutboxEvent(seq, kind, at, body)

    @property
    def last_seq(self) -> int:
        """The last number given (0 before the first event)."""
        row = self._database.connection.execute("SELECT value FROM counters WHERE name = ?", (_COUNTER,)).fetchone()
        return 0 if row is None else int(row[0])

    def pending(self, limit: int = 100) -> list[OutboxEvent]:
        """Events not acknowledged (nor rejected) yet, in the order they were numbered."""
        rows = self._database.connection.execute(
            "SELECT seq, kind, at, body FROM outbox WHERE rejected_at IS NULL ORDER BY seq LIMIT ?", (limit,)
        )
        return [_event(row) for row in rows]

    def attempts(self, seq: int) -> int:
        row = self._database.connection.execute("SELECT attempts FROM outbox WHERE seq = ?", (seq,)).fetchone()
        return 0 if row is None else int(row[0])

    def attempting(self, seq: int) -> None:
        """Count an attempt before the event leaves: an event never attempted was certainly never applied."""
        with self._database.transaction() as db:
            db.execute("UPDATE outbox SET attempts = attempts + 1 WHERE seq = ?", (seq,))

    def failed(self, seq: int, error: str) -> None:
        with self._database.transaction() as db:
            db.execute("UPDATE outbox SET last_error = ? WHERE seq = ?", (error[:500], seq))

    def acknowledge(self, seq: int) -> None:
        with self._database.transaction() as db:
            db.execute("DELETE FROM outbox WHERE seq = ?", (seq,))

    def reject(self, seq: int, error: str, at: datetime) -> None:
        """The server refused the event itself: keep it for an engineer to look at, but send it no more."""
        with self._database.transaction() as db:
            db.execute("UPDATE outbox SET rejected_at = ?, last_error = ? WHERE seq = ?", (stamp(at), error[:500], seq))

    def rejected(self) -> list[OutboxEvent]:
        rows = self._database.connection.execute(
            "SELECT seq, kind, at, body FROM outbox WHERE rejected_at IS NOT NULL ORDER BY seq"
        )
        return [_event(row) for row in rows]

    def renumber_after(self, last_applied: int) -> dict[int, int]:
        """When the server has applied numbers this store has given again (a new store on an old locker), number
        the events never sent after `last_applied`, in order; returns {old seq: new seq}. An event attempted
        already keeps its number: it was numbered after the server's last one when it was first sent."""
        with self._database.transaction() as db:
            rows = db.execute("SELECT seq, body FROM outbox WHERE attempts = 0 AND rejected_at IS NULL ORDER BY seq")
            unsent = list(rows)
            if not unsent or unsent[0][0] > last_applied:
                return {}
            renumbered = {seq: max(self.last_seq, last_applied) + n for n, (seq, _) in enumerate(unsent, start=1)}
            for seq, _ in unsent:  # to negative numbers first, so that no two rows ever share a seq
                db.execute("UPDATE outbox SET seq = ? WHERE seq = ?", (-renumbered[seq], seq))
            for seq, text in unsent:
                body = json.loads(text)
                if body.get("door_seq") in renumbered:
                    body["door_seq"] = renumbered[body["door_seq"]]
                db.execute(
                    "UPDATE outbox SET seq = ?, body = ? WHERE seq = ?",
                    (renumbered[seq], json.dumps(body), -renumbered[seq]),
                )
            db.execute("UPDATE counters SET value = ? WHERE name = ?", (max(renumbered.values()), _COUNTER))
        return renumbered

    def _next(self, row: Any) -> int:
        return 1 if row is None else int(row[0]) + 1


def _event(row: Any) -> OutboxEvent:
    seq, kind, at, body = row
    moment = unstamp(at)
    assert moment is not None
    return OutboxEvent(seq, EventKind(kind), moment, json.loads(body))
