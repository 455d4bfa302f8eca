"""Two server processes' schedulers against one PostgreSQL, at the same moment: the due work is split between them
(FOR UPDATE SKIP LOCKED) and nothing is done twice: one reminder per deadline, one expiry per parcel."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from lifecycle_rig import lifecycle_site, services_on
from sqlalchemy import func, select

from parcellocker.adapters.db.engine import make_engine
from parcellocker.adapters.db.tables import notifications, transitions
from parcellocker.service.scheduler import LifecycleScheduler, RoundDone

PARCELS = 40
HOUR = timedelta(hours=1)

pytestmark = pytest.mark.postgres


async def test_two_schedulers_at_once_remind_and_expire_each_parcel_once(fresh_database: Any) -> None:
    url = await fresh_database("postgres")
    engines = [make_engine(url), make_engine(url)]
    try:
        site = await lifecycle_site(engines[0], layout=f"S:{PARCELS}")
        shipment_ids = [(await site.store(f"TN-{n}"))[0] for n in range(PARCELS)]
        schedulers = [LifecycleScheduler(services_on(engine, site.clock), batch_size=3) for engine in engines]

        site.clock.advance(48 * HOUR)
        reminded = await _both_at_once(schedulers)
        site.clock.advance(24 * HOUR)
        expired = await _both_at_once(schedulers)

        async with engines[0].connect() as connection:
            sent = Counter(
                (row.shipment_id, row.template, row.channel)
                for row in await connection.execute(
                    select(notifications.c.shipment_id, notifications.c.template, notifications.c.channel)
                )
            )
            expiries = (
                await connection.execute(
                    select(func.count()).where(transitions.c.subject == "shipment", transitions.c.to_state == "expired")
                )
            ).scalar()
    finally:
        for engine in engines:
            await engine.dispose()

    assert sum(done.reminded for done in reminded) == PARCELS
    assert sum(done.expired for done in expired) == PARCELS
    assert all(done.reminded > 0 for done in reminded), f"the work was not split: {reminded}"
    assert all(done.expired > 0 for done in expired), f"the work was not split: {expired}"
    assert expiries == PARCELS
    for shipment_id in shipment_ids:
        for template in ("parcel_stored", "reminder", "expired"):
            for channel in ("email", "sms"):
                assert sent[(shipment_id, template, channel)] == 1, (shipment_id, template, channel)


async def _both_at_once(schedulers: list[LifecycleScheduler]) -> list[RoundDone]:
    """The schedulers at the same time, each as its process would: a round, then the next one."""

    async def two_rounds(scheduler: LifecycleScheduler) -> RoundDone:
        first = await scheduler.run_due()
        second = await scheduler.run_due()
        return RoundDone(first.reminded + second.reminded, first.expired + second.expired)

    return list(await asyncio.gather(*(two_rounds(scheduler) for scheduler in schedulers)))
