"""The FastAPI application of the management server, built around a bootstrapped Server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from parcellocker.adapters.mqtt.bridge import TerminalBridge
from parcellocker.adapters.mqtt.requests import TerminalRequests
from parcellocker.adapters.mqtt.topics import BrokerAddress
from parcellocker.adapters.notifications.mailbox import MailboxNotifier
from parcellocker.adapters.notifications.port import Notifier
from parcellocker.adapters.notifications.worker import OutboxWorker
from parcellocker.adapters.webhooks.sender import HttpWebhookSender, WebhookSender
from parcellocker.adapters.webhooks.worker import WebhookWorker
from parcellocker.api.authentication import Authenticator
from parcellocker.api.errors import install_error_handlers
from parcellocker.api.metrics import ApiMetrics, RequestMetrics
from parcellocker.api.routes import (
    alarms,
    audit,
    carriers,
    couriers,
    deposits,
    door_events,
    events,
    health,
    lockers,
    pickups,
    sessions,
    shipments,
    terminal_link,
    webhooks,
)
from parcellocker.bootstrap import Server
from parcellocker.config import Settings

API_PREFIX = "/api/v1"

DESCRIPTION = """\
The locker management server of **parcellocker**: lockers and their compartments, shipments announced by
carriers, deposits by couriers, pickups by code or QR token, and what the lockers' terminals report.

Authenticate with `Authorization: Bearer <credential>`: a carrier's or terminal's API key, or the session token
of a signed-in courier or operator (`POST /api/v1/sessions/...`). Every mutating call takes an `Idempotency-Key`
header: the same key with the same request returns the first answer and changes nothing.

Errors are always `{"error": {"code": "...", "message": "..."}}` with the HTTP status saying what kind.
"""


def create_app(
    server: Server, notifier: Notifier | None = None, webhook_sender: WebhookSender | None = None
) -> FastAPI:
    """The app for `server`; its notifications go to `notifier` (by default the one the settings name), carriers'
    webhooks through `webhook_sender` (by default over HTTP)."""
    notifier = notifier or _notifier_from(server.settings)
    worker = OutboxWorker(server.services, notifier) if notifier is not None else None
    webhook_worker = _webhook_worker_for(server, webhook_sender)
    authenticator = Authenticator(server.services)
    command_bell = terminal_link.CommandBell()
    bridge = _mqtt_bridge_from(server, authenticator)
    if bridge is not None:
        command_bell.listeners.append(bridge.command_queued)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if worker is not None:
            worker.start()
        webhook_worker.start()
        if bridge is not None:
            bridge.start()
        try:
            yield
        finally:
            if bridge is not None:
                await bridge.stop()
            await webhook_worker.stop()
            if worker is not None:
                await worker.stop()
            await server.close()

    app = FastAPI(
        title="parcellocker management server",
        version="1",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.server = server
    app.state.authenticator = authenticator
    app.state.outbox_worker = worker
    app.state.webhook_worker = webhook_worker
    app.state.command_bell = command_bell
    app.state.mqtt_bridge = bridge
    install_error_handlers(app)
    metrics = ApiMetrics()
    app.add_middleware(RequestMetrics, metrics=metrics)

    for module in (
        lockers,
        deposits,
        pickups,
        door_events,
        terminal_link,
        shipments,
        sessions,
        carriers,
        couriers,
        alarms,
        audit,
        webhooks,
        events,
    ):
        app.include_router(module.router, prefix=API_PREFIX)
        metrics.name_routes(API_PREFIX, module.router.routes)
    app.include_router(health.router)
    app.include_router(metrics.router())
    return app


def _mqtt_bridge_from(server: Server, authenticator: Authenticator) -> TerminalBridge | None:
    """The link over MQTT, when PARCELLOCKER_MQTT_URL names a broker."""
    if not server.settings.mqtt_url:
        return None
    requests = TerminalRequests(server.services, authenticator)
    broker = BrokerAddress.parse(server.settings.mqtt_url)
    return TerminalBridge(server.services, requests, broker, topic_root=server.settings.mqtt_topic_root)


def _webhook_worker_for(server: Server, sender: WebhookSender | None) -> WebhookWorker:
    settings = server.settings
    sender = sender or HttpWebhookSender(
        timeout=settings.webhook_timeout_seconds, private_addresses=settings.webhooks_to_private_addresses
    )
    return WebhookWorker(server.services, sender, server.webhook_subscribers, schedule=settings.webhook_schedule())


def _notifier_from(settings: Settings) -> Notifier | None:
    if settings.notifier == "mailbox":
        return MailboxNotifier(settings.effective_mailbox_dir)
    return None
