"""Shipments' changes as carriers read them: a webhook's body is one ShipmentEventPublic without its cursor."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from parcellocker.service.ports import ShipmentEvent
from parcellocker.service.shipment_events import EventPage, event_document


class ShipmentEventPublic(BaseModel):
    event_id: str = Field(description="Unique per change: the same in its webhook and in the feed; de-duplicate on it.")
    shipment_id: str
    tracking_number: str
    carrier_id: str
    locker_id: str
    from_state: str | None = Field(description="null for the announcement.", examples=["announced"])
    to_state: str = Field(examples=["stored"])
    at: datetime = Field(description="When it happened (UTC).")
    reason: str = Field(examples=["door closed on the parcel"])
    actor: str = Field(
        description="Who did it: `carrier:<id>` or `courier:<id>` for the carrier's own accounts, otherwise only "
        "the kind (`terminal`, `operator`, `recipient`, `system`).",
        examples=["courier:courier-7"],
    )
    details: dict[str, str] = Field(description="More about it, e.g. `to_locker_id` of a redirection.")
    cursor: str | None = Field(
        default=None, description="In the feed: give it as `after` to read on from this event.", examples=["0-42"]
    )


class EventFeedPublic(BaseModel):
    events: list[ShipmentEventPublic]
    next_cursor: str | None = Field(
        description="Give it as `after` next time (the same as you gave when nothing new came; null only when "
        "there has been no event at all).",
        examples=["0-42"],
    )
    has_more: bool = Field(description="More events wait: read on at once rather than after your polling interval.")


def event_public(event: ShipmentEvent) -> dict[str, Any]:
    """A ShipmentEventPublic: the event's document (a webhook's body), with its cursor."""
    return {**event_document(event), "cursor": event.cursor}


def feed_public(page: EventPage) -> dict[str, Any]:
    """An EventFeedPublic."""
    return {"events": [event_public(event) for event in page.events], "next_cursor": page.next_cursor,
            "has_more": page.has_more}  # fmt: skip
