"""`parcellocker db check`: the database read through for states that cannot be right together."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from parcellocker.adapters.db.consistency import ConsistencyReport, check_consistency
from parcellocker.adapters.db.engine import make_engine


async def check_database(url: str) -> ConsistencyReport:
    """Read the database at `url` in one snapshot (REPEATABLE READ on PostgreSQL) and check every rule."""
    engine = make_engine(url, pool_size=1)
    try:
        return await _check(engine)
    finally:
        await engine.dispose()


async def _check(engine: AsyncEngine) -> ConsistencyReport:
    options = {"isolation_level": "REPEATABLE READ"} if engine.dialect.name == "postgresql" else {}
    async with engine.connect() as connection:
        connection = await connection.execution_options(**options)
        async with connection.begin():
            return await check_consistency(connection)
