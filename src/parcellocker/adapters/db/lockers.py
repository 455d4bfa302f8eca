"""Lockers with their compartments."""

from __future__ import annotations

import builtins
from itertools import groupby

from sqlalchemy import ColumnElement, RowMapping, insert, select

from parcellocker.adapters.db.compartments import compartment_from_row, compartment_values
from parcellocker.adapters.db.tables import compartments, lockers
from parcellocker.adapters.db.transaction import Transaction
from parcellocker.adapters.db.transitions import record_transitions
from parcellocker.domain.locker import Locker, LockerStatus
from parcellocker.domain.sizes import Dimensions, Size
from parcellocker.service.ports import LockerRepository

lk = lockers.c


class SqlLockerRepository(LockerRepository):
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    async def add(self, locker: Locker) -> None:
        await self._tx.execute(
            insert(lockers).values(
                id=locker.id,
                name=locker.name,
                address=locker.address,
                timezone=locker.timezone,
                latitude=locker.latitude,
                longitude=locker.longitude,
                status=locker.status.value,
                inner_dimensions={
                    size.value: [d.height_mm, d.width_mm, d.depth_mm] for size, d in locker.inner_dimensions.items()
                },
            )
        )
        if locker.compartments:
            await self._tx.execute(insert(compartments), [compartment_values(c) for c in locker.compartments])
        for compartment in locker.compartments:
            await record_transitions(self._tx, compartment.events)

    async def get(self, locker_id: str) -> Locker | None:
        """One round trip: the locker joined with its compartments."""
        lockers_found = await self._with_compartments(lk.id == locker_id)
        return lockers_found[0] if lockers_found else None

    async def list(self) -> builtins.list[Locker]:
        return await self._with_compartments(None)

    async def exists(self, locker_id: str) -> bool:
        found = await self._tx.execute(select(lk.id).where(lk.id == locker_id))
        return found.first() is not None

    async def _with_compartments(self, condition: ColumnElement[bool] | None) -> builtins.list[Locker]:
        statement = (
            select(lockers, compartments)
            .select_from(lockers.outerjoin(compartments, compartments.c.locker_id == lk.id))
            .order_by(lk.id, compartments.c.number)
        )
        if condition is not None:
            statement = statement.where(condition)
        rows = (await self._tx.execute(statement)).mappings().all()
        found: builtins.list[Locker] = []
        for _, group in groupby(rows, key=lambda row: row[lk.id]):
            locker_rows = list(group)
            locker = _locker_from_row(locker_rows[0])
            locker.compartments = [
                compartment_from_row(row) for row in locker_rows if row[compartments.c.id] is not None
            ]
            found.append(locker)
        return found


def _locker_from_row(row: RowMapping) -> Locker:
    return Locker(
        id=row[lk.id],
        name=row[lk.name],
        address=row[lk.address],
        timezone=row[lk.timezone],
        latitude=row[lk.latitude],
        longitude=row[lk.longitude],
        status=LockerStatus(row[lk.status]),
        inner_dimensions={Size(size): Dimensions(*dims) for size, dims in row[lk.inner_dimensions].items()},
    )
