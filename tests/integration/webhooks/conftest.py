"""Fixtures of the webhook worker's tests: the services on a fresh database (SQLite and PostgreSQL, see
tests/conftest.py), a stopped clock, and a receiver on 127.0.0.1 (tests/webhook_receiver.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from webhook_rigs import StoppedClock

from parcellocker.adapters.db.unit_of_work import SqlUnitOfWork
from parcellocker.adapters.db.webhook_subscribers import WebhookSubscribers
from parcellocker.security.keys import ServerKeys
from parcellocker.service.context import Env, Policy, Services
from webhook_receiver import WebhookReceiver


@pytest.fixture
def clock() -> StoppedClock:
    return StoppedClock()


@pytest.fixture
def subscribers() -> WebhookSubscribers:
    return WebhookSubscribers()


@pytest.fixture
def services(engine: AsyncEngine, clock: StoppedClock, subscribers: WebhookSubscribers) -> Services:
    env = Env(clock=clock, keys=ServerKeys.from_secret(bytes(range(32))), policy=Policy())
    return Services(uow_factory=lambda: SqlUnitOfWork(engine, webhook_subscribers=subscribers), env=env)


@pytest.fixture
async def receiver() -> AsyncIterator[WebhookReceiver]:
    async with WebhookReceiver() as receiver:
        yield receiver
