"""Fixtures of the database adapter's tests; each test runs on SQLite and on PostgreSQL (see tests/conftest.py)."""

from __future__ import annotations

import pytest
from db_samples import START, StoppedClock
from sqlalchemy.ext.asyncio import AsyncEngine

from parcellocker.adapters.db.unit_of_work import SqlUnitOfWork
from parcellocker.security.keys import ServerKeys
from parcellocker.service.context import Env, Policy, Services


@pytest.fixture
def clock() -> StoppedClock:
    return StoppedClock(START)


@pytest.fixture
def env(clock: StoppedClock) -> Env:
    return Env(clock=clock, keys=ServerKeys.from_secret(bytes(range(32))), policy=Policy())


@pytest.fixture
def services(engine: AsyncEngine, env: Env) -> Services:
    return Services(uow_factory=lambda: SqlUnitOfWork(engine), env=env)
