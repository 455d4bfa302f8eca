"""The one connection of a unit of work, which turns races lost inside the database into ConcurrencyConflict."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import Executable, Row
from sqlalchemy.engine import Connection, CursorResult
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from parcellocker.domain.errors import ConcurrencyConflict

# PostgreSQL: serialization_failure, deadlock_detected, lock_not_available.
_RETRYABLE_SQLSTATES = frozenset({"40001", "40P01", "55P03"})
_UNIQUE_VIOLATION = "23505"


class DuplicateRow(ConcurrencyConflict):
    """A unique key was taken, most likely by a concurrent request; `detail` names the key."""

    def __init__(self, detail: str) -> None:
        super().__init__("someone else wrote the same record at the same moment; try again")
        self.detail = detail


def lost_race(error: DBAPIError) -> ConcurrencyConflict | None:
    """What the database's error means for the domain, or None if it is not a lost race."""
    sqlstate = getattr(error.orig, "sqlstate", None)
    text = str(error.orig)
    if isinstance(error, IntegrityError) and (sqlstate == _UNIQUE_VIOLATION or "UNIQUE constraint failed" in text):
        return DuplicateRow(text)
    if sqlstate in _RETRYABLE_SQLSTATES or "database is locked" in text:
        return ConcurrencyConflict("the database was busy with a concurrent change; try again")
    return None


@asynccontextmanager
async def translated_errors() -> AsyncIterator[None]:
    try:
        yield
    except DBAPIError as error:
        conflict = lost_race(error)
        if conflict is None:
            raise
        raise conflict from error


class Transaction:
    """Runs the statements of one unit of work on its connection: an async one (PostgreSQL), or a plain one whose
    statements run right away on the event loop's thread (SQLite; see engine.py)."""

    def __init__(self, connection: AsyncConnection | Connection) -> None:
        self.connection = connection

    async def execute(
        self, statement: Executable, parameters: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None
    ) -> CursorResult[Any]:
        async with translated_errors():
            if isinstance(self.connection, Connection):
                return self.connection.execute(statement, parameters)
            return await self.connection.execute(statement, parameters)

    async def rows(self, statement: Executable) -> AsyncIterator[Row[Any]]:
        """The rows of a large result, fetched as they are read rather than all at once."""
        async with translated_errors():
            if isinstance(self.connection, Connection):
                for row in self.connection.execution_options(yield_per=500).execute(statement):
                    yield row
            else:
                async for row in await self.connection.stream(statement):
                    yield row
