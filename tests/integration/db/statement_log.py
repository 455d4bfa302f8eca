"""Every statement an engine sends, on SQLite and PostgreSQL, for tests that count what a request costs."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from parcellocker.adapters.db.engine import is_sqlite, plain_sqlite_engine


class StatementLog:
    """Every SQL statement the engine sends from the moment it is attached (on SQLite its COMMIT is not one: the
    driver commits without a statement)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.sent: list[str] = []
        if is_sqlite(engine):
            event.listen(plain_sqlite_engine(engine), "before_cursor_execute", self._sqlite)
        else:
            event.listen(engine.sync_engine, "connect", self._postgres)

    def _sqlite(self, _connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        self.sent.append(statement)

    def _postgres(self, dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.driver_connection.add_query_logger(lambda logged: self.sent.append(logged.query))

    async def during(self, work: Awaitable[None]) -> list[str]:
        """The statements sent while `work` runs (asyncpg tells of each one just after it, on the event loop)."""
        start = len(self.sent)
        await work
        await asyncio.sleep(0.02)
        return self.sent[start:]
