"""PostgreSQL connections kept between units of work, instead of going back to the engine's pool after each one.

Taking a connection from SQLAlchemy's pool and giving it back costs two greenlet hand-offs and the pool's own
bookkeeping: 40-50 µs of CPU per unit of work measured apart, about a twentieth of a server worker's CPU under load
(docs/PERFORMANCE.md). A unit of work done with its connection leaves it here, still checked out of the pool, and
the next one takes it at once. What makes that safe:

- At most `limit` are kept: as many as units of work may run at once (engine.py's gate), so the pool always has one
  more for the audit chainer or the health check once the units of work are done.
- Only a connection that is open and outside a transaction is kept (`DriverConnection.give_back` rolls back first,
  and discards one that failed); a kept one found closed when taken (the database restarted) is discarded.
- A connection goes back to the pool after `keep_for` seconds out of it, so that the pool's own recycling (engine.py:
  `pool_recycle`) still applies to it.
- Connections belong to one event loop: those kept on another are not used.
- When the engine is disposed, the connections kept are closed with it.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from typing import TYPE_CHECKING

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.util import greenlet_spawn
from sqlalchemy.util.concurrency import in_greenlet

if TYPE_CHECKING:
    from parcellocker.adapters.db.driver_statements import DriverConnection

KEEP_FOR_SECONDS = 60.0


class KeptConnections:
    """The connections kept for one engine on one event loop, the one given back last taken first."""

    def __init__(self, limit: int, loop: asyncio.AbstractEventLoop, keep_for: float = KEEP_FOR_SECONDS) -> None:
        self.limit = limit
        self.loop = loop
        self.keep_for = keep_for
        self._idle: list[DriverConnection] = []

    def __len__(self) -> int:
        return len(self._idle)

    def keep(self, connection: DriverConnection) -> bool:
        """Keep `connection` for the next unit of work; False if it must go back to the pool instead. It must be open
        and outside a transaction (`DriverConnection.give_back` has seen to both)."""
        if (
            len(self._idle) >= self.limit
            or time.monotonic() - connection.taken_at > self.keep_for
            or asyncio.get_running_loop() is not self.loop
        ):
            return False
        connection.begun = False
        self._idle.append(connection)
        return True

    async def take(self) -> DriverConnection | None:
        """A kept connection that is still open, or None."""
        while self._idle:
            connection = self._idle.pop()
            if not connection.raw.is_closed():
                return connection
            await greenlet_spawn(connection.pooled.invalidate)
        return None

    def close_all(self) -> None:
        """Close every kept connection (the engine is being disposed); inside SQLAlchemy's greenlet, as the engine's
        disposal runs."""
        idle, self._idle = self._idle, []
        for connection in idle:
            connection.pooled.invalidate()  # closes the driver's connection; the old pool is gone


_kept: weakref.WeakKeyDictionary[Engine, KeptConnections] = weakref.WeakKeyDictionary()


def kept_connections(engine: AsyncEngine, limit: int) -> KeptConnections:
    """The connections kept for `engine` on the running event loop, at most `limit`."""
    loop = asyncio.get_running_loop()
    kept = _kept.get(engine.sync_engine)
    if kept is None or kept.loop is not loop:
        if kept is None:
            event.listen(engine.sync_engine, "engine_disposed", _close_kept)
        kept = _kept[engine.sync_engine] = KeptConnections(limit, loop)
    return kept


def _close_kept(engine: Engine) -> None:
    kept = _kept.get(engine)
    if kept is not None and in_greenlet():  # AsyncEngine.dispose() runs the disposal in SQLAlchemy's greenlet
        kept.close_all()
