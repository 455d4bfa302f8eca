"""Lockouts, alarms, remembered replies (Idempotency-Keys, terminal events) and the notifications outbox."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from db_samples import START, a_shipment, add_locker_and_carrier, announce
from sqlalchemy.ext.asyncio import AsyncEngine

from parcellocker.adapters.db.unit_of_work import SqlUnitOfWork
from parcellocker.domain.alarms import Alarm, AlarmKind
from parcellocker.domain.errors import ConcurrencyConflict
from parcellocker.domain.lockout import LockoutPolicy
from parcellocker.service.ports import Notification, StoredReply


async def test_lockout_is_created_on_first_use_and_keeps_its_failures(engine: AsyncEngine) -> None:
    policy = LockoutPolicy(max_failures=2)
    async with SqlUnitOfWork(engine) as uow:
        lockout = await uow.lockouts.get("pickup:L-1")
        assert (lockout.key, lockout.failures, lockout.strikes, lockout.locked_until) == ("pickup:L-1", [], 0, None)
        lockout.record_failure(START, policy)
        await uow.lockouts.save(lockout)
        await uow.commit()
    async with SqlUnitOfWork(engine) as uow:
        lockout = await uow.lockouts.get("pickup:L-1")
        assert lockout.failures == [START]
        assert lockout.record_failure(START + timedelta(seconds=5), policy)
        await uow.lockouts.save(lockout)
        await uow.commit()
    async with SqlUnitOfWork(engine) as uow:
        lockout = await uow.lockouts.get("pickup:L-1")
        other = await uow.lockouts.get("pickup:L-2")
    assert (lockout.strikes, lockout.last_strike_at, lockout.failures) == (1, START + timedelta(seconds=5), [])
    assert lockout.locked_until == START + timedelta(seconds=5) + policy.first_delay
    assert other.strikes == 0


async def _count_failure(engine: AsyncEngine, key: str, at: datetime) -> None:
    async with SqlUnitOfWork(engine) as uow:
        lockout = await uow.lockouts.get(key)
        lockout.record_failure(at, LockoutPolicy())
        await uow.lockouts.save(lockout)
        await uow.commit()


@pytest.mark.parametrize("written_before", [False, True], ids=["new-record", "existing-record"])
async def test_a_lockout_changed_since_it_was_read_is_not_overwritten(
    engine: AsyncEngine, written_before: bool
) -> None:
    if written_before:
        await _count_failure(engine, "pickup:L-1", START)
    async with SqlUnitOfWork(engine, read_only=True) as late:
        stale = await late.lockouts.get("pickup:L-1")
        await _count_failure(engine, "pickup:L-1", START + timedelta(seconds=1))
        stale.record_failure(START + timedelta(seconds=2), LockoutPolicy())
        with pytest.raises(ConcurrencyConflict):  # on saving, or at the latest on committing
            await late.lockouts.save(stale)
            await late.commit()
    async with SqlUnitOfWork(engine) as uow:
        kept = await uow.lockouts.get("pickup:L-1")
    assert kept.failures == [START] * written_before + [START + timedelta(seconds=1)]


async def test_alarms_come_back_per_locker_oldest_first(engine: AsyncEngine) -> None:
    await add_locker_and_carrier(engine)
    later = Alarm("a-2", "L-1", AlarmKind.LOCKOUT, START + timedelta(minutes=1), "5 wrong codes")
    earlier = Alarm("a-1", "L-1", AlarmKind.FORCED_DOOR, START, "compartment 3 forced", compartment_number=3)
    async with SqlUnitOfWork(engine) as uow:
        await uow.alarms.add(later)
        await uow.alarms.add(earlier)
        await uow.commit()
    async with SqlUnitOfWork(engine) as uow:
        assert await uow.alarms.for_locker("L-1") == [earlier, later]
        assert await uow.alarms.for_locker(None) == [earlier, later]
        assert await uow.alarms.for_locker("L-2") == []


async def test_idempotency_store_gives_back_the_first_reply_and_refuses_a_second(engine: AsyncEngine) -> None:
    reply = StoredReply("f" * 64, {"id": "shp-1", "state": "announced", "compartment": {"number": 3}})
    async with SqlUnitOfWork(engine) as uow:
        assert await uow.idempotency.get("carrier:carrier-1", "key-1") is None
        await uow.idempotency.add("carrier:carrier-1", "key-1", reply, START)
        await uow.commit()
    async with SqlUnitOfWork(engine) as uow:
        assert await uow.idempotency.get("carrier:carrier-1", "key-1") == reply
        assert await uow.idempotency.get("carrier:carrier-2", "key-1") is None
        with pytest.raises(ConcurrencyConflict):
            await uow.idempotency.add("carrier:carrier-1", "key-1", StoredReply("0" * 64, None), START)
            await uow.commit()


async def test_terminal_event_log_applies_each_sequence_number_once(engine: AsyncEngine) -> None:
    await add_locker_and_carrier(engine)
    reply = {"seq": 7, "outcome": "parcel_stored", "shipment_id": None}
    async with SqlUnitOfWork(engine) as uow:
        assert await uow.terminal_events.applied("L-1", 7) is None
        await uow.terminal_events.record("L-1", 7, reply, START)
        await uow.commit()
    async with SqlUnitOfWork(engine) as uow:
        assert await uow.terminal_events.applied("L-1", 7) == reply
        assert await uow.terminal_events.applied("L-1", 8) is None
        with pytest.raises(ConcurrencyConflict):
            await uow.terminal_events.record("L-1", 7, reply, START)
            await uow.commit()


async def test_outbox_offers_due_notifications_until_sent_and_retries_failures_later(engine: AsyncEngine) -> None:
    await add_locker_and_carrier(engine)
    shipment = a_shipment("TN-1")
    await announce(engine, shipment)
    email = Notification("n-1", shipment.id, "email", "ada@example.org", "parcel_stored", "pl", "sealed", START)
    sms = Notification("n-2", shipment.id, "sms", "+48600700800", "parcel_stored", "pl", "sealed", START)
    async with SqlUnitOfWork(engine) as uow:
        await uow.outbox.add(email)
        await uow.outbox.add(sms)
        await uow.commit()
    async with SqlUnitOfWork(engine) as uow:
        assert await uow.outbox.pending(10, START - timedelta(seconds=1)) == []
        assert await uow.outbox.pending(10, START) == [email, sms]
        await uow.outbox.mark_sent("n-1", START)
        await uow.outbox.mark_failed("n-2", START, "SMS gateway said 503", START + timedelta(minutes=5))
        await uow.commit()
    async with SqlUnitOfWork(engine) as uow:
        assert await uow.outbox.pending(10, START + timedelta(minutes=4)) == []
        retry = await uow.outbox.pending(10, START + timedelta(minutes=5))
    assert [(n.id, n.attempts) for n in retry] == [("n-2", 1)]
