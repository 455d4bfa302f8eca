"""Lockers with their compartments."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from itertools import groupby
from typing import Any

from sqlalchemy import bindparam, case, exists, func, insert, or_, select

from parcellocker.adapters.db.compartment_rows import COMPARTMENT_COLUMNS, compartment_from_row, compartment_values
from parcellocker.adapters.db.preloaded import PreloadedRows
from parcellocker.adapters.db.tables import compartments, lockers
from parcellocker.adapters.db.transaction import Transaction
from parcellocker.adapters.db.transitions import TransitionLog
from parcellocker.domain.compartment import CompartmentState
from parcellocker.domain.locker import Locker, LockerStatus
from parcellocker.domain.occupancy import IN_USE, SizeFill
from parcellocker.domain.sizes import Dimensions, Size
from parcellocker.service.ports import LockerFill, LockerRepository, LockerSizes

lk = lockers.c
LOCKER_COLUMNS = (lk.id, lk.name, lk.address, lk.timezone, lk.latitude, lk.longitude, lk.status, lk.inner_dimensions,
                  lk.opening_hours, lk.last_seen_at)  # fmt: skip

_ADD = insert(lockers)
_ADD_COMPARTMENTS = insert(compartments)
# Compartment columns first, so compartment_from_row reads them by position; a locker without compartments
# still comes back (outer join). One round trip for a locker and everything in it.
_ONE_WITH_COMPARTMENTS = (
    select(*COMPARTMENT_COLUMNS, *LOCKER_COLUMNS)
    .select_from(lockers.outerjoin(compartments, compartments.c.locker_id == lk.id))
    .where(lk.id == bindparam("locker_id"))
    .order_by(lk.id, compartments.c.number)
)
_EXISTS = select(lk.id).where(lk.id == bindparam("locker_id"))
_ONE = select(*LOCKER_COLUMNS).where(lk.id == bindparam("locker_id"))
# The inner dimensions, then for each size (in Size order) whether the locker has a compartment of it: one row,
# a few index probes, instead of every compartment of the locker.
# (SIZE_COLUMNS: also read with the shipment a courier deposits, see shipments.py and preloaded.py.)
SIZE_COLUMNS = (
    lk.inner_dimensions,
    *(
        exists().where(compartments.c.locker_id == lk.id, compartments.c.size == size.value).label(size.value)
        for size in Size
    ),
)
_SIZES = select(*SIZE_COLUMNS).where(lk.id == bindparam("locker_id"))
_LOCKER_ID = len(COMPARTMENT_COLUMNS)  # the position of lockers.id in a joined row
# The dashboard's list, a page at a time: the page's lockers by primary key from `after` on, then the compartments
# of exactly those lockers (ids after `after` up to the page's last: a range of the index that starts with
# locker_id) counted per size, one row per locker and size instead of one per compartment. The range, not
# IN (the page), so the planner reads the page's compartments only: with IN it hashed the page and read every
# compartment (a sequential scan at 1,000 lockers). The states are compared one by one: no expanding IN (asyncpg).
_PAGE = select(*LOCKER_COLUMNS).where(lk.id > bindparam("after")).order_by(lk.id).limit(bindparam("limit"))
cp = compartments.c
_COUNTS_IN_RANGE = (
    select(
        cp.locker_id,
        cp.size,
        func.count().label("total"),
        func.sum(case((or_(*(cp.state == state.value for state in sorted(IN_USE))), 1), else_=0)).label("in_use"),
        func.sum(case((cp.state == CompartmentState.OUT_OF_ORDER.value, 1), else_=0)).label("out_of_order"),
    )
    .where(cp.locker_id > bindparam("after"), cp.locker_id <= bindparam("last"))
    .group_by(cp.locker_id, cp.size)
)
# The REST list, a page at a time: the page's lockers as _PAGE reads them, then every compartment of exactly those
# lockers, by the same locker_id range (again not IN), in the order of the (locker_id, number) unique index.
_COMPARTMENTS_IN_RANGE = (
    select(*COMPARTMENT_COLUMNS)
    .where(cp.locker_id > bindparam("after"), cp.locker_id <= bindparam("last"))
    .order_by(cp.locker_id, cp.number)
)


class SqlLockerRepository(LockerRepository):
    def __init__(self, tx: Transaction, transitions: TransitionLog, preloaded: PreloadedRows) -> None:
        self._tx = tx
        self._transitions = transitions
        self._preloaded = preloaded

    async def add(self, locker: Locker) -> None:
        inner = {size.value: [d.height_mm, d.width_mm, d.depth_mm] for size, d in locker.inner_dimensions.items()}
        await self._tx.execute(
            _ADD,
            {
                "id": locker.id,
                "name": locker.name,
                "address": locker.address,
                "timezone": locker.timezone,
                "latitude": locker.latitude,
                "longitude": locker.longitude,
                "status": locker.status.value,
                "inner_dimensions": inner,
                "opening_hours": locker.opening_hours,
                "last_seen_at": locker.last_seen_at,
            },
        )
        if locker.compartments:
            await self._tx.execute(_ADD_COMPARTMENTS, [compartment_values(c) for c in locker.compartments])
        for compartment in locker.compartments:
            self._transitions.take(compartment.events)

    async def get(self, locker_id: str, *, with_compartments: bool = True) -> Locker | None:
        if not with_compartments and (preloaded := self._preloaded.lockers.take(locker_id)) is not None:
            return preloaded
        if not with_compartments:
            row = (await self._tx.execute(_ONE, {"locker_id": locker_id})).first()
            return None if row is None else locker_from_row(row)
        found = await self._with_compartments(_ONE_WITH_COMPARTMENTS, {"locker_id": locker_id})
        return found[0] if found else None

    async def sizes(self, locker_id: str) -> LockerSizes | None:
        preloaded = self._preloaded.sizes.take(locker_id)
        if preloaded is not None:
            return preloaded
        row = (await self._tx.execute(_SIZES, {"locker_id": locker_id})).first()
        return None if row is None else sizes_from_row(row)

    async def page(self, after: str, limit: int) -> builtins.list[Locker]:
        page = [locker_from_row(tuple(row)) for row in await self._tx.execute(_PAGE, {"after": after, "limit": limit})]
        if not page:
            return []
        by_id = {locker.id: locker for locker in page}
        for row in await self._tx.execute(_COMPARTMENTS_IN_RANGE, {"after": after, "last": page[-1].id}):
            compartment = compartment_from_row(row)
            by_id[compartment.locker_id].compartments.append(compartment)
        return page

    async def fill_page(self, after: str, limit: int) -> builtins.list[LockerFill]:
        page = [locker_from_row(tuple(row)) for row in await self._tx.execute(_PAGE, {"after": after, "limit": limit})]
        if not page:
            return []
        counted: dict[str, builtins.list[SizeFill]] = {locker.id: [] for locker in page}
        parameters = {"after": after, "last": page[-1].id}
        for locker_id, size, total, in_use, out_of_order in await self._tx.execute(_COUNTS_IN_RANGE, parameters):
            counted[locker_id].append(SizeFill(Size(size), total, in_use, out_of_order))
        return [
            LockerFill(locker, sorted(counted[locker.id], key=lambda size_fill: size_fill.size.rank)) for locker in page
        ]

    async def exists(self, locker_id: str) -> bool:
        return (await self._tx.execute(_EXISTS, {"locker_id": locker_id})).first() is not None

    async def _with_compartments(self, statement: Any, parameters: dict[str, Any]) -> builtins.list[Locker]:
        found: builtins.list[Locker] = []
        rows = await self._tx.execute(statement, parameters)
        for _, group in groupby(rows, key=lambda row: row[_LOCKER_ID]):
            locker_rows = builtins.list(group)
            locker = locker_from_row(locker_rows[0][_LOCKER_ID:])
            locker.compartments = [compartment_from_row(row) for row in locker_rows if row[0] is not None]
            found.append(locker)
        return found


def locker_from_row(columns: Sequence[Any]) -> Locker:
    """A locker without its compartments from a row of LOCKER_COLUMNS (exactly those)."""
    ident, name, address, timezone, latitude, longitude, status, inner_dimensions, opening_hours, last_seen_at = columns
    return Locker(
        id=ident,
        name=name,
        address=address,
        timezone=timezone,
        latitude=latitude,
        longitude=longitude,
        status=LockerStatus(status),
        inner_dimensions=_inner_dimensions(inner_dimensions),
        opening_hours=opening_hours,
        last_seen_at=last_seen_at,
    )


def sizes_from_row(row: Sequence[Any]) -> LockerSizes:
    """A locker's sizes from a row of SIZE_COLUMNS (exactly those)."""
    has_size: tuple[bool, ...] = tuple(row[1:])
    present = frozenset(size for size, there in zip(Size, has_size, strict=True) if there)
    return LockerSizes(_inner_dimensions(row[0]), present)


def _inner_dimensions(stored: dict[str, list[int]]) -> dict[Size, Dimensions]:
    return {Size(size): Dimensions(*dims) for size, dims in stored.items()}
