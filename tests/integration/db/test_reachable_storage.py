"""Compartments at reachable height on SQLite and PostgreSQL: the flags stored, the claim's order (also under
concurrent deposits), and migration 0003 working the flag out for lockers that were there before it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from alembic import command
from db_samples import START, a_locker, a_shipment, add_locker_and_carrier, announce
from sqlalchemy.ext.asyncio import AsyncEngine

from parcellocker.adapters.db.engine import make_engine
from parcellocker.adapters.db.migrate import alembic_config, current, head, upgrade
from parcellocker.adapters.db.types import UtcDateTime
from parcellocker.adapters.db.unit_of_work import SqlUnitOfWork
from parcellocker.domain.accounts import Principal, Role
from parcellocker.domain.cabinet import reachable_numbers
from parcellocker.domain.events import Actor, ActorKind
from parcellocker.domain.locker import Locker
from parcellocker.domain.sizes import Dimensions, Size
from parcellocker.service.context import Services
from parcellocker.service.deposits import (
    CompartmentOpened,
    DepositParcel,
    DepositProblem,
    ReportDepositProblem,
    deposit_parcel,
    report_deposit_problem,
)
from parcellocker.service.lockers import AddLocker, add_locker

COURIER_ACTOR = Actor(ActorKind.COURIER, "courier-1")
OPERATOR = Principal(Role.OPERATOR, "op-1")
COURIER = Principal(Role.COURIER, "courier-1", carrier_id="carrier-1")
SIZES = [Size.S, Size.M, Size.L, Size.XL]
T = TypeVar("T")


def _same(result: T) -> T:
    return result


def flagged(locker_id: str, doors: str) -> Locker:
    """A locker with one compartment per letter, numbered in order; a lower-case letter is a door within reach."""
    locker = a_locker(locker_id, ",".join(f"{letter.upper()}:1" for letter in doors))
    for compartment, letter in zip(locker.compartments, doors, strict=True):
        compartment.reachable = letter.islower()
    return locker


async def test_the_claim_gives_doors_out_of_reach_first_unless_reach_is_wished(engine: AsyncEngine) -> None:
    await add_locker_and_carrier(engine, flagged("L-1", "sSsSmM"))
    async with SqlUnitOfWork(engine) as uow:
        plain = await uow.compartments.claim_free("L-1", SIZES)
        wished = await uow.compartments.claim_free("L-1", SIZES, reachable=True)
        assert (plain and plain.number, wished and wished.number) == (2, 1)
        for number in (1, 3):
            taken = await uow.compartments.by_number("L-1", number)
            assert taken is not None and taken.reachable
            taken.reserve_for_deposit(f"shp-{number}", START, COURIER_ACTOR)
            await uow.compartments.save(taken)
        await uow.commit()
    async with SqlUnitOfWork(engine) as uow:
        plain = await uow.compartments.claim_free("L-1", SIZES)
        wished = await uow.compartments.claim_free("L-1", SIZES, reachable=True)
        only_large = await uow.compartments.claim_free("L-1", [Size.L, Size.XL], reachable=True)
    assert (plain and plain.number, wished and wished.number, only_large) == (2, 5, None)


async def test_a_locker_added_through_the_use_case_keeps_which_doors_are_within_reach(
    services: Services, engine: AsyncEngine
) -> None:
    await services.run(add_locker, AddLocker(OPERATOR, "Tall", "2 Main St", "S:8,M:6,L:4", "L-1"), _same)
    async with SqlUnitOfWork(engine) as uow:
        locker = await uow.lockers.get("L-1")
        one = await uow.compartments.get("L-1/9")
    assert locker is not None and one is not None and one.reachable
    assert {c.number for c in locker.compartments if c.reachable} == {7, 8, 9, 10, 11, 15, 16}


async def test_a_shipments_wish_for_reach_is_stored_and_read_back(engine: AsyncEngine) -> None:
    await add_locker_and_carrier(engine)
    wished = a_shipment("TN-1")
    wished.reachable_height = True
    await announce(engine, wished, a_shipment("TN-2"))
    async with SqlUnitOfWork(engine) as uow:
        first = await uow.shipments.get(wished.id)
        second = await uow.shipments.for_deposit("carrier-1", "TN-2")
        assert first is not None and second is not None
        assert (first.reachable_height, second.reachable_height) == (True, False)
        second.ask_for_reachable_height()
        await uow.shipments.save(second)
        await uow.commit()
    async with SqlUnitOfWork(engine) as uow:
        again = await uow.shipments.by_tracking_number("carrier-1", "TN-2")
    assert [shipment.reachable_height for shipment in again] == [True]


async def _tall_locker_with_parcels(services: Services, engine: AsyncEngine, count: int) -> None:
    await services.run(add_locker, AddLocker(OPERATOR, "Tall", "2 Main St", "S:8,M:6,L:4", "L-1"), _same)
    await add_locker_and_carrier(engine, a_locker("L-0", "S:1"))  # the carrier (with a locker of its own)
    await announce(engine, *(a_shipment(f"TN-{n:02d}") for n in range(count)))


async def test_a_deposit_that_asks_for_reach_keeps_asking_after_a_problem(
    services: Services, engine: AsyncEngine
) -> None:
    await _tall_locker_with_parcels(services, engine, 1)
    opened: CompartmentOpened = await services.run(deposit_parcel, DepositParcel(COURIER, "L-1", "TN-00", True), _same)
    assert opened.compartment.number == 7 and opened.compartment.reachable
    problem = ReportDepositProblem(COURIER, "L-1", "TN-00", DepositProblem.DOES_NOT_FIT)
    bigger: CompartmentOpened = await services.run(report_deposit_problem, problem, _same)
    assert (bigger.compartment.number, bigger.shipment.reachable_height) == (9, True)


async def test_concurrent_deposits_that_ask_for_reach_take_the_doors_within_reach_first_and_none_twice(
    services: Services, engine: AsyncEngine
) -> None:
    await _tall_locker_with_parcels(services, engine, 12)
    results: list[Any] = await asyncio.gather(
        *(
            services.run(deposit_parcel, DepositParcel(COURIER, "L-1", f"TN-{n:02d}", reachable=n < 10), _same)
            for n in range(12)
        ),
        return_exceptions=True,
    )
    assert not [r for r in results if not isinstance(r, CompartmentOpened)], results
    asked = {r.compartment.number for r in results[:10]}
    plain = {r.compartment.number for r in results[10:]}
    assert len(asked | plain) == 12
    # In whatever order they ran: the seven doors within reach went to the parcels that asked, the three of them
    # left over and the two others got small doors out of reach (six of them, enough for all five).
    assert {7, 8, 9, 10, 11, 15, 16} < asked and (asked | plain) - {7, 8, 9, 10, 11, 15, 16} <= {1, 2, 3, 4, 5, 6}


# -- migration 0003 --------------------------------------------------------------------------------------------

_lockers_0002 = sa.table(
    "lockers",
    *(sa.column(name, sa.String()) for name in ("id", "name", "address", "timezone", "status")),
    sa.column("inner_dimensions", sa.JSON()),
)
_compartments_0002 = sa.table(
    "compartments",
    *(sa.column(name, sa.String()) for name in ("id", "locker_id", "size", "state", "door")),
    *(sa.column(name, sa.Integer()) for name in ("number", "size_rank", "board", "channel", "version")),
)
_carriers_0002 = sa.table("carriers", sa.column("id", sa.String()), sa.column("name", sa.String()))
_shipments_0002 = sa.table(
    "shipments",
    *(sa.column(name, sa.String()) for name in ("id", "tracking_number", "carrier_id", "locker_id", "state")),
    *(sa.column(name, sa.String()) for name in ("parcel_size", "recipient_email", "recipient_language")),
    sa.column("created_at", UtcDateTime()),
    sa.column("version", sa.Integer()),
)
DEFAULT_INNER = {"S": [80, 380, 640], "M": [190, 380, 640], "L": [410, 380, 640]}
# Taller M compartments (390 mm inside): the doors of "M:4" sit lower, so others are within reach.
TALL_M = {"S": [80, 380, 640], "M": [390, 380, 640], "L": [410, 380, 640]}
OLD_LOCKERS = {"OLD-1": ("S" * 8 + "M" * 6 + "L" * 4, DEFAULT_INNER), "OLD-2": ("MMMM", TALL_M)}


async def _fill_at_0002(url: str) -> None:
    """Two lockers, a carrier and a shipment, written as the schema of revision 0002 holds them."""
    lockers = [
        {"id": locker_id, "name": locker_id, "address": "1 Old St", "timezone": "UTC", "status": "offline"}
        | {"inner_dimensions": inner}
        for locker_id, (_, inner) in OLD_LOCKERS.items()
    ]
    doors = [
        {"id": f"{locker_id}/{number}", "locker_id": locker_id, "number": number, "size": letter}
        | {"size_rank": Size(letter).rank, "board": 0, "channel": number, "state": "free", "door": "closed"}
        | {"version": 0}
        for locker_id, (layout, _) in OLD_LOCKERS.items()
        for number, letter in enumerate(layout, start=1)
    ]
    shipment = {"id": "shp-old", "tracking_number": "OLD-TN", "carrier_id": "carrier-1", "locker_id": "OLD-1"} | {
        "state": "announced",
        "parcel_size": "S",
        "recipient_email": "ada@example.org",
        "recipient_language": "en",
        "created_at": datetime(2026, 1, 5, 8, 0, tzinfo=UTC),
        "version": 0,
    }
    engine = make_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(_lockers_0002.insert(), lockers)
            await connection.execute(_compartments_0002.insert(), doors)
            await connection.execute(_carriers_0002.insert(), [{"id": "carrier-1", "name": "Carrier One"}])
            await connection.execute(_shipments_0002.insert(), [shipment])
    finally:
        await engine.dispose()


async def test_migration_0003_works_out_the_doors_within_reach_of_the_lockers_already_there(
    fresh_database: Any, database_kind: str
) -> None:
    url = await fresh_database(database_kind, migrated=False)
    upgrade(url, "0002")
    await _fill_at_0002(url)
    upgrade(url)
    assert current(url) == head()

    engine = make_engine(url)
    try:
        async with SqlUnitOfWork(engine) as uow:
            lockers = {locker.id: locker for locker in await uow.lockers.page("", 10)}
            old = await uow.shipments.get("shp-old")
            claimed = await uow.compartments.claim_free("OLD-1", SIZES, reachable=True)
            plain = await uow.compartments.claim_free("OLD-1", SIZES)
    finally:
        await engine.dispose()
    within = {
        locker_id: {c.number for c in locker.compartments if c.reachable} for locker_id, locker in lockers.items()
    }
    assert within == {"OLD-1": {7, 8, 9, 10, 11, 15, 16}, "OLD-2": {2, 3}}
    tall_m = {Size(size): Dimensions(*dims) for size, dims in TALL_M.items()}
    assert within["OLD-2"] == reachable_numbers([(n, Size.M) for n in range(1, 5)], tall_m)
    assert reachable_numbers([(n, Size.M) for n in range(1, 5)]) == {4}  # the default M would give another door
    assert old is not None and old.reachable_height is False
    assert (claimed and claimed.number, plain and plain.number) == (7, 1)


async def test_migration_0003_goes_back_down_to_0002_and_up_again(fresh_database: Any, database_kind: str) -> None:
    url = await fresh_database(database_kind, migrated=False)
    upgrade(url, "0002")
    await _fill_at_0002(url)
    upgrade(url)
    await asyncio.to_thread(command.downgrade, alembic_config(url), "0002")
    assert current(url) == "0002"
    columns, count = await _columns_and_compartments(url)
    assert "reachable" not in columns["compartments"] and "reachable_height" not in columns["shipments"]
    assert count == 22
    upgrade(url, "0003")
    columns, count = await _columns_and_compartments(url)
    assert current(url) == "0003" and count == 22
    assert "reachable" in columns["compartments"] and "reachable_height" in columns["shipments"]


async def _columns_and_compartments(url: str) -> tuple[dict[str, set[str]], int]:
    """The column names of compartments and shipments, and how many compartments there are."""

    def names(sync: sa.Connection) -> dict[str, set[str]]:
        inspector = sa.inspect(sync)
        return {
            table: {column["name"] for column in inspector.get_columns(table)}
            for table in ("compartments", "shipments")
        }

    engine = make_engine(url)
    try:
        async with engine.connect() as connection:
            columns = await connection.run_sync(names)
            count = (await connection.execute(sa.select(sa.func.count()).select_from(_compartments_0002))).scalar()
    finally:
        await engine.dispose()
    return columns, int(count or 0)
