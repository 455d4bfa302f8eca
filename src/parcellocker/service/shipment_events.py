"""What carriers are told of their shipments' changes: the event document (a webhook's body, an item of the event
feed), and the use cases of carriers that poll instead of receiving webhooks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from typing import Any

from parcellocker.domain.accounts import Principal, Role
from parcellocker.domain.errors import InvalidInput
from parcellocker.domain.events import Actor, ActorKind
from parcellocker.service.context import Env
from parcellocker.service.permissions import require_role
from parcellocker.service.ports import ShipmentEvent, UnitOfWork
from parcellocker.service.shipments import visible_shipment

MAX_FEED_PAGE = 500
# Whose name a carrier may see in its events: its own accounts'. Other actors are told by their kind only.
_NAMED_ACTORS = frozenset({ActorKind.CARRIER, ActorKind.COURIER})


def event_document(event: ShipmentEvent) -> dict[str, Any]:
    """The event as JSON: the body of its webhook, and (with its cursor) an item of the feed."""
    return {
        "event_id": event.event_id,
        "shipment_id": event.shipment_id,
        "tracking_number": event.tracking_number,
        "carrier_id": event.carrier_id,
        "locker_id": event.locker_id,
        "from_state": event.from_state,
        "to_state": event.to_state,
        "at": event.at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "reason": event.reason,
        "actor": told_actor(event.actor),
        "details": dict(event.details),
    }


def told_actor(actor: Actor) -> str:
    """`courier:c-17` for the carrier's own accounts; only the kind (`terminal`, `operator`, ...) for others."""
    return str(actor) if actor.kind in _NAMED_ACTORS else actor.kind.value


@dataclass(frozen=True, slots=True)
class ReadShipmentEvents:
    by: Principal
    shipment_id: str


async def read_shipment_events(cmd: ReadShipmentEvents, uow: UnitOfWork, env: Env) -> list[ShipmentEvent]:
    """Every change of one shipment, oldest first: for its carrier, or an operator."""
    require_role(cmd.by, Role.CARRIER, Role.OPERATOR)
    shipment = await visible_shipment(uow, cmd.by, cmd.shipment_id)
    return await uow.shipment_events.of_shipment(shipment.id)


@dataclass(frozen=True, slots=True)
class ReadEventFeed:
    by: Principal
    after: str | None = None
    limit: int = 100


@dataclass(frozen=True, slots=True)
class EventPage:
    events: list[ShipmentEvent]
    next_cursor: str | None  # give it as `after` next time; the same cursor again when nothing new came
    has_more: bool  # more events wait after this page: read on at once


async def read_event_feed(cmd: ReadEventFeed, uow: UnitOfWork, env: Env) -> EventPage:
    """The changes of the calling carrier's shipments after a cursor, oldest first."""
    require_role(cmd.by, Role.CARRIER)
    assert cmd.by.carrier_id is not None
    if not 1 <= cmd.limit <= MAX_FEED_PAGE:
        raise InvalidInput(f"limit is 1 to {MAX_FEED_PAGE} events")
    after = cmd.after.strip() if cmd.after is not None else None
    events = await uow.shipment_events.of_carrier(cmd.by.carrier_id, after or None, cmd.limit + 1)
    page = events[: cmd.limit]
    return EventPage(page, page[-1].cursor if page else after or None, len(events) > cmd.limit)
