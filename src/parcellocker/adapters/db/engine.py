"""Creating the database engine, with the settings each database needs to be safe and fast here.

SQLite runs with a single writer: every unit of work that may write starts with `BEGIN IMMEDIATE` (see
unit_of_work.py), which takes the database's write lock at once, so two writers never interleave and a read never
has to be upgraded to a write later; inside one process writers queue in order (unit_of_work_gate) before they
even take a connection, instead of polling SQLite's busy handler. Other transactions on the engine begin
DEFERRED, so a plain read never takes the write lock. The journal is WAL, so readers never block the writer;
`synchronous=NORMAL` keeps every commit safe when the process is killed (not across a power cut).

The units of work on SQLite run their statements synchronously on the event loop's thread, through a second,
plain (pysqlite) engine on the same file: a statement on a local file takes microseconds, while the async driver
hands each one to a thread and back three or four times. Holding the one write lock, a unit of work then runs
without waiting for the event loop between statements, so it holds the lock for as short as possible.
"""

from __future__ import annotations

import asyncio
import os
import time
import weakref
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

SQLITE_BUSY_TIMEOUT_MS = 10_000  # how long a transaction waits for another process's write lock
# The plain engine's statements run on the event loop, so SQLite's own wait there is kept short; a unit of work
# that finds the write lock taken by another process waits for it asynchronously instead (unit_of_work.py).
SQLITE_PLAIN_BUSY_TIMEOUT_MS = 20
# Execution option naming the kind of BEGIN a SQLite transaction starts with: "DEFERRED" (default) or "IMMEDIATE".
SQLITE_BEGIN = "parcellocker_sqlite_begin"


MIN_POOL_SIZE = 3  # two units of work at once, and the audit chainer's connection


def default_pool_size() -> int:
    """PostgreSQL connections a server process keeps open by default: the machine's cores + 1, at least 3. Units
    of work beyond the pool wait their turn in the process (unit_of_work_gate), which costs next to nothing, while
    every connection more is a backend competing for the same cores. On 2 cores with 2 server processes and
    PostgreSQL alongside, 400 operations/s offered (docs/PERFORMANCE.md, three rounds): 3 connections per process
    p50 4-8 ms and p99 22-83 ms, 20 connections p50 24-39 ms and p99 99-140 ms; no less throughput in a closed
    loop."""
    return max(MIN_POOL_SIZE, (os.cpu_count() or 1) + 1)


def make_engine(url: str, *, pool_size: int | None = None, max_overflow: int = 0) -> AsyncEngine:
    """An engine for `sqlite+aiosqlite:///path` (its folder is created) or `postgresql+asyncpg://…`; on PostgreSQL
    `pool_size` connections, by default `default_pool_size()`.

    On PostgreSQL the pool is fixed by default (no overflow): an overflow connection is opened for one unit of work
    and closed after it, which under load means a new backend (and its TLS negotiation) for many requests. Options
    of asyncpg.connect can be given in the URL, e.g. `?ssl=disable` for a database on loopback.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database in (None, "", ":memory:") or "mode=memory" in str(parsed):
            raise ValueError("use a SQLite file: an in-memory database is not shared between connections")
        _create_parent_folder(parsed)
        # One writer at a time, so a few connections are plenty.
        engine = create_async_engine(parsed, pool_size=5, max_overflow=10)
        configure_sqlite(engine.sync_engine)
        return engine
    if parsed.get_backend_name() == "postgresql":
        pool_size = default_pool_size() if pool_size is None else pool_size
        engine = create_async_engine(
            parsed,
            pool_size=pool_size,
            max_overflow=max_overflow,
            pool_recycle=1800,
            connect_args={"server_settings": {"jit": "off", "application_name": "parcellocker"}},
        )
        # Units of work queue for connections on a fair semaphore (see unit_of_work_gate); one connection is
        # left over for the audit chainer.
        _unit_of_work_capacity[engine.sync_engine] = max(1, pool_size + max_overflow - 1)
        return engine
    raise ValueError(f"unsupported database {parsed.get_backend_name()!r}: use SQLite or PostgreSQL")


_plain_engines: weakref.WeakKeyDictionary[Engine, Engine] = weakref.WeakKeyDictionary()


def plain_sqlite_engine(engine: AsyncEngine) -> Engine:
    """The synchronous engine on the same SQLite file as `engine`, disposed with it."""
    plain = _plain_engines.get(engine.sync_engine)
    if plain is None:
        url = engine.url.set(drivername="sqlite")
        plain = create_engine(url, pool_size=5, max_overflow=10, connect_args={"check_same_thread": False})
        configure_sqlite(plain, busy_timeout_ms=SQLITE_PLAIN_BUSY_TIMEOUT_MS)
        event.listen(engine.sync_engine, "engine_disposed", lambda _engine: plain.dispose())
        _plain_engines[engine.sync_engine] = plain
    return plain


def is_sqlite(engine: AsyncEngine) -> bool:
    return engine.dialect.name == "sqlite"


def configure_sqlite(engine: Engine, busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS) -> None:
    """Pragmas on every new connection, and our own BEGIN (the driver's implicit one is switched off)."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # the driver must not BEGIN by itself; see _on_begin
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
        _use_wal(cursor)
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        mode = connection.get_execution_options().get(SQLITE_BEGIN, "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


def _use_wal(cursor: Any) -> None:
    """Switch the database to WAL (it stays so). When two processes open a new database at once, the switch can
    find it busy, and SQLite does not wait for that by itself: try again for as long as the busy timeout."""
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            if cursor.fetchone()[0] == "wal":
                return
        except Exception as error:  # the driver's OperationalError, whichever driver it is
            if "locked" not in str(error):
                raise
        if time.monotonic() > deadline:
            raise RuntimeError("could not switch the SQLite database to WAL: another process keeps it busy")
        time.sleep(0.01)


_unit_of_work_capacity: weakref.WeakKeyDictionary[Engine, int] = weakref.WeakKeyDictionary()
_gates: weakref.WeakKeyDictionary[Engine, tuple[asyncio.AbstractEventLoop, asyncio.Semaphore]] = (
    weakref.WeakKeyDictionary()
)


def unit_of_work_capacity(engine: AsyncEngine) -> int | None:
    """How many units of work may hold a PostgreSQL connection at once (the pool's connections but one); None for
    SQLite, or an engine not made by make_engine."""
    return _unit_of_work_capacity.get(engine.sync_engine)


def unit_of_work_gate(engine: AsyncEngine, *, read_only: bool) -> asyncio.Semaphore | None:
    """What a unit of work waits on, in this process, before it takes a connection.

    SQLite: writers, one at a time (readers do not wait). PostgreSQL: as many units of work as the pool has
    connections. Waiters are served in order: the pool's own queue lets newcomers overtake waiters, which under
    load starves some requests for seconds.
    """
    if is_sqlite(engine):
        capacity: int | None = None if read_only else 1
    else:
        capacity = _unit_of_work_capacity.get(engine.sync_engine)
    if capacity is None:
        return None
    loop = asyncio.get_running_loop()
    known = _gates.get(engine.sync_engine)
    if known is None or known[0] is not loop:
        known = (loop, asyncio.Semaphore(capacity))
        _gates[engine.sync_engine] = known
    return known[1]


def _create_parent_folder(url: URL) -> None:
    database = url.database or ""
    if not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
