"""The outbox sender: every event reaches the server in order, once acknowledged it leaves the outbox, nothing is
dropped while the server cannot be reached."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from terminal_fakes import NOW, FakeLink

from parcellocker.terminal.link.health import LinkHealth
from parcellocker.terminal.link.port import EventKind, EventReceipt, LinkDown, LinkRefused, OutboxEvent
from parcellocker.terminal.sender import OutboxSender
from parcellocker.terminal.store import TerminalStore


def queue(store: TerminalStore, *numbers: int) -> list[OutboxEvent]:
    return [store.outbox.append(EventKind.DOOR, NOW, {"compartment": n, "state": "open"}) for n in numbers]


def sender_of(
    store: TerminalStore, link: FakeLink, on_receipt: Callable[[OutboxEvent, EventReceipt], None] = lambda e, r: None
) -> OutboxSender:
    return OutboxSender(store, link, LinkHealth(), retry_initial=0.01, retry_max=0.02, on_receipt=on_receipt)


async def test_events_are_sent_in_order_and_leave_the_outbox_when_acknowledged(store: TerminalStore) -> None:
    link = FakeLink()
    events = queue(store, 1, 2, 3)
    assert await sender_of(store, link).send_pending() == 3
    assert link.sent == events
    assert store.outbox.pending() == []


async def test_events_wait_in_the_outbox_while_the_server_cannot_be_reached(store: TerminalStore) -> None:
    link = FakeLink()
    events = queue(store, 1, 2)
    link.down = True
    sender = sender_of(store, link)
    running = asyncio.create_task(sender.run())
    await asyncio.sleep(0.1)
    assert store.outbox.pending() == events and link.sent == []

    link.down = False
    sender.wake()
    await asyncio.sleep(0.1)
    running.cancel()
    assert link.sent == events and store.outbox.pending() == []


async def test_an_event_sent_again_after_a_lost_acknowledgement_is_acknowledged_as_a_replay(
    store: TerminalStore,
) -> None:
    link = FakeLink()
    [event] = queue(store, 1)
    link.applied.add(event.seq)  # applied before; its acknowledgement never came back
    receipts: list[EventReceipt] = []
    sender = sender_of(store, link, on_receipt=lambda _, receipt: receipts.append(receipt))
    await sender.send_pending()
    assert receipts == [EventReceipt(event.seq, "recorded", True)]
    assert store.outbox.pending() == []


async def test_event_the_server_refuses_is_set_aside_and_the_next_ones_go_on(store: TerminalStore) -> None:
    link = FakeLink()
    refused, after = queue(store, 99, 1)
    link.refuse[refused.seq] = LinkRefused(404, "not_found", "locker has no compartment 99")
    await sender_of(store, link).send_pending()
    assert link.sent == [after]
    assert store.outbox.rejected() == [refused]


async def test_a_refused_terminal_key_keeps_every_event_for_later(store: TerminalStore) -> None:
    link = FakeLink()
    [event] = queue(store, 1)
    link.refuse[event.seq] = LinkRefused(401, "not_authenticated", "unknown key")
    sender = sender_of(store, link)
    with pytest.raises(LinkRefused):
        await sender.send_pending()
    assert store.outbox.pending() == [event] and store.outbox.rejected() == []


async def test_a_new_store_numbers_its_unsent_events_after_the_servers_last_one(store: TerminalStore) -> None:
    link = FakeLink()
    link.last_seq = 700  # the locker's previous store got this far
    queue(store, 1, 2)
    await sender_of(store, link).send_pending()
    assert [event.seq for event in link.sent] == [701, 702]
    assert store.codes.qr_public_key() == link.qr_public_key


async def test_link_health_follows_what_the_sender_finds(store: TerminalStore) -> None:
    link = FakeLink()
    health = LinkHealth()
    woken: list[str] = []
    health.when_up.append(lambda: woken.append("up again"))
    sender = OutboxSender(store, link, health, retry_initial=0.01, retry_max=0.02)
    queue(store, 1)
    link.down = True
    with pytest.raises(LinkDown):
        await sender.send_pending()
    health.mark_down("connection refused")
    assert health.up is False and not health.reachable
    link.down = False
    await sender.send_pending()
    assert health.up is True and woken == ["up again"]
