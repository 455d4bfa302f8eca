"""Compartments: loading, claiming a free one race-safely, and saving with optimistic versions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import RowMapping, select, update

from parcellocker.adapters.db.tables import compartments
from parcellocker.adapters.db.transaction import Transaction
from parcellocker.adapters.db.transitions import record_transitions
from parcellocker.domain.compartment import Compartment, CompartmentState, DoorState, PendingAction
from parcellocker.domain.errors import ConcurrencyConflict
from parcellocker.domain.sizes import Size
from parcellocker.service.ports import CompartmentRepository

c = compartments.c


class SqlCompartmentRepository(CompartmentRepository):
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    async def get(self, compartment_id: str) -> Compartment | None:
        return await self._one(select(compartments).where(c.id == compartment_id))

    async def by_number(self, locker_id: str, number: int) -> Compartment | None:
        return await self._one(select(compartments).where(c.locker_id == locker_id, c.number == number))

    async def claim_free(self, locker_id: str, sizes: Sequence[Size]) -> Compartment | None:
        """On PostgreSQL the row is locked and rows other transactions hold are skipped (SKIP LOCKED);
        on SQLite the unit of work already holds the only write lock."""
        if not sizes:
            return None
        statement = (
            select(compartments)
            .where(
                c.locker_id == locker_id,
                c.state == CompartmentState.FREE.value,
                c.size.in_([size.value for size in sizes]),
            )
            .order_by(c.size_rank, c.number)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        return await self._one(statement)

    async def save(self, compartment: Compartment) -> None:
        result = await self._tx.execute(
            update(compartments)
            .where(c.id == compartment.id, c.version == compartment.version)
            .values(
                state=compartment.state.value,
                door=compartment.door.value,
                pending=None if compartment.pending is None else compartment.pending.value,
                shipment_id=compartment.shipment_id,
                out_of_order_reason=compartment.out_of_order_reason,
                version=compartment.version + 1,
            )
        )
        if result.rowcount != 1:
            raise ConcurrencyConflict(
                f"compartment {compartment.number} of locker {compartment.locker_id} was changed meanwhile; try again"
            )
        compartment.version += 1
        await record_transitions(self._tx, compartment.events)

    async def _one(self, statement: Any) -> Compartment | None:
        row = (await self._tx.execute(statement)).mappings().first()
        return None if row is None else compartment_from_row(row)


def compartment_from_row(row: RowMapping) -> Compartment:
    """A compartment from a row that holds the columns of `compartments` (alone or joined)."""
    pending = row[c.pending]
    return Compartment(
        id=row[c.id],
        locker_id=row[c.locker_id],
        number=row[c.number],
        size=Size(row[c.size]),
        board=row[c.board],
        channel=row[c.channel],
        state=CompartmentState(row[c.state]),
        door=DoorState(row[c.door]),
        shipment_id=row[c.shipment_id],
        pending=None if pending is None else PendingAction(pending),
        out_of_order_reason=row[c.out_of_order_reason],
        version=row[c.version],
    )


def compartment_values(compartment: Compartment) -> dict[str, Any]:
    return {
        "id": compartment.id,
        "locker_id": compartment.locker_id,
        "number": compartment.number,
        "size": compartment.size.value,
        "size_rank": compartment.size.rank,
        "board": compartment.board,
        "channel": compartment.channel,
        "state": compartment.state.value,
        "door": compartment.door.value,
        "pending": None if compartment.pending is None else compartment.pending.value,
        "shipment_id": compartment.shipment_id,
        "out_of_order_reason": compartment.out_of_order_reason,
        "version": compartment.version,
    }
