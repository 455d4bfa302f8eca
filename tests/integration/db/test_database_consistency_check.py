"""`parcellocker db check` (adapters/db/consistency.py): a database left by the real use cases is consistent, and each
kind of damage a crash could leave is found (so the kill -9 runs' checks can fail)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from lifecycle_rig import KEYS, LifecycleSite, lifecycle_site
from sqlalchemy.ext.asyncio import AsyncEngine

from parcellocker.adapters.db.consistency import ConsistencyReport, check_consistency
from parcellocker.adapters.db.unit_of_work import SqlUnitOfWork
from parcellocker.domain.compartment import DoorState
from parcellocker.security.sealing import unseal
from parcellocker.service.pickups import PickUpParcel, pick_up_parcel


async def _report(engine: AsyncEngine) -> ConsistencyReport:
    async with engine.connect() as connection, connection.begin():
        return await check_consistency(connection)


async def _site_with_two_parcels(engine: AsyncEngine) -> tuple[LifecycleSite, str, str, int]:
    """One parcel stored (the first) and one picked up (the second): (site, stored id, picked-up id, its number)."""
    site = await lifecycle_site(engine)
    stored, _ = await site.store("CHK-1")
    picked_up, number = await site.store("CHK-2")
    async with SqlUnitOfWork(engine) as uow:
        sealed = await uow.outbox.latest_payload(picked_up, "parcel_stored")
    assert sealed is not None
    code = str(unseal(KEYS.derive("notification-seal"), sealed)["code"])
    await site.run(pick_up_parcel, PickUpParcel(site.terminal, site.locker_id, code=code))
    await site.door(number, DoorState.OPEN)
    await site.door(number, DoorState.CLOSED)
    return site, stored, picked_up, number


async def test_a_database_the_use_cases_wrote_is_consistent(engine: AsyncEngine) -> None:
    await _site_with_two_parcels(engine)

    report = await _report(engine)

    assert report.inconsistencies == []
    assert (report.shipments, report.terminal_events) == (2, 6)
    assert report.pending["audit entries not chained yet"] >= 0


DAMAGE = {
    "parcel in two compartments": [
        "UPDATE compartments SET state = 'occupied', shipment_id = :stored WHERE number = 4 AND locker_id = 'L-1'"
    ],
    "finished parcel still in a compartment": [
        "UPDATE compartments SET state = 'occupied', shipment_id = :picked_up WHERE number = :number"
    ],
    "stored parcel not in its compartment": [
        "UPDATE compartments SET state = 'free', shipment_id = NULL WHERE shipment_id = :stored"
    ],
    "transition recorded twice": [
        "INSERT INTO transitions (subject, subject_id, from_state, to_state, at, actor, reason, details, event_id, "
        "carrier_id, xact) SELECT subject, subject_id, from_state, to_state, at, actor, reason, details, event_id, "
        "carrier_id, xact FROM transitions WHERE subject_id = :stored AND to_state = 'stored'"
    ],
    "state differs from its last transition": ["UPDATE shipments SET state = 'expired' WHERE id = :stored"],
    "not one message per storing": ["DELETE FROM notifications WHERE shipment_id = :stored"],
    "terminal events missing": ["DELETE FROM terminal_events WHERE seq = 2"],
}


@pytest.mark.parametrize("rule", list(DAMAGE))
async def test_damage_a_crash_could_leave_is_found(engine: AsyncEngine, rule: str) -> None:
    _, stored, picked_up, number = await _site_with_two_parcels(engine)
    async with engine.begin() as connection:
        for statement in DAMAGE[rule]:
            await connection.execute(sa.text(statement), {"stored": stored, "picked_up": picked_up, "number": number})

    report = await _report(engine)

    assert rule in {inconsistency.rule for inconsistency in report.inconsistencies}, report.inconsistencies
