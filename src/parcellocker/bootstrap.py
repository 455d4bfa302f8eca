"""The composition root: the one place where settings, database, keys and use cases are wired together."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine

from parcellocker.adapters.clock import SystemClock
from parcellocker.adapters.db.engine import make_engine
from parcellocker.adapters.db.terminal_link import SqlTerminalLinkUnitOfWork
from parcellocker.adapters.db.webhook_subscribers import WebhookSubscribers
from parcellocker.config import Settings
from parcellocker.service.context import Env, Services
from parcellocker.service.ports import Clock


@dataclass(slots=True)
class Server:
    settings: Settings
    engine: AsyncEngine
    services: Services
    webhook_subscribers: WebhookSubscribers = field(default_factory=WebhookSubscribers)

    async def close(self) -> None:
        await self.engine.dispose()


def bootstrap(settings: Settings, clock: Clock | None = None) -> Server:
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.effective_database_url)
    env = Env(clock=clock or SystemClock(), keys=settings.server_keys(), policy=settings.policy())
    subscribers = WebhookSubscribers()
    services = Services(uow_factory=lambda: SqlTerminalLinkUnitOfWork(engine, webhook_subscribers=subscribers), env=env)
    return Server(settings, engine, services, subscribers)
