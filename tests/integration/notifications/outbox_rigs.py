"""The outbox worker in this process on a real database, with a clock the test moves, and an SMS gateway stand-in
(aiohttp on 127.0.0.1) that answers as the test says."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from aiohttp import web

from parcellocker.adapters.notifications.worker import OutboxWorker
from parcellocker.bootstrap import Server, bootstrap, notifier_from, template_library_from
from parcellocker.config import Settings
from parcellocker.domain.accounts import Principal, Role
from parcellocker.domain.compartment import DoorState
from parcellocker.domain.shipment import Recipient
from parcellocker.domain.sizes import ParcelSpec, Size
from parcellocker.sample_site import SampleSite, seed_sample_site
from parcellocker.service.accounts import Authenticate, authenticate
from parcellocker.service.deposits import DepositParcel, deposit_parcel
from parcellocker.service.door_events import ReportDoor, report_door
from parcellocker.service.ports import Clock
from parcellocker.service.shipments import AnnounceShipment, announce_shipment

T = TypeVar("T")


def same(value: T) -> T:
    return value


class MovableClock(Clock):
    def __init__(self) -> None:
        self._now = datetime(2026, 11, 25, 13, 30, tzinfo=UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, by: timedelta) -> None:
        self._now += by


@dataclass(frozen=True, slots=True)
class GatewayRequest:
    headers: dict[str, str]
    body: Any


@dataclass
class SmsGatewayStandIn:
    """Answers each POST with the next status of `answers` (200 once they run out), after `delay` seconds."""

    answers: list[int] = field(default_factory=list)
    delay: float = 0.0
    received: list[GatewayRequest] = field(default_factory=list)
    _runner: web.AppRunner | None = None
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1/sms?api_key=in-the-query-too"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/v1/sms", self._receive)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _receive(self, request: web.Request) -> web.Response:
        self.received.append(GatewayRequest(dict(request.headers), await request.json()))
        if self.delay:
            await asyncio.sleep(self.delay)
        status = self.answers.pop(0) if self.answers else 200
        return web.json_response({"accepted": status < 300}, status=status)


@dataclass
class OutboxRig:
    """A seeded site whose notifications the test sends by calling `worker.send_due()`."""

    server: Server
    site: SampleSite
    worker: OutboxWorker
    clock: MovableClock
    carrier: Principal
    terminal: Principal
    courier: Principal
    seq: int = 0

    @property
    def locker_id(self) -> str:
        return self.site.lockers[0].id

    async def store_parcel(self, recipient: Recipient, tracking_number: str = "TN-SMS-1") -> int:
        """Announce, deposit and close the door: the parcel is stored and its notifications queued. Its door."""
        services = self.server.services
        command = AnnounceShipment(self.carrier, tracking_number, self.locker_id, ParcelSpec(Size.S), recipient)
        await services.run(announce_shipment, command, same)
        opened = await services.run(deposit_parcel, DepositParcel(self.courier, self.locker_id, tracking_number), same)
        number = opened.compartment.number
        for door in (DoorState.OPEN, DoorState.CLOSED):
            await self.door(number, door)
        return number

    async def door(self, number: int, door: DoorState) -> str:
        self.seq += 1
        applied = await self.server.services.run(
            report_door, ReportDoor(self.terminal, self.locker_id, number, door, self.seq), same
        )
        return applied.outcome

    async def close(self) -> None:
        await self.worker.notifier.close()
        await self.server.close()


async def outbox_rig(database_url: str, var_dir: Path, **settings: Any) -> OutboxRig:
    """The rig on `database_url`, its notifiers and templates chosen by `settings` as the server would."""
    chosen = Settings(database_url=database_url, var_dir=var_dir, **settings)
    clock = MovableClock()
    server = bootstrap(chosen, clock=clock)
    site = await seed_sample_site(server.services, lockers=1)
    carrier = await server.services.read(authenticate, Authenticate(site.carrier_key))
    terminal = await server.services.read(authenticate, Authenticate(site.lockers[0].terminal_key))
    courier = Principal(Role.COURIER, site.courier_id, site.carrier_id)
    notifier = notifier_from(chosen)
    assert notifier is not None
    worker = OutboxWorker(server.services, notifier, library=template_library_from(chosen))
    return OutboxRig(server, site, worker, clock, carrier, terminal, courier)
