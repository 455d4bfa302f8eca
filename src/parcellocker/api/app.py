"""The FastAPI application of the management server, built around a bootstrapped Server."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from parcellocker.adapters.mqtt.bridge import TerminalBridge
from parcellocker.adapters.mqtt.requests import TerminalRequests
from parcellocker.adapters.mqtt.topics import BrokerAddress
from parcellocker.adapters.notifications.port import Notifier
from parcellocker.adapters.notifications.worker import OutboxWorker
from parcellocker.adapters.rentals.sweeper import RentalSweeper
from parcellocker.adapters.webhooks.sender import HttpWebhookSender, WebhookSender
from parcellocker.adapters.webhooks.worker import WebhookWorker
from parcellocker.api.authentication import Authenticator
from parcellocker.api.errors import install_error_handlers
from parcellocker.api.locked_out_door import LockedOutDoor
from parcellocker.api.metrics import ApiMetrics, RequestMetrics
from parcellocker.api.openapi import describe_shared_errors
from parcellocker.api.routes import (
    alarms,
    audit,
    carrier_shares,
    carriers,
    collecting,
    compartments,
    couriers,
    deposits,
    door_events,
    dropoffs,
    events,
    extension_links,
    health,
    locker_dropoffs,
    lockers,
    parcels_to_collect,
    payments,
    pickup_policies,
    pickups,
    rental_desk,
    rental_setup,
    rentals,
    sessions,
    shipments,
    terminal_link,
    utilisation,
    webhooks,
)
from parcellocker.api.silent_lockers import SilentLockerCheck
from parcellocker.api.terminal_sightings import TerminalSightings
from parcellocker.bootstrap import Server, notification_send_timeout, notifier_from, template_library_from
from parcellocker.dashboard import PREFIX as DASHBOARD_PREFIX
from parcellocker.dashboard.app import create_dashboard, dashboard_routes
from parcellocker.service.scheduler import LifecycleScheduler

API_PREFIX = "/api/v1"

DESCRIPTION = """\
The locker management server of **parcellocker**: lockers and their compartments, shipments announced by
carriers, deposits by couriers, pickups by code or QR token, and what the lockers' terminals report.

Authenticate with `Authorization: Bearer <credential>`: a carrier's or terminal's API key, or the session token
of a signed-in courier or operator (`POST /api/v1/sessions/...`). Every mutating call takes an `Idempotency-Key`
header: the same key with the same request returns the first answer and changes nothing.

Errors are always `{"error": {"code": "...", "message": "..."}}` with the HTTP status saying what kind.
"""


API_MODULES = (
    # A parcel's lifecycle first, its most frequent request (the door event, twice per parcel) first of all: a
    # request is matched against the routes in this order, a few µs per route passed over (FastAPI's router), and
    # these make nearly all of a busy server's requests. No path of one module is also a path of another, so the
    # order changes nothing else (tests/unit/api/test_route_order.py).
    door_events,
    deposits,
    pickups,
    shipments,
    lockers,
    compartments,
    terminal_link,
    sessions,
    carriers,
    couriers,
    alarms,
    audit,
    collecting,
    pickup_policies,
    parcels_to_collect,
    utilisation,
    carrier_shares,
    dropoffs,
    locker_dropoffs,
    rental_setup,
    rental_desk,
    rentals,
    payments,
    webhooks,
    events,
)
"""The modules whose routers make the API under API_PREFIX."""


def create_app(
    server: Server,
    notifier: Notifier | None = None,
    webhook_sender: WebhookSender | None = None,
    *,
    own_process: bool = False,
) -> FastAPI:
    """The app for `server`; its notifications go to `notifier` (by default the one the settings name), carriers'
    webhooks through `webhook_sender` (by default over HTTP). `own_process`: the app is all its process serves (a
    server worker, not a test), so its garbage collector is tuned for serving (`tune_garbage_collector`)."""
    settings = server.settings
    notifier = notifier or notifier_from(settings)
    worker = None
    if notifier is not None:
        library, send_timeout = template_library_from(settings), notification_send_timeout(settings)
        worker = OutboxWorker(server.services, notifier, library=library, send_timeout=send_timeout)
    scheduler = _scheduler_from(server, worker)
    webhook_worker = _webhook_worker_for(server, webhook_sender)
    authenticator = Authenticator(server.services)
    command_bell = terminal_link.CommandBell()
    silent_locker_check = SilentLockerCheck(server.services)
    bridge = _mqtt_bridge_from(server, authenticator)
    sweeper = RentalSweeper(server.services, settings.rental_sweep_seconds)
    if bridge is not None:
        command_bell.listeners.append(bridge.command_queued)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if worker is not None:
            worker.start()
        webhook_worker.start()
        if scheduler is not None:
            scheduler.start()
        if bridge is not None:
            bridge.start()
        silent_locker_check.start()
        sweeper.start()
        if own_process:
            tune_garbage_collector()
        try:
            yield
        finally:
            await sweeper.stop()
            await silent_locker_check.stop()
            if bridge is not None:
                await bridge.stop()
            if scheduler is not None:
                await scheduler.stop()
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
    app.state.scheduler = scheduler
    app.state.command_bell = command_bell
    app.state.terminal_sightings = TerminalSightings(server.services)
    app.state.silent_locker_check = silent_locker_check
    app.state.mqtt_bridge = bridge
    # Innermost of the middlewares (each one added goes outside the others): inside the error handling and the metrics.
    code_tries = [(API_PREFIX, route) for module in API_MODULES for route in module.router.routes]
    app.add_middleware(LockedOutDoor, routes=code_tries, env=server.services.env, authenticator=authenticator,
                       sightings=app.state.terminal_sightings)  # fmt: skip
    install_error_handlers(app)
    metrics = ApiMetrics()
    app.add_middleware(RequestMetrics, metrics=metrics)

    for module in API_MODULES:
        app.include_router(module.router, prefix=API_PREFIX)
        metrics.name_routes(API_PREFIX, module.router.routes)
    app.include_router(health.router)
    app.include_router(extension_links.router)
    app.include_router(metrics.router())
    dashboard = create_dashboard(server.services, authenticator.principal, command_bell.ring)
    metrics.name_routes(DASHBOARD_PREFIX, dashboard_routes())
    app.mount(DASHBOARD_PREFIX, dashboard)
    describe_shared_errors(app)
    return app


YOUNG_OBJECTS_BEFORE_A_COLLECTION = 20_000
"""Net new container objects that start a collection of the youngest generation (Python's default: 700). A request
frees nearly all it builds by reference counting; at 700 a busy worker still ran ~25 young collections a second,
and every tenth reached the middle generation: ~4.5 % of its CPU in all, against well under 1 % now, for a few MB
of cyclic garbage left a little longer (docs/PERFORMANCE.md)."""


def tune_garbage_collector() -> None:
    """For a server worker: leave what start-up built (modules, the app, its routes and schemas, ~175,000 objects)
    out of the collector's full collections, where scanning it again and again cost ~200 ms of CPU each, a pause
    every few seconds under load (~20 ms without it); and collect the young generation less often."""
    gc.collect()
    gc.freeze()
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_OBJECTS_BEFORE_A_COLLECTION, max(middle, 20), max(oldest, 20))


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


def _scheduler_from(server: Server, worker: OutboxWorker | None) -> LifecycleScheduler | None:
    """Reminders, expiry and erasure, unless PARCELLOCKER_SCHEDULER_ENABLED=false (another process runs them)."""
    settings = server.settings
    if not settings.scheduler_enabled:
        return None
    wake = worker.wake if worker is not None else None
    return LifecycleScheduler(server.services, interval=settings.scheduler_interval_seconds, queued=wake)
