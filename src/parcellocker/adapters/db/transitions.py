"""Keeping every recorded transition of shipments and compartments, and queueing the webhooks of shipments'."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select

from parcellocker.adapters.db.tables import compartments, transitions
from parcellocker.adapters.db.transaction import Transaction
from parcellocker.adapters.db.webhook_deliveries import WebhookDeliveryWriter
from parcellocker.adapters.db.writes import Write
from parcellocker.domain.events import Actor, Transition
from parcellocker.domain.shipment import Shipment
from parcellocker.service.ports import TransitionHistory

_ADD = insert(transitions)
_OF_SUBJECT = (
    select(transitions)
    .where(transitions.c.subject == bindparam("subject"), transitions.c.subject_id == bindparam("subject_id"))
    .order_by(transitions.c.id)
)
# The newest `newest` of one subject (the compartment card, a pickup's look back), newest first: read backwards
# along the index on (subject, subject_id, at, id), stopping after `newest` rows, however long the history.
_NEWEST_OF_SUBJECT = (
    select(transitions)
    .where(transitions.c.subject == bindparam("subject"), transitions.c.subject_id == bindparam("subject_id"))
    .order_by(transitions.c.at.desc(), transitions.c.id.desc())
    .limit(bindparam("newest"))
)
# A locker's compartments' transitions in a window (utilisation): for each compartment of the locker, the range of
# the index on (subject, subject_id, at, id) from `since` on. Written as IN (its compartments) rather than a join,
# so that SQLite too starts from the locker's compartments instead of walking every compartment transition.
_OF_LOCKER_COMPARTMENTS_SINCE = (
    select(transitions)
    .where(
        transitions.c.subject == bindparam("subject"),
        transitions.c.subject_id.in_(
            select(compartments.c.id).where(compartments.c.locker_id == bindparam("locker_id"))
        ),
        transitions.c.at >= bindparam("since"),
    )
    .order_by(transitions.c.at, transitions.c.id)
)


class TransitionLog:
    """Transitions taken from saved aggregates, written in one statement when the unit of work commits; with
    `deliveries`, a shipment's transitions queue its carrier's webhooks too, written in that same statement."""

    def __init__(self, tx: Transaction, deliveries: WebhookDeliveryWriter | None = None) -> None:
        self._tx = tx
        self._deliveries = deliveries
        self._queued: list[dict[str, Any]] = []

    def take(self, events: list[Transition], shipment: Shipment | None = None) -> None:
        """Queue the transitions an aggregate recorded and clear its list, so each is kept exactly once. A
        shipment's are told to its carrier: pass the shipment, as saved (its version moved on)."""
        carrier_id = shipment.carrier_id if shipment is not None else None
        deliveries = self._deliveries
        tell = shipment is not None and deliveries is not None and deliveries.wanted_for(shipment.carrier_id)
        for position, event in enumerate(events):
            event_id = str(uuid.uuid4())
            self._queued.append(_values(event, event_id, carrier_id))
            if tell:
                assert shipment is not None and deliveries is not None
                deliveries.queue(shipment, event, event_id, position)
        events.clear()

    async def write_queued(self) -> int:
        """Write the queued transitions, then their webhook deliveries; returns how many deliveries were offered."""
        if self._queued:
            await self._tx.write(Write(_ADD, self._queued))
            self._queued = []
        return await self._deliveries.write_queued() if self._deliveries is not None else 0

    def discard_queued(self) -> None:
        self._queued = []
        if self._deliveries is not None:
            self._deliveries.discard_queued()


class SqlTransitionHistory(TransitionHistory):
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    async def of_subject(self, subject: str, subject_id: str, *, newest: int | None = None) -> list[Transition]:
        if newest is None:
            return await transitions_of(self._tx, subject, subject_id)
        parameters = {"subject": subject, "subject_id": subject_id, "newest": newest}
        rows = await self._tx.execute(_NEWEST_OF_SUBJECT, parameters)
        return [_transition(row) for row in reversed(rows.all())]

    async def of_locker_compartments(self, locker_id: str, since: datetime) -> list[Transition]:
        parameters = {"subject": "compartment", "locker_id": locker_id, "since": since}
        return [_transition(row) for row in await self._tx.execute(_OF_LOCKER_COMPARTMENTS_SINCE, parameters)]


async def transitions_of(tx: Transaction, subject: str, subject_id: str) -> list[Transition]:
    """Every transition of one shipment or compartment, oldest first."""
    result = await tx.execute(_OF_SUBJECT, {"subject": subject, "subject_id": subject_id})
    return [_transition(row) for row in result]


def _transition(row: Any) -> Transition:
    return Transition(
        row.subject,
        row.subject_id,
        row.from_state,
        row.to_state,
        row.at,
        Actor.parse(row.actor),
        row.reason,
        dict(row.details),
    )


def _values(event: Transition, event_id: str, carrier_id: str | None) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "carrier_id": carrier_id,
        "subject": event.subject,
        "subject_id": event.subject_id,
        "from_state": None if event.from_state is None else str(event.from_state),
        "to_state": str(event.to_state),
        "at": event.at,
        "actor": str(event.actor),
        "reason": event.reason,
        "details": dict(event.details),
    }
