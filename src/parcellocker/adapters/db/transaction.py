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

from parcellocker.adapters.db import driver_statements
from parcellocker.adapters.db.driver_statements import DriverConnection
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
    (see driver_statements.py), or an async SQLAlchemy one."""

    def __init__(self, connection: AsyncConnection | Connection | DriverConnection) -> None:
        self.connection = connection

    async def execute(
        self, statement: Executable, parameters: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None
    ) -> StatementResult:
        async with translated_errors():
            if isinstance(self.connection, DriverConnection):
                return await driver_statements.execute(self.connection, statement, parameters)
            if isinstance(self.connection, Connection):
                return self.connection.execute(statement, parameters)
            return await self.connection.execute(statement, parameters)

    async def rows(self, statement: Executable) -> AsyncIterator[Any]:
        """The rows of a large result, fetched as they are read rather than all at once."""
        async with translated_errors():
            if isinstance(self.connection, DriverConnection):
                async for row in driver_statements.stream(self.connection, statement):
                    yield row
            elif isinstance(self.connection, Connection):
                for row in self.connection.execution_options(yield_per=500).execute(statement):
                    yield row
            else:
                async for row in await self.connection.stream(statement):
                    yield row
