"""Statements of a unit of work on PostgreSQL, run straight on the asyncpg connection.

SQLAlchemy builds and compiles every statement (once per statement and set of parameter names, kept here), and
its types convert the values; what is skipped is its execution layer (greenlet hand-off, execution context, cursor
adapter, result objects): ~65 µs of CPU per statement here, more than asyncpg itself spends (~40 µs), on every one
of the ~9 statements of an API operation.

A result offers what the repositories read: `first()`, `scalar()`, `scalar_one()`, `all()`, iteration and
`rowcount`; its rows are named tuples (read by position or by column name).
"""

from __future__ import annotations

import time
import weakref
from collections import namedtuple
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from sqlalchemy import Executable, Insert, Select, Update, bindparam, literal_column
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import StatementError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.util import greenlet_spawn

from parcellocker.adapters.db.engine import unit_of_work_capacity
from parcellocker.adapters.db.kept_connections import KeptConnections, kept_connections
from parcellocker.domain.errors import DomainError

Processor = Callable[[Any], Any] | None


@dataclass(slots=True)
class DriverConnection:
    """A pooled connection of the engine, used through its asyncpg driver connection; the transaction is ours to
    begin and end (SQLAlchemy's adapter never started one, so the pool does nothing to it on return)."""

    pooled: PoolProxiedConnection
    raw: asyncpg.Connection
    dialect: Dialect
    begun: bool = False  # BEGIN was sent (see transaction.py: a unit of work begins only when it must)
    pending: list[Any] = field(default_factory=list)  # writes waiting to be sent together (see writes.py)
    taken_at: float = 0.0  # time.monotonic() when taken out of the engine's pool
    kept: KeptConnections | None = None  # where it waits for the next unit of work once given back

    @classmethod
    async def take(cls, engine: AsyncEngine) -> DriverConnection:
        """A connection kept from an earlier unit of work (kept_connections.py), else one from the engine's pool."""
        capacity = unit_of_work_capacity(engine)
        kept = None if capacity is None else kept_connections(engine, capacity)
        if kept is not None and (connection := await kept.take()) is not None:
            return connection
        pooled = await engine.raw_connection()
        return cls(pooled, pooled.driver_connection, engine.dialect, taken_at=time.monotonic(), kept=kept)

    @classmethod
    @asynccontextmanager
    async def transaction(
        cls, engine: AsyncEngine, opening: Executable | None = None
    ) -> AsyncIterator[DriverConnection]:
        """`async with DriverConnection.transaction(engine) as connection:` commits when the block ends normally.

        `opening`, a statement of constants only, runs right after BEGIN in the same round trip.
        """
        connection = await cls.take(engine)
        try:
            if opening is None:
                await connection.begin()
            else:
                await connection.raw.execute(f"BEGIN; {_constants_sql(opening, connection.dialect)}")
                connection.begun = True
            yield connection
            await connection.raw.execute("COMMIT")
        except BaseException as error:
            await connection.give_back(discard=lost_with(error))
            raise
        else:
            await connection.give_back()

    async def begin(self) -> None:
        if not self.begun:
            await self.raw.execute("BEGIN")
            self.begun = True

    async def give_back(self, *, discard: bool = False) -> None:
        """Kept for the next unit of work or back to the pool, rolled back if a transaction is still open; discarded
        instead (the pool opens a new one) when asked to, when the rollback fails, or when the connection was lost
        (the database restarted, the backend was ended)."""
        self.pending.clear()
        discard = discard or self.raw.is_closed()
        try:
            if not discard and self.raw.is_in_transaction():
                await self.raw.execute("ROLLBACK")
        except BaseException:
            discard = True
            raise
        finally:
            if discard or self.kept is None or not self.kept.keep(self):
                # Through a greenlet: the pool's own bookkeeping may wait on the driver.
                await greenlet_spawn(self.pooled.invalidate if discard else self.pooled.close)


_constants: weakref.WeakKeyDictionary[Executable, dict[int, str]] = weakref.WeakKeyDictionary()


def _constants_sql(statement: Executable, dialect: Dialect) -> str:
    """The SQL of a statement of constants only, its values written in; compiled once per statement and dialect
    (the audit chainer opens every round with the same one)."""
    by_dialect = _constants.setdefault(statement, {})
    sql = by_dialect.get(id(dialect))
    if sql is None:
        assert isinstance(statement, ClauseElement)
        sql = by_dialect[id(dialect)] = str(statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
    return sql


def lost_with(error: BaseException | None) -> bool:
    """Whether the connection may be unusable after `error`: anything but a refusal by the database (an SQL error
    on a live connection) or by the domain, which leave the connection as it was; a cancellation included."""
    if error is None or isinstance(error, DomainError):
        return False
    if isinstance(error, asyncpg.PostgresError):
        return isinstance(error, asyncpg.PostgresConnectionError | asyncpg.exceptions.OperatorInterventionError)
    return True


class DriverResult:
    """The rows (or the row count) of one statement."""

    __slots__ = ("_rows", "rowcount")

    def __init__(self, rows: list[Any], rowcount: int) -> None:
        self._rows = rows
        self.rowcount = rowcount

    def __iter__(self) -> Iterator[Any]:
        return iter(self._rows)

    def all(self) -> list[Any]:
        return self._rows

    def first(self) -> Any:
        return self._rows[0] if self._rows else None

    def scalar(self) -> Any:
        return self._rows[0][0] if self._rows else None

    def scalar_one(self) -> Any:
        if len(self._rows) != 1:
            raise LookupError(f"expected exactly one row, got {len(self._rows)}")
        return self._rows[0][0]


class _Plan:
    """A statement compiled for asyncpg: its SQL, how to order and convert the parameters, how to read a row."""

    __slots__ = ("binds", "compiled", "parameters", "result_processors", "returns_rows", "row_type", "sql")

    def __init__(self, statement: Executable, keys: Sequence[str], dialect: Dialect) -> None:
        assert isinstance(statement, ClauseElement)
        compiled = statement.compile(dialect=dialect, column_keys=list(keys))
        assert isinstance(compiled, SQLCompiler)
        if compiled.implicit_returning:  # the new row's key, which SQLAlchemy would fetch for itself: not needed
            compiled = statement.compile(dialect=dialect, column_keys=list(keys), for_executemany=True)
            assert isinstance(compiled, SQLCompiler)
        if compiled.post_compile_params or compiled.literal_execute_params or compiled.escaped_bind_names:
            raise ValueError("a statement run on asyncpg needs fixed, plainly named parameters (no expanding IN)")
        if getattr(compiled, "_collected_params", None):  # values given by Executable.params() (SQLAlchemy 2.1)
            raise ValueError("a statement run on asyncpg takes its values as parameters, not from .params()")
        self.compiled = compiled
        self.sql = compiled.string
        self.binds = tuple(compiled.binds[name] for name in compiled.positiontup or ())
        self.parameters = tuple(  # what `arguments` needs of each $n, read once here rather than on every call
            (bind.key, bind.type.dialect_impl(dialect).bind_processor(dialect), bind) for bind in self.binds
        )
        columns = compiled._result_columns  # what SQLAlchemy itself reads rows by
        self.returns_rows = bool(columns)
        self.row_type: Any = namedtuple("Row", [column.keyname for column in columns], rename=True)  # type: ignore[misc]
        self.result_processors: tuple[Processor, ...] | None = None  # known once the driver described the columns

    def arguments(self, parameters: Mapping[str, Any]) -> list[Any]:
        """The values in the order of the statement's $n, converted by their types (a value a type refuses raises
        StatementError, as through SQLAlchemy). Looked up as SQLAlchemy's construct_params does, without building
        the dict of every parameter first."""
        try:
            values = []
            for key, processor, bind in self.parameters:
                if key in parameters:
                    value = parameters[key]
                elif bind.required:
                    raise KeyError(f"a value is required for bind parameter {key!r}")
                else:
                    value = bind.effective_value if bind.callable else bind.value
                values.append(value if processor is None else processor(value))
            return values
        except Exception as error:
            raise StatementError(str(error), self.sql, dict(parameters), error) from error

    def row(self, record: asyncpg.Record) -> Any:
        processors = self.result_processors
        assert processors is not None
        values = zip(record, processors, strict=True)
        return self.row_type._make([value if processor is None else processor(value) for value, processor in values])

    async def describe(self, connection: DriverConnection) -> None:
        """The result converters, which depend on the column types the database reports (e.g. float or numeric)."""
        prepared = await connection.raw.prepare(self.sql)
        dialect, columns = connection.dialect, self.compiled._result_columns
        self.result_processors = tuple(
            column.type.dialect_impl(dialect).result_processor(dialect, attribute.type.oid)
            for column, attribute in zip(columns, prepared.get_attributes(), strict=True)
        )


Parameters = Mapping[str, Any] | Sequence[Mapping[str, Any]] | None
_plans: weakref.WeakKeyDictionary[Executable, dict[tuple[int, tuple[str, ...], int, bool], _Plan]] = (
    weakref.WeakKeyDictionary()
)
MAX_ROWS_PER_INSERT = 50  # more rows than this go through asyncpg's executemany


def in_one_statement(statement: Executable, parameters: Parameters) -> bool:
    """True when `statement` runs with `parameters` as one SQL statement (see `prepared`)."""
    if isinstance(parameters, Sequence) and len(parameters) > 1:
        return isinstance(statement, Insert) and len(parameters) <= MAX_ROWS_PER_INSERT
    return True


def prepared(
    connection: DriverConnection, statement: Executable, parameters: Parameters, *, counted: bool = False
) -> tuple[_Plan, list[Any]]:
    """The plan and arguments of `statement` as one SQL statement: a few rows to insert go in one INSERT with as
    many VALUES (asyncpg's executemany costs more than the statement for a handful). `counted` adds `RETURNING 1`
    to an UPDATE, to count the rows it changed from inside a larger statement."""
    if isinstance(parameters, Sequence):
        if len(parameters) > 1:
            keys = tuple(parameters[0])
            plan = _plan(connection, statement, keys, rows=len(parameters), counted=counted)
            flat = {f"{key}__{row}": value for row, one in enumerate(parameters) for key, value in one.items()}
            return plan, plan.arguments(flat)
        parameters = parameters[0] if parameters else None
    parameters = parameters or {}
    plan = _plan(connection, statement, tuple(parameters), counted=counted)
    return plan, plan.arguments(parameters)


def _plan(
    connection: DriverConnection, statement: Executable, keys: tuple[str, ...], rows: int = 0, counted: bool = False
) -> _Plan:
    """The plan of `statement` with parameters `keys`; with `rows`, of the INSERT of that many rows at once."""
    by_keys = _plans.get(statement)
    if by_keys is None:
        by_keys = _plans[statement] = {}
    key = (id(connection.dialect), keys, rows, counted)
    plan = by_keys.get(key)
    if plan is None:
        form = statement
        if rows:
            assert isinstance(statement, Insert)
            columns = statement.table.c
            values = [{key: bindparam(f"{key}__{row}", type_=columns[key].type) for key in keys} for row in range(rows)]
            form, keys = statement.values(values), ()
        if counted:
            assert isinstance(form, Update)
            form = form.returning(literal_column("1"))
        plan = by_keys[key] = _Plan(form, keys, connection.dialect)
    return plan


def needs_transaction(statement: Executable) -> bool:
    """False for a plain SELECT: under READ COMMITTED it reads the same outside a transaction as inside one
    (every statement sees what was committed when it began). A write, or a SELECT that locks rows, needs one.
    (A SELECT of a function that acts on the transaction, such as pg_advisory_xact_lock, is run only inside
    transactions begun on purpose.)"""
    return not isinstance(statement, Select) or statement._for_update_arg is not None


async def execute(connection: DriverConnection, statement: Executable, parameters: Parameters) -> DriverResult:
    """Run `statement` once with `parameters`, or once per mapping in a list of them (in one round trip)."""
    if not in_one_statement(statement, parameters):
        assert isinstance(parameters, Sequence)
        plan = _plan(connection, statement, tuple(parameters[0]))
        if plan.returns_rows:
            raise ValueError("a statement run for many parameter sets cannot return rows here")
        await connection.raw.executemany(plan.sql, [plan.arguments(one) for one in parameters])
        return DriverResult([], len(parameters))
    plan, arguments = prepared(connection, statement, parameters)
    if not plan.returns_rows:
        status = await connection.raw.execute(plan.sql, *arguments)
        return DriverResult([], _count_in(status))
    if plan.result_processors is None:
        await plan.describe(connection)
    records = await connection.raw.fetch(plan.sql, *arguments)
    return DriverResult([plan.row(record) for record in records], len(records))


async def stream(connection: DriverConnection, statement: Executable, prefetch: int = 500) -> AsyncIterator[Any]:
    """The rows of a large result, fetched `prefetch` at a time (inside the unit of work's transaction)."""
    plan = _plan(connection, statement, ())
    if plan.result_processors is None:
        await plan.describe(connection)
    async for record in connection.raw.cursor(plan.sql, *plan.arguments({}), prefetch=prefetch):
        yield plan.row(record)


def _count_in(status: str) -> int:
    """The row count in a command status such as "UPDATE 1" or "INSERT 0 1"."""
    last = status.rpartition(" ")[2]
    return int(last) if last.isdigit() else 0
