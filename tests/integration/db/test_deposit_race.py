"""THE race: many couriers deposit at once into a locker with few free compartments; none is given twice."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from db_samples import a_locker, a_shipment, add_locker_and_carrier, announce
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from parcellocker.adapters.db.tables import compartments, shipments
from parcellocker.domain.accounts import Principal, Role
from parcellocker.domain.errors import LockerFull
from parcellocker.service.context import Services
from parcellocker.service.deposits import CompartmentOpened, DepositParcel, deposit_parcel

# (deposits, free compartments) per database: PostgreSQL as the issue asks; SQLite, with its one writer, smaller.
RACES = {"postgresql": (200, 50), "sqlite": (40, 10)}
COURIER = Principal(Role.COURIER, "courier-1", carrier_id="carrier-1")


def _opened(result: CompartmentOpened) -> CompartmentOpened:
    return result


async def test_concurrent_deposits_fill_every_free_compartment_exactly_once(
    services: Services, engine: AsyncEngine
) -> None:
    deposits, free = RACES[engine.dialect.name]
    layout = f"S:{free // 2},M:{free - free // 2 - 1},L:1"  # sizes S, M and L: the parcels fall back to larger ones
    await add_locker_and_carrier(engine, a_locker("L-1", layout))
    await announce(engine, *(a_shipment(f"TN-{n:03d}") for n in range(deposits)))

    started = time.perf_counter()
    results: list[Any] = await asyncio.gather(
        *(services.run(deposit_parcel, DepositParcel(COURIER, "L-1", f"TN-{n:03d}"), _opened) for n in range(deposits)),
        return_exceptions=True,
    )
    elapsed = time.perf_counter() - started

    opened = [r for r in results if isinstance(r, CompartmentOpened)]
    full = [r for r in results if isinstance(r, LockerFull)]
    others = [r for r in results if not isinstance(r, (CompartmentOpened, LockerFull))]
    assert others == []
    assert (len(opened), len(full)) == (free, deposits - free)
    assert len({r.compartment.id for r in opened}) == free
    assert "no free compartment" in str(full[0])

    async with engine.connect() as connection:
        held = (
            await connection.execute(
                select(shipments.c.compartment_id, func.count())
                .where(shipments.c.compartment_id.is_not(None))
                .group_by(shipments.c.compartment_id)
            )
        ).all()
        reserved = (
            await connection.execute(
                select(compartments.c.id, compartments.c.shipment_id).where(compartments.c.state == "reserved")
            )
        ).all()
    assert len(held) == free and all(count == 1 for _, count in held)
    assert {row.compartment_id for row in held} == {row.id for row in reserved}
    assert len({row.shipment_id for row in reserved}) == free
    print(f"\n{engine.dialect.name}: {deposits} concurrent deposits into {free} compartments in {elapsed:.2f} s")
