"""Shipments' changes for carriers that poll: one shipment's, and the carrier's feed read on from a cursor."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from parcellocker.api.deps import PrincipalDep, ServicesDep
from parcellocker.api.routes.shipments import ShipmentId
from parcellocker.api.schemas.errors import error_responses
from parcellocker.api.schemas.events import EventFeedPublic, ShipmentEventPublic, event_public, feed_public
from parcellocker.service.shipment_events import (
    MAX_FEED_PAGE,
    ReadEventFeed,
    ReadShipmentEvents,
    read_event_feed,
    read_shipment_events,
)

router = APIRouter(tags=["events"])


@router.get(
    "/shipments/{shipment_id}/events",
    response_model=list[ShipmentEventPublic],
    responses=error_responses(401, 403, 404),
    summary="Every change of a shipment, oldest first (its carrier, operator)",
)
async def read_shipment_events_route(shipment_id: ShipmentId, services: ServicesDep, principal: PrincipalDep) -> Any:
    events = await services.read(read_shipment_events, ReadShipmentEvents(principal, shipment_id))
    return [event_public(event) for event in events]


@router.get(
    "/events",
    response_model=EventFeedPublic,
    responses=error_responses(401, 403, 422),
    summary="The changes of the carrier's shipments after a cursor (carrier)",
)
async def read_events(
    services: ServicesDep,
    principal: PrincipalDep,
    after: Annotated[
        str | None,
        Query(max_length=64, description="The `next_cursor` of the previous reply; leave out to read from the first."),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_FEED_PAGE, description="Events at most in this reply.")] = 100,
) -> Any:
    """The same events as the webhooks (same `event_id`s), in the order they were committed. A change is listed
    a moment after it is committed (once every transaction before it is settled), so reading on from
    `next_cursor` never skips one."""
    page = await services.read(read_event_feed, ReadEventFeed(principal, after, limit))
    return feed_public(page)
