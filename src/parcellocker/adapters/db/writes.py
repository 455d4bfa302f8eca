"""Writes of a unit of work that are sent together: on PostgreSQL, one statement for all the writes made since the
last read, sent at the next read or at commit.

A use case reads, decides, then writes: the compartment and the shipment it changed, their transitions, an audit
record, a notification, the reply to remember. Sent one by one, each is a round trip (an API operation made 2 to 5
of them); sent together, in one statement of data-modifying WITH queries, they cost one. And a unit of work whose
reads took no lock and that wrote nothing before its commit needs no transaction at all: its one statement of
writes is atomic by itself, and under READ COMMITTED its reads saw what they would have seen inside a transaction,
so it saves the BEGIN and COMMIT round trips too (transaction.py).

An optimistic write (`stale` set: an UPDATE that must change exactly one row) stops the whole statement if it
changes none, by dividing by its row count, so nothing of it is kept; that is reported as its ConcurrencyConflict.
Two writes to the same row never go in one statement (its sub-statements cannot see each other's changes): the
second waits for the next one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import asyncpg
from sqlalchemy import Executable

from parcellocker.adapters.db import driver_statements
from parcellocker.adapters.db.driver_statements import DriverConnection
from parcellocker.domain.errors import ConcurrencyConflict

if TYPE_CHECKING:
    from parcellocker.adapters.db.transaction import DuplicateRow

_PLACEHOLDER = re.compile(r"\$(\d+)")


@dataclass(frozen=True, slots=True)
class Write:
    """An INSERT or UPDATE; with `stale`, an UPDATE that must change exactly one row."""

    statement: Executable
    parameters: Mapping[str, Any] | Sequence[Mapping[str, Any]]
    row: Hashable | None = None  # the one row it changes, e.g. ("compartments", id)
    stale: ConcurrencyConflict | None = None  # what it means when it changes no row
    duplicate: Callable[[DuplicateRow], Exception | None] | None = None  # what a taken unique key means, if special


async def send_together(connection: DriverConnection, writes: Sequence[Write]) -> None:
    """Send `writes` in one statement (see the module's docstring); raises their `stale` conflict if one of them
    changed no row, and nothing of them is kept then."""
    if len(writes) == 1:
        write = writes[0]
        result = await driver_statements.execute(connection, write.statement, write.parameters)
        if write.stale is not None and result.rowcount != 1:
            raise write.stale
        return
    sql, arguments = _together(connection, writes)
    try:
        await connection.raw.execute(sql, *arguments)
    except asyncpg.DivisionByZeroError:
        stale = [write.stale for write in writes if write.stale is not None]
        raise ConcurrencyConflict(" / ".join(str(conflict) for conflict in stale)) from None


def fits_together(write: Write) -> bool:
    return driver_statements.in_one_statement(write.statement, write.parameters)


_statements: dict[tuple[str, ...], str] = {}


def _together(connection: DriverConnection, writes: Sequence[Write]) -> tuple[str, list[Any]]:
    parts: list[str] = []
    checks: list[str] = []
    arguments: list[Any] = []
    plans = []
    for write in writes:
        plan, values = driver_statements.prepared(
            connection, write.statement, write.parameters, counted=write.stale is not None
        )
        plans.append(plan.sql)
        arguments.extend(values)
    key = tuple(plans)
    sql = _statements.get(key)
    if sql is None:
        offset = 0
        for number, (write, plan_sql) in enumerate(zip(writes, plans, strict=True)):
            parts.append(f"w{number} AS ({_shifted(plan_sql, offset)})")
            offset += _placeholders(plan_sql)
            if write.stale is not None:
                checks.append(f"1 / (SELECT count(*) FROM w{number})")
        sql = _statements[key] = f"WITH {', '.join(parts)} SELECT {', '.join(checks) or '1'}"
    return sql, arguments


def _shifted(sql: str, offset: int) -> str:
    """`sql` with its placeholders $1, $2, … renumbered from offset + 1."""
    return _PLACEHOLDER.sub(lambda match: f"${int(match.group(1)) + offset}", sql) if offset else sql


def _placeholders(sql: str) -> int:
    return max((int(number) for number in _PLACEHOLDER.findall(sql)), default=0)
