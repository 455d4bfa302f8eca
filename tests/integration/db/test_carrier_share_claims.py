"""Carriers' shares on SQLite and PostgreSQL: the one-statement claim keeps to them (also under a race of two
carriers' couriers), a share set by the use case is kept, and migration 0005 goes up and down in place."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import sqlalchemy as sa
from alembic import command
from db_samples import START, a_locker, a_shipment, add_locker_and_carrier, announce
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncEngine

from parcellocker.adapters.db.compartments import _CLAIM_FREE
from parcellocker.adapters.db.engine import make_engine
from parcellocker.adapters.db.migrate import alembic_config, current, head, upgrade
from parcellocker.adapters.db.tables import compartments, shipments
from parcellocker.adapters.db.unit_of_work import SqlUnitOfWork
from parcellocker.domain.accounts import Carrier, Principal, Role
from parcellocker.domain.errors import LockerFull
from parcellocker.domain.events import Actor, ActorKind
from parcellocker.domain.sizes import Size
from parcellocker.service.carrier_shares import SetCarrierShare, set_carrier_share
from parcellocker.service.context import Services
from parcellocker.service.deposits import CompartmentOpened, DepositParcel, deposit_parcel

SIZES = [Size.S, Size.M, Size.L, Size.XL]
OPERATOR = Principal(Role.OPERATOR, "anna")
COURIER = Actor(ActorKind.COURIER, "kuba")
# (deposits per carrier, compartments per share, compartments in the pool) per database; SQLite has one writer.
RACES = {"postgresql": (60, 10, 10), "sqlite": (15, 4, 4)}


async def _with_shares(engine: AsyncEngine, layout: str, shares: dict[int, str], within_reach: set[int]) -> None:
    locker = a_locker("L-1", layout)
    for compartment in locker.compartments:
        compartment.reachable = compartment.number in within_reach
        compartment.reserved_for_carrier_id = shares.get(compartment.number)
    await add_locker_and_carrier(engine, locker, "fast")
    async with SqlUnitOfWork(engine) as uow:
        await uow.accounts.add_carrier(Carrier("slow", "Slow Parcels"))
        await uow.commit()


async def _claim_all(engine: AsyncEngine, carrier_id: str | None, *, reachable: bool = False) -> list[int]:
    """The numbers one carrier's claims get, one after the other, until none is left (each claim is kept)."""
    claimed: list[int] = []
    async with SqlUnitOfWork(engine) as uow:
        while found := await uow.compartments.claim_free("L-1", SIZES, carrier_id=carrier_id, reachable=reachable):
            claimed.append(found.number)
            found.reserve_for_deposit(f"shp-{found.number}", START, COURIER)
            await uow.compartments.save(found)
        await uow.rollback()
    return claimed


async def test_the_claim_gives_the_carriers_share_first_then_the_pool_and_never_another_carriers_share(
    engine: AsyncEngine,
) -> None:
    # S 1-3, M 4-6, L 7: "fast" has M 4 and L 7, "slow" has S 1 and M 5; within reach: 2, 5, 6.
    await _with_shares(engine, "S:3,M:3,L:1", {4: "fast", 7: "fast", 1: "slow", 5: "slow"}, {2, 5, 6})

    assert await _claim_all(engine, "fast") == [4, 7, 3, 2, 6]
    assert await _claim_all(engine, "slow") == [1, 5, 3, 2, 6]
    assert await _claim_all(engine, None) == [3, 2, 6]  # no carrier: the pool only
    assert await _claim_all(engine, "fast", reachable=True) == [2, 6, 4, 7, 3]  # reach first, then share, then pool
    assert await _claim_all(engine, "slow", reachable=True) == [5, 2, 6, 1, 3]


async def test_a_share_set_through_the_use_case_is_kept_and_read_back(services: Services, engine: AsyncEngine) -> None:
    await _with_shares(engine, "S:2,M:2", {}, set())
    share = await services.run(
        set_carrier_share, SetCarrierShare(OPERATOR, "L-1", "slow", sizes={Size.M: 1}), lambda found: found
    )
    assert share.numbers == (3,)
    async with SqlUnitOfWork(engine) as uow:
        locker = await uow.lockers.get("L-1")
        by_number = await uow.compartments.by_number("L-1", 3)
    assert locker is not None and by_number is not None
    assert [c.reserved_for_carrier_id for c in locker.compartments] == [None, None, "slow", None]
    assert (by_number.reserved_for_carrier_id, by_number.version) == ("slow", 1)


async def test_two_carriers_racing_fill_their_own_shares_and_split_the_pool_never_crossing(
    services: Services, engine: AsyncEngine
) -> None:
    per_carrier, per_share, pool = RACES[engine.dialect.name]
    shares = {n: "fast" for n in range(1, per_share + 1)}
    shares |= {n: "slow" for n in range(per_share + 1, 2 * per_share + 1)}
    await _with_shares(engine, f"S:{2 * per_share + pool}", shares, set())
    parcels = [a_shipment(f"{c}-{n:03d}", carrier_id=c) for n in range(per_carrier) for c in ("fast", "slow")]
    await announce(engine, *parcels)

    def courier(carrier_id: str) -> Principal:
        return Principal(Role.COURIER, f"courier-{carrier_id}", carrier_id=carrier_id)

    results: list[Any] = await asyncio.gather(
        *(
            services.run(deposit_parcel, DepositParcel(courier(p.carrier_id), "L-1", p.tracking_number), _same)
            for p in parcels
        ),
        return_exceptions=True,
    )

    opened = [r for r in results if isinstance(r, CompartmentOpened)]
    assert [r for r in results if not isinstance(r, (CompartmentOpened, LockerFull))] == []
    assert len(opened) == 2 * per_share + pool
    assert len({r.compartment.number for r in opened}) == len(opened)  # none given twice
    async with engine.connect() as connection:
        rows = (
            await connection.execute(
                sa.select(
                    shipments.c.carrier_id, compartments.c.number, compartments.c.reserved_for_carrier_id
                ).select_from(shipments.join(compartments, compartments.c.id == shipments.c.compartment_id))
            )
        ).all()
    crossing = [row for row in rows if row.reserved_for_carrier_id not in (None, row.carrier_id)]
    assert crossing == []
    in_shares = Counter(row.carrier_id for row in rows if row.reserved_for_carrier_id is not None)
    assert in_shares == {"fast": per_share, "slow": per_share}  # each filled its whole share
    assert len(rows) == len(opened)


def _same(result: CompartmentOpened) -> CompartmentOpened:
    return result


async def test_the_claim_on_postgresql_is_served_by_its_index_in_order(engine: AsyncEngine) -> None:
    """With the table too small for the planner to choose an index by itself, it is made to: the claim's order must
    then come from ix_compartments_claim, without sorting the locker's free compartments on every deposit."""
    if engine.dialect.name != "postgresql":
        return
    await _with_shares(engine, "S:3,M:3,L:1", {4: "fast"}, set())
    parameters = {"locker_id": "L-1", "carrier_id": "fast", **{f"size_{r}": s.value for r, s in enumerate(SIZES)}}
    compiled = _CLAIM_FREE.compile(dialect=postgresql.dialect())  # %(name)s placeholders: the values go in quoted
    values = {**compiled.params, **parameters}
    claim = compiled.string % {k: v if isinstance(v, int) else f"'{v}'" for k, v in values.items()}
    async with engine.connect() as connection:
        await connection.execute(sa.text("SET enable_seqscan = off"))
        plan = (await connection.exec_driver_sql(f"EXPLAIN {claim}")).scalars().all()
    text = "\n".join(plan)
    assert "ix_compartments_claim" in text and "Sort" not in text, text


async def test_migration_0007_goes_down_in_place_and_up_again_keeping_every_compartment(
    fresh_database: Any, database_kind: str
) -> None:
    url = await fresh_database(database_kind)
    engine = make_engine(url)
    try:
        await _with_shares(engine, "S:3,M:2", {2: "fast", 4: "slow"}, set())
        await announce(engine, a_shipment("TN-1", carrier_id="fast"))
    finally:
        await engine.dispose()

    await asyncio.to_thread(command.downgrade, alembic_config(url), "0006")
    assert current(url) == "0006"
    columns, count, broken = await _schema_facts(url)
    assert "reserved_for_carrier_id" not in columns and count == 5 and broken == []
    upgrade(url)
    assert current(url) == head()
    columns, count, broken = await _schema_facts(url)
    assert "reserved_for_carrier_id" in columns and count == 5 and broken == []


async def _schema_facts(url: str) -> tuple[set[str], int, list[Any]]:
    """The columns of compartments, how many compartments there are, and (SQLite) the foreign keys left broken."""
    engine = make_engine(url)
    try:
        async with engine.connect() as connection:
            columns = await connection.run_sync(
                lambda sync: {column["name"] for column in sa.inspect(sync).get_columns("compartments")}
            )
            count = (await connection.execute(sa.select(sa.func.count()).select_from(compartments))).scalar()
            broken: list[Any] = []
            if engine.dialect.name == "sqlite":
                broken = list((await connection.execute(sa.text("PRAGMA foreign_key_check"))).all())
    finally:
        await engine.dispose()
    return columns, int(count or 0), broken
