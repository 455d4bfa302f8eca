"""Carriers' webhooks on SQL."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, delete, insert, select, update

from parcellocker.adapters.db.tables import carrier_webhooks
from parcellocker.adapters.db.transaction import Transaction
from parcellocker.adapters.db.webhook_deliveries import GIVE_UP_ALL
from parcellocker.domain.webhooks import WebhookEndpoint
from parcellocker.service.ports import WebhookEndpointRepository

w = carrier_webhooks.c
_GET = select(w.carrier_id, w.url, w.created_at, w.updated_at, w.sealed_secret).where(
    w.carrier_id == bindparam("carrier_id")
)
_ADD = insert(carrier_webhooks)
_REPLACE = update(carrier_webhooks).where(w.carrier_id == bindparam("match_carrier_id"))
_REMOVE = delete(carrier_webhooks).where(w.carrier_id == bindparam("carrier_id"))
_CARRIERS = select(w.carrier_id)


class SqlWebhookEndpoints(WebhookEndpointRepository):
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx
        self.changed: dict[str, bool] = {}  # carriers whose webhook this unit of work added (True) or removed

    async def get(self, carrier_id: str) -> tuple[WebhookEndpoint, str] | None:
        row = (await self._tx.execute(_GET, {"carrier_id": carrier_id})).first()
        if row is None:
            return None
        carrier, url, created_at, updated_at, sealed_secret = row
        return WebhookEndpoint(carrier, url, created_at, updated_at), sealed_secret

    async def put(self, endpoint: WebhookEndpoint, sealed_secret: str) -> None:
        values = {
            "url": endpoint.url,
            "sealed_secret": sealed_secret,
            "created_at": endpoint.created_at,
            "updated_at": endpoint.updated_at,
        }
        replaced = await self._tx.execute(_REPLACE, {"match_carrier_id": endpoint.carrier_id, **values})
        if replaced.rowcount == 0:
            await self._tx.execute(_ADD, {"carrier_id": endpoint.carrier_id, **values})
        self.changed[endpoint.carrier_id] = True

    async def remove(self, carrier_id: str, at: datetime) -> int:
        await self._tx.execute(_REMOVE, {"carrier_id": carrier_id})
        given_up = await self._tx.execute(GIVE_UP_ALL, {"match_carrier_id": carrier_id, "at": at})
        self.changed[carrier_id] = False
        return given_up.rowcount

    async def carriers(self) -> set[str]:
        return {row[0] for row in await self._tx.execute(_CARRIERS)}
