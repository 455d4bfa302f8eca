"""A carrier's webhook through the use cases: registered with a secret shown once, seen, changed, removed; and
what a carrier may read of its shipments' changes."""

from __future__ import annotations

import json

import pytest

from parcellocker.domain.errors import Forbidden, InvalidInput, NotFound
from parcellocker.service.context import Policy
from parcellocker.service.shipment_events import (
    ReadEventFeed,
    ReadShipmentEvents,
    read_event_feed,
    read_shipment_events,
)
from parcellocker.service.shipments import CancelShipment, cancel_shipment
from parcellocker.service.webhooks import (
    GetWebhook,
    RemoveWebhook,
    SetWebhook,
    get_webhook,
    remove_webhook,
    set_webhook,
    unseal_secret,
)

from .world import Template, World

URL = "https://hooks.fast.example/parcellocker"


async def test_a_new_webhook_gets_a_secret_shown_once_and_kept_only_sealed(world: World) -> None:
    carrier = world.cast.carrier
    registered = await world.run(set_webhook, SetWebhook(carrier, "fast", URL))

    assert registered.secret is not None and registered.secret.startswith("whsec_")
    endpoint, sealed = world.db.webhooks["fast"]
    assert (endpoint.url, endpoint.created_at) == (URL, world.clock.now())
    assert registered.secret not in sealed and unseal_secret(world.env, sealed) == registered.secret
    assert "webhook.set" in world.audit_actions()
    assert registered.secret not in json.dumps([entry.record.details for entry in world.db.audit])


async def test_changing_the_url_keeps_the_secret_unless_a_new_one_is_asked_for(world: World) -> None:
    carrier = world.cast.carrier
    first = await world.run(set_webhook, SetWebhook(carrier, "fast", URL))
    moved = await world.run(set_webhook, SetWebhook(carrier, "fast", "https://new.fast.example/in"))
    assert moved.secret is None
    assert unseal_secret(world.env, world.db.webhooks["fast"][1]) == first.secret
    assert moved.endpoint.created_at == first.endpoint.created_at

    renewed = await world.run(set_webhook, SetWebhook(carrier, "fast", "https://new.fast.example/in", new_secret=True))
    assert renewed.secret not in (None, first.secret)
    assert unseal_secret(world.env, world.db.webhooks["fast"][1]) == renewed.secret


async def test_a_carrier_manages_only_its_own_webhook_and_an_operator_any(world: World) -> None:
    with pytest.raises(Forbidden, match="only its own webhook"):
        await world.run(set_webhook, SetWebhook(world.cast.other_carrier, "fast", URL))
    for someone in (world.cast.courier, world.cast.terminal):
        with pytest.raises(Forbidden):
            await world.run(set_webhook, SetWebhook(someone, "fast", URL))
    await world.run(set_webhook, SetWebhook(world.cast.operator, "slow", URL))
    with pytest.raises(NotFound, match="no carrier nobody"):
        await world.run(set_webhook, SetWebhook(world.cast.operator, "nobody", URL))
    assert set(world.db.webhooks) == {"slow"}


async def test_a_webhook_on_a_private_address_is_refused_where_the_policy_says_so(template: Template) -> None:
    world = template.world(Policy(webhooks_to_private_addresses=False))
    with pytest.raises(InvalidInput, match="local or private address"):
        await world.run(set_webhook, SetWebhook(world.cast.carrier, "fast", "http://10.0.0.5/hook"))
    await world.run(set_webhook, SetWebhook(world.cast.carrier, "fast", URL))


async def test_a_carriers_changes_queue_deliveries_that_the_webhook_shows_as_waiting(world: World) -> None:
    carrier = world.cast.carrier
    await world.run(set_webhook, SetWebhook(carrier, "fast", URL))
    shipment = await world.announce("TN-1")
    await world.run(cancel_shipment, CancelShipment(carrier, shipment.id))
    await world.announce("TN-OTHER", by=world.cast.other_carrier)  # no webhook: nothing queued for it

    shown = await world.run(get_webhook, GetWebhook(carrier, "fast"))

    assert (shown.endpoint.url, shown.backlog.waiting, shown.backlog.last_error) == (URL, 2, None)
    bodies = [json.loads(d.body) for d in world.db.webhook_deliveries.values()]
    assert [(b["tracking_number"], b["from_state"], b["to_state"]) for b in bodies] == [
        ("TN-1", None, "announced"),
        ("TN-1", "announced", "cancelled"),
    ]


async def test_removing_the_webhook_gives_up_what_waits_and_queues_nothing_more(world: World) -> None:
    carrier = world.cast.carrier
    await world.run(set_webhook, SetWebhook(carrier, "fast", URL))
    await world.announce("TN-1")
    assert await world.run(remove_webhook, RemoveWebhook(carrier, "fast")) == 1
    await world.announce("TN-2")

    assert "fast" not in world.db.webhooks and len(world.db.webhook_deliveries) == 1
    with pytest.raises(NotFound, match="has no webhook"):
        await world.run(get_webhook, GetWebhook(carrier, "fast"))
    with pytest.raises(NotFound, match="has no webhook"):
        await world.run(remove_webhook, RemoveWebhook(carrier, "fast"))
    assert "webhook.removed" in world.audit_actions()


async def test_a_carrier_reads_its_own_shipments_changes_and_never_another_carriers(world: World) -> None:
    mine = await world.announce("TN-1")
    theirs = await world.announce("TN-2", by=world.cast.other_carrier)
    await world.run(cancel_shipment, CancelShipment(world.cast.carrier, mine.id))

    events = await world.run(read_shipment_events, ReadShipmentEvents(world.cast.carrier, mine.id))
    assert [(e.from_state, e.to_state) for e in events] == [(None, "announced"), ("announced", "cancelled")]
    with pytest.raises(NotFound):
        await world.run(read_shipment_events, ReadShipmentEvents(world.cast.carrier, theirs.id))
    for someone in (world.cast.courier, world.cast.terminal):
        with pytest.raises(Forbidden):
            await world.run(read_shipment_events, ReadShipmentEvents(someone, mine.id))
    assert len(await world.run(read_shipment_events, ReadShipmentEvents(world.cast.operator, theirs.id))) == 1

    page = await world.run(read_event_feed, ReadEventFeed(world.cast.carrier))
    assert {e.shipment_id for e in page.events} == {mine.id} and len(page.events) == 2
    other_page = await world.run(read_event_feed, ReadEventFeed(world.cast.other_carrier))
    assert [e.shipment_id for e in other_page.events] == [theirs.id]


async def test_the_feed_reads_on_from_its_cursor_a_page_at_a_time(world: World) -> None:
    for number in range(5):
        await world.announce(f"TN-{number}")
    first = await world.run(read_event_feed, ReadEventFeed(world.cast.carrier, limit=3))
    rest = await world.run(read_event_feed, ReadEventFeed(world.cast.carrier, first.next_cursor, limit=3))
    after = await world.run(read_event_feed, ReadEventFeed(world.cast.carrier, rest.next_cursor))

    assert [e.tracking_number for e in first.events + rest.events] == [f"TN-{n}" for n in range(5)]
    assert (first.has_more, rest.has_more) == (True, False)
    assert (after.events, after.next_cursor, after.has_more) == ([], rest.next_cursor, False)


async def test_the_feed_is_for_carriers_and_its_page_has_bounds(world: World) -> None:
    with pytest.raises(Forbidden):
        await world.run(read_event_feed, ReadEventFeed(world.cast.operator))
    for limit in (0, 501):
        with pytest.raises(InvalidInput, match="1 to 500"):
            await world.run(read_event_feed, ReadEventFeed(world.cast.carrier, limit=limit))
    empty = await world.run(read_event_feed, ReadEventFeed(world.cast.carrier))
    assert (empty.events, empty.next_cursor) == ([], None)
