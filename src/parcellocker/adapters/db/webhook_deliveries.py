"""The webhook outbox on SQL: deliveries queued with the shipment changes they tell of, then claimed, attempted and
settled by the senders (adapters/webhooks/worker.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import Integer, String, Text, bindparam, exists, func, insert, literal_column, or_, select, tuple_
from sqlalchemy import update as sql_update

from parcellocker.adapters.db.tables import carrier_webhooks, webhook_deliveries
from parcellocker.adapters.db.transaction import Transaction
from parcellocker.adapters.db.types import UtcDateTime
from parcellocker.adapters.db.webhook_subscribers import WebhookSubscribers
from parcellocker.adapters.db.writes import Write
from parcellocker.domain.events import Transition
from parcellocker.domain.shipment import Shipment
from parcellocker.service.ports import ShipmentEvent, WebhookBacklog, WebhookDelivery, WebhookDeliveryQueue
from parcellocker.service.shipment_events import event_document

d, w = webhook_deliveries.c, carrier_webhooks.c
DELIVERED, ABANDONED = "delivered", "abandoned"

# Queued only if the carrier has a webhook when the change commits: the row comes from a SELECT of it, so a
# carrier without one (or whose webhook was just removed) gets none, in the same statement as the change.
_QUEUED_COLUMNS = ["event_id", "carrier_id", "shipment_id", "shipment_version", "position", "body", "created_at",
                   "next_attempt_at", "attempts"]  # fmt: skip
_QUEUE = insert(webhook_deliveries).from_select(
    _QUEUED_COLUMNS,
    select(
        bindparam("event_id", type_=String()),
        w.carrier_id,
        bindparam("shipment_id", type_=String()),
        bindparam("shipment_version", type_=Integer()),
        bindparam("position", type_=Integer()),
        bindparam("body", type_=Text()),
        bindparam("created_at", type_=UtcDateTime()),
        bindparam("next_attempt_at", type_=UtcDateTime()),
        literal_column("0"),
    ).where(w.carrier_id == bindparam("carrier_id")),
)

_earlier = webhook_deliveries.alias("earlier")
# Due, not held by a live claim, and the first of its shipment not yet made: a later event of a shipment waits
# until the ones before it are settled. FOR UPDATE SKIP LOCKED (PostgreSQL): two senders claim different rows.
_DUE = (
    select(d.id, d.event_id, d.carrier_id, d.shipment_id, d.body, d.created_at, d.attempts, w.url, w.sealed_secret)
    .select_from(webhook_deliveries.outerjoin(carrier_webhooks, w.carrier_id == d.carrier_id))
    .where(
        d.done_at.is_(None),
        d.next_attempt_at <= bindparam("now"),
        or_(d.claimed_until.is_(None), d.claimed_until <= bindparam("now")),
        ~exists().where(
            _earlier.c.shipment_id == d.shipment_id,
            _earlier.c.done_at.is_(None),
            tuple_(_earlier.c.shipment_version, _earlier.c.position) < tuple_(d.shipment_version, d.position),
        ),
    )
    .order_by(d.next_attempt_at, d.id)
    .limit(bindparam("limit"))
    .with_for_update(skip_locked=True, of=webhook_deliveries)
)
_CLAIM = (
    sql_update(webhook_deliveries)
    .where(d.id == bindparam("delivery_id"))
    .values(claim=bindparam("claim"), claimed_until=bindparam("until"))
)
_MINE = (d.id == bindparam("delivery_id"), d.claim == bindparam("match_claim"))  # a claim taken over is not ours
_DELIVERED = (
    sql_update(webhook_deliveries)
    .where(*_MINE)
    .values(done_at=bindparam("at"), outcome=DELIVERED, claim=None, claimed_until=None)
)
_RETRY_LATER = (
    sql_update(webhook_deliveries)
    .where(*_MINE)
    .values(
        attempts=d.attempts + 1,
        last_error=bindparam("error"),
        next_attempt_at=bindparam("retry_at"),
        claim=None,
        claimed_until=None,
    )
)
_GIVE_UP = (
    sql_update(webhook_deliveries)
    .where(*_MINE)
    .values(
        attempts=d.attempts + bindparam("failed", type_=Integer()),
        last_error=bindparam("error"),
        done_at=bindparam("at"),
        outcome=ABANDONED,
        claim=None,
        claimed_until=None,
    )
)
_WAITING = select(func.count(), func.min(d.created_at)).where(
    d.carrier_id == bindparam("carrier_id"), d.done_at.is_(None)
)
_LAST_ERROR = (
    select(d.last_error)
    .where(d.carrier_id == bindparam("carrier_id"), d.done_at.is_(None), d.last_error.is_not(None))
    .order_by(d.next_attempt_at.desc())
    .limit(1)
)
GIVE_UP_ALL = (
    sql_update(webhook_deliveries)
    .where(d.carrier_id == bindparam("match_carrier_id"), d.done_at.is_(None))
    .values(done_at=bindparam("at"), outcome=ABANDONED, last_error="the webhook was removed", claim=None,
            claimed_until=None)
)  # fmt: skip


class WebhookDeliveryWriter:
    """Queues a delivery for each change of a shipment whose carrier may have a webhook (see
    webhook_subscribers.py); they are written with the transitions, in the same statement (see writes.py)."""

    def __init__(self, tx: Transaction, subscribers: WebhookSubscribers | None) -> None:
        self._tx = tx
        self._subscribers = subscribers
        self._queued: list[dict[str, Any]] = []

    def wanted_for(self, carrier_id: str) -> bool:
        return self._subscribers is None or self._subscribers.may_have_webhook(carrier_id)

    def queue(self, shipment: Shipment, event: Transition, event_id: str, position: int) -> None:
        told = ShipmentEvent(
            event_id=event_id,
            shipment_id=shipment.id,
            tracking_number=shipment.tracking_number,
            locker_id=shipment.locker_id,
            carrier_id=shipment.carrier_id,
            from_state=None if event.from_state is None else str(event.from_state),
            to_state=str(event.to_state),
            at=event.at,
            actor=event.actor,
            reason=event.reason,
            details=event.details,
        )
        self._queued.append(
            {
                "event_id": event_id,
                "carrier_id": shipment.carrier_id,
                "shipment_id": shipment.id,
                "shipment_version": shipment.version,
                "position": position,
                "body": orjson.dumps(event_document(told)).decode(),
                "created_at": event.at,
                "next_attempt_at": event.at,
            }
        )

    async def write_queued(self) -> int:
        """Write the queued deliveries (each a Write of its own: one conditional INSERT per row); returns how many
        were offered."""
        queued, self._queued = self._queued, []
        for values in queued:
            await self._tx.write(Write(_QUEUE, values))
        return len(queued)

    def discard_queued(self) -> None:
        self._queued = []


class SqlWebhookDeliveries(WebhookDeliveryQueue):
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    async def claim(self, limit: int, now: datetime, until: datetime, claim: str) -> list[WebhookDelivery]:
        rows = (await self._tx.execute(_DUE, {"now": now, "limit": limit})).all()
        for row in rows:
            values = {"delivery_id": row.id, "claim": claim, "until": until}
            await self._tx.write(Write(_CLAIM, values, row=("webhook_deliveries", row.id)))
        return [WebhookDelivery(*row) for row in rows]

    async def delivered(self, delivery_id: int, claim: str, at: datetime) -> None:
        await self._settle(_DELIVERED, delivery_id, claim, {"at": at})

    async def retry_later(self, delivery_id: int, claim: str, error: str, retry_at: datetime) -> None:
        await self._settle(_RETRY_LATER, delivery_id, claim, {"error": error, "retry_at": retry_at})

    async def give_up(self, delivery_id: int, claim: str, error: str, at: datetime, *, attempted: bool) -> None:
        await self._settle(_GIVE_UP, delivery_id, claim, {"error": error, "at": at, "failed": int(attempted)})

    async def backlog(self, carrier_id: str) -> WebhookBacklog:
        waiting, oldest = (await self._tx.execute(_WAITING, {"carrier_id": carrier_id})).first() or (0, None)
        last_error = (await self._tx.execute(_LAST_ERROR, {"carrier_id": carrier_id})).scalar()
        return WebhookBacklog(int(waiting or 0), oldest, last_error)

    async def _settle(self, statement: Any, delivery_id: int, claim: str, values: dict[str, Any]) -> None:
        parameters = {"delivery_id": delivery_id, "match_claim": claim, **values}
        await self._tx.write(Write(statement, parameters, row=("webhook_deliveries", delivery_id)))
