"""Telling a database that cannot be reached just now (stopped, restarting, crash recovery, a connection cut) from
any other failure, so that the API can answer 503 "try again" instead of 500 "something is wrong with me"."""

from __future__ import annotations

import asyncpg
from sqlalchemy.exc import DBAPIError

_DRIVER_OUTAGES = (
    asyncpg.PostgresConnectionError,  # refused at start-up or recovery, connection lost mid-operation
    asyncpg.exceptions.OperatorInterventionError,  # the backend was ended (a crash of another, a shutdown)
    asyncpg.InterfaceError,  # "connection is closed"
    asyncpg.exceptions.InternalClientError,  # a connection left half-way through an operation by a lost backend
    ConnectionError,  # refused, reset, broken pipe
)


def database_unreachable(error: BaseException) -> bool:
    """Whether `error`, or an error it was raised from, says the database could not be reached."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, _DRIVER_OUTAGES):
            return True
        if isinstance(current, DBAPIError) and current.connection_invalidated:
            return True
        current = current.__cause__ or current.__context__
    return False
