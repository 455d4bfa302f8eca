"""The plan the database chooses for a statement of the code: EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL, EXPLAIN
QUERY PLAN on SQLite. The statement is compiled by the same dialect, with its values converted by the same types,
as when the repositories run it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Executable
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

from parcellocker.adapters.db.driver_statements import DriverConnection, prepared


async def explain(engine: AsyncEngine, statement: Executable, parameters: Mapping[str, Any]) -> str:
    """The plan as text; on PostgreSQL the statement really runs, inside a transaction rolled back after."""
    if engine.dialect.name == "postgresql":
        driver = await DriverConnection.take(engine)
        try:
            await driver.begin()  # a claim's FOR UPDATE locks only until the rollback
            plan, arguments = prepared(driver, statement, dict(parameters))
            rows = await driver.raw.fetch(f"EXPLAIN (ANALYZE, BUFFERS) {plan.sql}", *arguments)
            return "\n".join(row[0] for row in rows)
        finally:
            await driver.give_back()
    sql, arguments = _compiled_for_sqlite(engine, statement, parameters)
    async with engine.connect() as connection:
        result = await connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", tuple(arguments))
        return "\n".join(f"{node:>3} {parent:>3} {detail}" for node, parent, _, detail in map(tuple, result))


def _compiled_for_sqlite(
    engine: AsyncEngine, statement: Executable, parameters: Mapping[str, Any]
) -> tuple[str, list[Any]]:
    assert isinstance(statement, ClauseElement)
    dialect = engine.dialect
    compiled = statement.compile(dialect=dialect)
    assert isinstance(compiled, SQLCompiler)
    values = compiled.construct_params(dict(parameters))
    arguments = []
    for name in compiled.positiontup or ():
        convert = compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
        arguments.append(values[name] if convert is None else convert(values[name]))
    return compiled.string, arguments
