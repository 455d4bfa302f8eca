"""Webhooks and shipment changes for the database tests of the webhook outbox and the event feed."""

from __future__ import annotations

from datetime import datetime

from db_samples import START, a_shipment, add_locker_and_carrier, announce
from sqlalchemy.ext.asyncio import AsyncEngine

from parcellocker.adapters.db.unit_of_work import SqlUnitOfWork
from parcellocker.domain.accounts import Carrier
from parcellocker.domain.events import Actor, ActorKind
from parcellocker.domain.shipment import Shipment
from parcellocker.domain.webhooks import WebhookEndpoint

CARRIER_ACTOR = Actor(ActorKind.CARRIER, "carrier-1")


async def add_webhook(engine: AsyncEngine, carrier_id: str = "carrier-1", url: str = "http://127.0.0.1:9/hook") -> None:
    async with SqlUnitOfWork(engine) as uow:
        await uow.webhook_endpoints.put(WebhookEndpoint(carrier_id, url, START, START), "sealed-secret")
        await uow.commit()


async def add_carrier(engine: AsyncEngine, carrier_id: str) -> None:
    async with SqlUnitOfWork(engine) as uow:
        await uow.accounts.add_carrier(Carrier(carrier_id, f"Carrier {carrier_id}"))
        await uow.commit()


async def site_with_webhook(engine: AsyncEngine) -> None:
    """Locker L-1, carrier-1 with a webhook, carrier-2 without one."""
    await add_locker_and_carrier(engine)
    await add_carrier(engine, "carrier-2")
    await add_webhook(engine)


async def announced(engine: AsyncEngine, tracking_number: str, carrier_id: str = "carrier-1") -> Shipment:
    shipment = a_shipment(tracking_number, carrier_id=carrier_id)
    await announce(engine, shipment)
    return shipment


async def cancel(engine: AsyncEngine, shipment_id: str, at: datetime = START) -> None:
    async with SqlUnitOfWork(engine) as uow:
        shipment = await uow.shipments.get(shipment_id)
        assert shipment is not None
        shipment.cancel(at, CARRIER_ACTOR)
        await uow.shipments.save(shipment)
        await uow.commit()
