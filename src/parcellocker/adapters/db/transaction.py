"""The one connection of a unit of work, which turns races lost inside the database into ConcurrencyConflict."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any, Protocol

import asyncpg
from sqlalchemy import Executable
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from parcellocker.adapters.db import driver_statements, writes
from parcellocker.adapters.db.driver_statements import DriverConnection
from parcellocker.adapters.db.writes import Write
from parcellocker.domain.errors import ConcurrencyConflict

# PostgreSQL: serialization_failure, deadlock_detected, lock_not_available.
_RETRYABLE_SQLSTATES = frozenset({"40001", "40P01", "55P03"})
_UNIQUE_VIOLATION = "23505"


class DuplicateRow(ConcurrencyConflict):
    """A unique key was taken, most likely by a concurrent request; `detail` names the key."""

    def __init__(self, detail: str) -> None:
        super().__init__("someone else wrote the same record at the same moment; try again")
        self.detail = detail


def lost_race(error: DBAPIError | asyncpg.PostgresError) -> ConcurrencyConflict | None:
    """What the database's error (through SQLAlchemy, or straight from asyncpg) means for the domain, or None if
    it is not a lost race."""
    if isinstance(error, asyncpg.PostgresError):
        sqlstate, text, integrity = (
            error.sqlstate,
            str(error),
            isinstance(error, asyncpg.IntegrityConstraintViolationError),
        )
    else:
        sqlstate, text, integrity = (
            getattr(error.orig, "sqlstate", None),
            str(error.orig),
            isinstance(error, IntegrityError),
        )
    if integrity and (sqlstate == _UNIQUE_VIOLATION or "UNIQUE constraint failed" in text):
        return DuplicateRow(text)
    if sqlstate in _RETRYABLE_SQLSTATES or "database is locked" in text:
        return ConcurrencyConflict("the database was busy with a concurrent change; try again")
    return None


@asynccontextmanager
async def translated_errors() -> AsyncIterator[None]:
    try:
        yield
    except (DBAPIError, asyncpg.PostgresError) as error:
        conflict = lost_race(error)
        if conflict is None:
            raise
        raise conflict from error


class StatementResult(Protocol):
    """What the repositories read from a statement's result (SQLAlchemy's, or driver_statements')."""

    @property
    def rowcount(self) -> int: ...

    def __iter__(self) -> Iterator[Any]: ...

    def all(self) -> Sequence[Any]: ...

    def first(self) -> Any: ...

    def scalar(self) -> Any: ...

    def scalar_one(self) -> Any: ...


class Transaction:
    """Runs the statements of one unit of work on its connection: a plain one whose statements run right away on
    the event loop's thread (SQLite; see engine.py), a PostgreSQL one used through its asyncpg driver connection
    (see driver_statements.py), or an async SQLAlchemy one.

    On PostgreSQL the transaction begins only when a statement needs it (a write, or a read that locks rows), and
    the writes given to `write` are sent together (see writes.py); a unit of work that only read, and then wrote
    everything in one statement at commit, never begins one.
    """

    def __init__(self, connection: AsyncConnection | Connection | DriverConnection) -> None:
        self.connection = connection

    @property
    def begins_when_needed(self) -> bool:
        """True on PostgreSQL: a statement that needs no transaction (see driver_statements.needs_transaction) runs
        before any BEGIN, and is committed by itself."""
        return isinstance(self.connection, DriverConnection)

    async def execute(
        self, statement: Executable, parameters: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None
    ) -> StatementResult:
        """Run `statement` now (after the writes waiting to be sent, so that it sees them)."""
        connection = self.connection
        if isinstance(connection, DriverConnection):
            if connection.pending or driver_statements.needs_transaction(statement):
                await self._begin()
            async with translated_errors():
                return await driver_statements.execute(connection, statement, parameters)
        async with translated_errors():
            if isinstance(connection, Connection):
                return connection.execute(statement, parameters)
            return await connection.execute(statement, parameters)

    async def write(self, write: Write) -> None:
        """Write now, or (PostgreSQL) with the next statement or at commit: `write.stale` and `write.duplicate`
        are raised then."""
        connection = self.connection
        if isinstance(connection, DriverConnection) and writes.fits_together(write):
            if write.row is not None and any(waiting.row == write.row for waiting in connection.pending):
                await self._begin()  # the same row twice: the first write goes first
            connection.pending.append(write)
            return
        async with _duplicates_told_by([write]):
            result = await self.execute(write.statement, write.parameters)
        if write.stale is not None and result.rowcount != 1:
            raise write.stale

    async def commit(self) -> None:
        connection = self.connection
        if isinstance(connection, DriverConnection):
            if connection.begun:
                await self._send_pending()
                async with translated_errors():
                    await connection.raw.execute("COMMIT")
                connection.begun = False
            elif connection.pending:
                await self._send_pending()  # one statement, atomic by itself: no transaction needed
            return
        async with translated_errors():
            if isinstance(connection, Connection):
                connection.commit()
            else:
                await connection.commit()

    async def rollback(self) -> None:
        """Undo everything not committed; does nothing after a commit."""
        connection = self.connection
        if isinstance(connection, DriverConnection):
            connection.pending.clear()
            if connection.begun:
                connection.begun = False
                if not connection.raw.is_closed():  # a lost connection has nothing left to roll back
                    await connection.raw.execute("ROLLBACK")
            return
        if not connection.in_transaction():
            return
        if isinstance(connection, Connection):
            connection.rollback()
        else:
            await connection.rollback()

    async def rows(self, statement: Executable) -> AsyncIterator[Any]:
        """The rows of a large result, fetched as they are read rather than all at once."""
        connection = self.connection
        if isinstance(connection, DriverConnection):
            await self._begin()  # a cursor lives inside a transaction
        async with translated_errors():
            if isinstance(connection, DriverConnection):
                async for row in driver_statements.stream(connection, statement):
                    yield row
            elif isinstance(connection, Connection):
                for row in connection.execution_options(yield_per=500).execute(statement):
                    yield row
            else:
                async for row in await connection.stream(statement):
                    yield row

    async def _begin(self) -> None:
        """Begin the transaction (if not yet), and send the writes waiting."""
        connection = self.connection
        assert isinstance(connection, DriverConnection)
        async with translated_errors():
            await connection.begin()
        await self._send_pending()

    async def _send_pending(self) -> None:
        connection = self.connection
        assert isinstance(connection, DriverConnection)
        waiting, connection.pending = connection.pending, []
        if waiting:
            async with _duplicates_told_by(waiting), translated_errors():
                await writes.send_together(connection, waiting)


@asynccontextmanager
async def _duplicates_told_by(sent: Sequence[Write]) -> AsyncIterator[None]:
    """A unique key taken, told as the writes that know what it means would tell it."""
    try:
        yield
    except DuplicateRow as duplicate:
        for write in sent:
            told = write.duplicate(duplicate) if write.duplicate is not None else None
            if told is not None:
                raise told from duplicate
        raise
