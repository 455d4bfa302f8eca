"""The outbox worker keeps no transaction open while messages travel, claims what it sends, and sends a batch at
once; on the real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from outbox_rigs import OutboxRig, outbox_rig

from parcellocker.adapters.db.unit_of_work import SqlUnitOfWork
from parcellocker.adapters.notifications.port import Message, Notifier
from parcellocker.adapters.notifications.worker import OutboxWorker
from parcellocker.domain.shipment import Recipient


class ProbingNotifier(Notifier):
    """While each message is on its way: writes to the database, and looks at what the outbox offers others."""

    def __init__(self, rig: OutboxRig, pause: float = 0.0) -> None:
        self.rig = rig
        self.pause = pause
        self.sent: list[Message] = []
        self.offered_meanwhile: list[str] = []
        self.in_flight = self.most_in_flight = 0

    async def send(self, message: Message) -> None:
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        async with asyncio.timeout(5), SqlUnitOfWork(self.rig.server.engine) as uow:  # a writer: SQLite's lock
            offered = await uow.outbox.pending(50, self.rig.clock.now())
            self.offered_meanwhile += [notification.id for notification in offered]
            await uow.commit()
        await asyncio.sleep(self.pause)
        self.sent.append(message)
        self.in_flight -= 1


@pytest.fixture
async def rig(database_url: str, tmp_path: Path) -> AsyncIterator[OutboxRig]:
    rig = await outbox_rig(database_url, tmp_path)
    yield rig
    await rig.close()


async def test_a_message_travels_with_no_transaction_open_and_claimed_from_other_senders(rig: OutboxRig) -> None:
    await rig.store_parcel(Recipient(email="ola@example.com", phone="+48600100200"))
    probe = ProbingNotifier(rig)
    worker = OutboxWorker(rig.server.services, probe, library=rig.worker.library)

    assert await worker.send_due() == 2

    assert sorted(message.channel for message in probe.sent) == ["email", "sms"]
    assert probe.offered_meanwhile == []  # both claimed while on their way
    rig.clock.advance(timedelta(days=1))
    assert await worker.send_due() == 0  # and sent: never offered again


async def test_a_batch_travels_at_once(rig: OutboxRig) -> None:
    for number in range(4):
        await rig.store_parcel(Recipient(phone=f"+4860010020{number}"), tracking_number=f"TN-BATCH-{number}")
    probe = ProbingNotifier(rig, pause=0.3)
    worker = OutboxWorker(rig.server.services, probe, library=rig.worker.library, concurrency=3)

    assert await worker.send_due() == 4

    assert len(probe.sent) == 4 and probe.most_in_flight == 3


async def test_a_claim_lapses_so_a_sender_that_died_midway_is_replaced(rig: OutboxRig) -> None:
    await rig.store_parcel(Recipient(phone="+48600100200"))
    async with SqlUnitOfWork(rig.server.engine) as uow:  # what a worker does before it sends, then it dies
        [claimed] = await uow.outbox.pending(10, rig.clock.now())
        await uow.outbox.postpone(claimed.id, rig.clock.now() + rig.worker.claim_for)
        await uow.commit()
    probe = ProbingNotifier(rig)
    worker = OutboxWorker(rig.server.services, probe, library=rig.worker.library)

    assert await worker.send_due() == 0
    rig.clock.advance(rig.worker.claim_for)
    assert await worker.send_due() == 1
    assert [message.notification_id for message in probe.sent] == [claimed.id]
