"""The outbox worker keeps no transaction open while messages travel, claims what it sends, and sends a batch at
once; on the real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from outbox_rigs import OutboxRig, outbox_rig
from sqlalchemy import text

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


async def test_a_message_that_cannot_be_composed_fails_alone_and_the_rest_of_its_batch_is_sent(rig: OutboxRig) -> None:
    for number in range(3):
        await rig.store_parcel(Recipient(phone=f"+4860010030{number}"), tracking_number=f"TN-MIXED-{number}")
    async with rig.server.engine.begin() as connection:  # its sealed code no longer opens with the server's key
        await connection.execute(
            text(
                "UPDATE notifications SET sealed_payload = 'not-sealed' WHERE shipment_id ="
                " (SELECT id FROM shipments WHERE tracking_number = 'TN-MIXED-1')"
            )
        )
    probe = ProbingNotifier(rig)
    worker = OutboxWorker(rig.server.services, probe, library=rig.worker.library)

    assert await worker.send_due() == 3

    assert sorted(message.tracking_number for message in probe.sent) == ["TN-MIXED-0", "TN-MIXED-2"]
    assert all(message.locker_id == rig.locker_id for message in probe.sent)
    async with rig.server.engine.connect() as connection:
        failed = (await connection.execute(text("SELECT attempts, sent_at, last_error FROM notifications"
                                                 " WHERE sealed_payload = 'not-sealed'"))).one()  # fmt: skip
    assert failed.attempts == 1 and failed.sent_at is None and failed.last_error
    rig.clock.advance(timedelta(days=1))
    assert await worker.send_due() == 1  # tried again later; the two sent ones never again
    assert len(probe.sent) == 2


async def test_senders_claiming_at_once_take_different_messages_and_a_claim_outlives_its_unit_of_work(
    rig: OutboxRig,
) -> None:
    """On PostgreSQL a claim is one statement committed by itself; on SQLite it waits for the write lock. Either
    way two senders never take the same message, and a sender that fails after claiming leaves its claim to lapse
    rather than offering the message again at once."""
    for number in range(6):
        await rig.store_parcel(Recipient(phone=f"+4860010030{number}"), tracking_number=f"TN-CLAIM-{number}")
    now, until = rig.clock.now(), rig.clock.now() + rig.worker.claim_for

    async def claim(limit: int) -> list[str]:
        async with SqlUnitOfWork(rig.server.engine) as uow:
            claimed = await uow.outbox.claim_due(limit, now, until)
            await uow.commit()
        return [notification.id for notification in claimed]

    first, second = await asyncio.gather(claim(4), claim(4))
    assert len(first) + len(second) == 6 and not set(first) & set(second)

    await rig.store_parcel(Recipient(phone="+48600100399"), tracking_number="TN-CLAIM-LATE")
    with pytest.raises(RuntimeError):
        async with SqlUnitOfWork(rig.server.engine) as uow:
            [late] = await uow.outbox.claim_due(10, now, until)
            raise RuntimeError("the sender failed before it sent")  # its unit of work rolls back
    async with SqlUnitOfWork(rig.server.engine) as uow:
        offered_now = await uow.outbox.pending(10, now)
        offered_after = await uow.outbox.pending(10, until)
    if rig.server.engine.dialect.name == "postgresql":  # the claim was a statement of its own, committed
        assert offered_now == []
        assert {n.id for n in offered_after} == {*first, *second, late.id}  # every claim lapses at `until`
    else:  # SQLite: the claim was part of the unit of work, rolled back with it
        assert [n.id for n in offered_now] == [late.id]
