"""Which errors say the database cannot be reached just now (a 503 to try again), and which do not (a 500)."""

from __future__ import annotations

import asyncpg
import pytest
from sqlalchemy.exc import IntegrityError, OperationalError

from parcellocker.adapters.db.outages import database_unreachable


def _raised_from(outer: BaseException, cause: BaseException) -> BaseException:
    try:
        try:
            raise cause
        except BaseException as inner:
            raise outer from inner
    except BaseException as error:
        return error


@pytest.mark.parametrize(
    "error",
    [
        ConnectionRefusedError(111, "Connection refused"),
        asyncpg.CannotConnectNowError("the database system is starting up"),
        asyncpg.exceptions.AdminShutdownError("terminating connection due to unexpected postmaster exit"),
        asyncpg.InterfaceError("connection is closed"),
        asyncpg.exceptions.InternalClientError("cannot switch to state 12; another operation (2) is in progress"),
        _raised_from(RuntimeError("wrapped by the driver's adapter"), asyncpg.CannotConnectNowError("starting up")),
        OperationalError("SELECT 1", {}, Exception("lost"), connection_invalidated=True),
    ],
    ids=lambda error: type(error).__name__,
)
def test_a_database_out_of_reach_is_recognised(error: BaseException) -> None:
    assert database_unreachable(error)


@pytest.mark.parametrize(
    "error",
    [
        ValueError("a bug"),
        IntegrityError("INSERT", {}, Exception("duplicate key")),
        asyncpg.UniqueViolationError("duplicate key value violates unique constraint"),
        _raised_from(KeyError("a bug"), ValueError("another")),
    ],
    ids=lambda error: type(error).__name__,
)
def test_other_failures_are_not_taken_for_an_outage(error: BaseException) -> None:
    assert not database_unreachable(error)
