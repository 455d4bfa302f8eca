"""The event feed on SQLite and PostgreSQL: a carrier's changes only, read on from a cursor, none ever skipped.

On PostgreSQL a change is listed once every transaction older than it has ended, in any database of the server:
while other tests create and drop databases, that can take a moment, so the reads here wait for what they expect.
"""

from __future__ import annotations

import asyncio
import time

import pytest
from db_samples import START, a_shipment
from sqlalchemy.ext.asyncio import AsyncEngine
from webhook_samples import announced, cancel, site_with_webhook

from parcellocker.adapters.db.unit_of_work import SqlUnitOfWork
from parcellocker.domain.errors import InvalidInput
from parcellocker.service.ports import ShipmentEvent


async def feed(
    engine: AsyncEngine, carrier_id: str = "carrier-1", after: str | None = None, count: int = 0
) -> list[ShipmentEvent]:
    """The feed, read again until it lists at least `count` events (or 10 s have passed)."""
    deadline = time.monotonic() + 10
    while True:
        async with SqlUnitOfWork(engine, read_only=True) as uow:
            events = await uow.shipment_events.of_carrier(carrier_id, after, 100)
        if len(events) >= count or time.monotonic() > deadline:
            return events
        await asyncio.sleep(0.02)


def told(events: list[ShipmentEvent]) -> list[tuple[str, str]]:
    return [(event.tracking_number, event.to_state) for event in events]


async def test_the_feed_lists_only_the_carriers_changes_in_order_and_reads_on_from_a_cursor(
    engine: AsyncEngine,
) -> None:
    await site_with_webhook(engine)
    first = await announced(engine, "TN-1")
    await announced(engine, "TN-X", carrier_id="carrier-2")
    await cancel(engine, first.id)

    events = await feed(engine, count=2)
    assert told(events) == [("TN-1", "announced"), ("TN-1", "cancelled")]
    assert told(await feed(engine, "carrier-2", count=1)) == [("TN-X", "announced")]
    assert events[1].from_state == "announced" and events[1].at == START and events[1].carrier_id == "carrier-1"

    await announced(engine, "TN-2")
    assert told(await feed(engine, after=events[-1].cursor, count=1)) == [("TN-2", "announced")]
    read_on = await feed(engine, after=events[0].cursor, count=2)
    assert told(read_on) == [("TN-1", "cancelled"), ("TN-2", "announced")]
    assert read_on[0].event_id == events[1].event_id


async def test_a_shipments_events_are_its_changes_oldest_first(engine: AsyncEngine) -> None:
    await site_with_webhook(engine)
    shipment = await announced(engine, "TN-1")
    await cancel(engine, shipment.id)
    async with SqlUnitOfWork(engine, read_only=True) as uow:
        events = await uow.shipment_events.of_shipment(shipment.id)
        assert await uow.shipment_events.of_shipment("no-such-shipment") == []
    assert [(e.from_state, e.to_state) for e in events] == [(None, "announced"), ("announced", "cancelled")]
    assert len({e.event_id for e in events}) == 2


@pytest.mark.parametrize("cursor", ["", "12", "a-1", "1-2-3", "-1-5", "99999999999999999999-1"])
async def test_a_cursor_the_feed_did_not_give_is_refused(engine: AsyncEngine, cursor: str) -> None:
    await site_with_webhook(engine)
    with pytest.raises(InvalidInput, match="not a cursor this feed gave"):
        await feed(engine, after=cursor)


@pytest.mark.postgres
@pytest.mark.parametrize("database_kind", ["postgres"], indirect=True)
async def test_a_change_committed_late_is_listed_after_the_cursor_not_skipped(engine: AsyncEngine) -> None:
    await site_with_webhook(engine)
    before = await feed(engine)
    assert before == []
    async with SqlUnitOfWork(engine) as slow:
        await slow.shipments.add(a_shipment("TN-SLOW"))
        await slow.shipments.by_tracking_number("carrier-1", "TN-SLOW")  # its insert went out: its transaction runs
        await announced(engine, "TN-FAST")  # begun later, committed first

        assert await feed(engine) == []  # TN-FAST waits behind the transaction still running
        await slow.commit()

    events = await feed(engine, count=2)
    assert told(events) == [("TN-SLOW", "announced"), ("TN-FAST", "announced")]
