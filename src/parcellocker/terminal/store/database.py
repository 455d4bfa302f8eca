"""The terminal's own SQLite file: opened in WAL mode with `synchronous=FULL`, so that whatever a transaction
wrote is on disk when it commits, even across a power cut; the schema is created or brought up to date on open."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

SCHEMA = [
    # Version 1.
    """
    CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
    CREATE TABLE outbox (
        seq INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        at TEXT NOT NULL,
        body TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        rejected_at TEXT
    );
    CREATE TABLE doors (
        compartment INTEGER PRIMARY KEY,
        state TEXT NOT NULL,
        opened_for TEXT,
        since TEXT NOT NULL
    );
    CREATE TABLE facts (name TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE codes (
        shipment_id TEXT PRIMARY KEY,
        compartment INTEGER NOT NULL,
        code_hash TEXT NOT NULL,
        deadline TEXT
    );
    CREATE TABLE used_codes (shipment_id TEXT PRIMARY KEY, at TEXT NOT NULL);
    CREATE TABLE offline_pickups (
        id INTEGER PRIMARY KEY,
        shipment_id TEXT NOT NULL,
        compartment INTEGER NOT NULL,
        via TEXT NOT NULL,
        at TEXT NOT NULL,
        seq INTEGER NOT NULL,
        door_opened INTEGER
    );
    CREATE TABLE lockouts (
        key TEXT PRIMARY KEY,
        failures TEXT NOT NULL,
        locked_until TEXT,
        strikes INTEGER NOT NULL,
        last_strike_at TEXT
    );
    CREATE TABLE commands (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        started_at TEXT NOT NULL,
        outcome TEXT,
        detail TEXT,
        acknowledged INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE settings (name TEXT PRIMARY KEY, value REAL NOT NULL);
    """,
]


class StoreError(Exception):
    """The store file cannot be used."""


class Database:
    """One connection, used from the event loop's thread only; `transaction()` nests (the outermost commits)."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    @classmethod
    def open(cls, path: Path) -> Database:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            connection = sqlite3.connect(path, isolation_level=None, timeout=5)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=FULL")
            database = cls(connection)
            database._upgrade()
        except sqlite3.DatabaseError as error:
            raise StoreError(f"cannot use the terminal store {path}: {error}") from error
        return database

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        if self.connection.in_transaction:
            yield self.connection
            return
        self.connection.execute("BEGIN IMMEDIATE")
        try:
            yield self.connection
        except BaseException:
            self.connection.execute("ROLLBACK")
            raise
        self.connection.execute("COMMIT")

    def close(self) -> None:
        self.connection.close()

    def _upgrade(self) -> None:
        version = self.connection.execute("PRAGMA user_version").fetchone()[0]
        if version > len(SCHEMA):
            raise StoreError(f"the store is of a newer version ({version}) than this terminal knows")
        for number, script in enumerate(SCHEMA[version:], start=version + 1):
            with self.transaction() as db:
                for statement in filter(str.strip, script.split(";")):
                    db.execute(statement)
                db.execute(f"PRAGMA user_version={number}")


def stamp(at: datetime) -> str:
    """A UTC time as stored: ISO 8601 with its offset."""
    if at.tzinfo is None:
        raise ValueError("the store keeps aware UTC times only")
    return at.astimezone(UTC).isoformat()


def unstamp(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)
