"""The shipments whose time has come: reminders due, deadlines passed, personal data to erase.

Each search locks the rows it returns for the unit of work, skipping rows another transaction holds (FOR UPDATE
SKIP LOCKED on PostgreSQL; SQLite ignores the clause, its unit of work holding the only write lock): two server
processes running the scheduler against one database each take different shipments, and a shipment one of them
has dealt with no longer matches once it commits (its `remind_at` is cleared, its state moved on, its erasure
time set), so nothing is done twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, or_, select

from parcellocker.adapters.db.shipments import SHIPMENT_COLUMNS, shipment_from_row
from parcellocker.adapters.db.tables import compartments, shipments
from parcellocker.adapters.db.transaction import Transaction
from parcellocker.domain.compartment import PendingAction
from parcellocker.domain.shipment import Shipment, ShipmentState
from parcellocker.service.ports import ShipmentCalendar

s, c = shipments.c, compartments.c
_STORED = ShipmentState.STORED.value

_DUE_REMINDERS = (
    select(*SHIPMENT_COLUMNS)
    .where(s.remind_at <= bindparam("now"), s.state == _STORED, s.pickup_deadline > bindparam("now"))
    .order_by(s.remind_at, s.id)
    .limit(bindparam("limit"))
    .with_for_update(skip_locked=True)
)
# A parcel whose compartment is open for its pickup right now is left to the pickup (the door closing settles it).
_DUE_EXPIRIES = (
    select(*SHIPMENT_COLUMNS)
    .select_from(shipments.outerjoin(compartments, c.id == s.compartment_id))
    .where(
        s.state == _STORED,
        s.pickup_deadline <= bindparam("now"),
        or_(c.pending.is_(None), c.pending != PendingAction.PICKUP.value),
    )
    .order_by(s.pickup_deadline, s.id)
    .limit(bindparam("limit"))
    .with_for_update(skip_locked=True, of=shipments)
)
_ENDED_BEFORE = (
    select(*SHIPMENT_COLUMNS)
    .where(s.ended_at < bindparam("cutoff"), s.personal_data_erased_at.is_(None))
    .order_by(s.ended_at, s.id)
    .limit(bindparam("limit"))
    .with_for_update(skip_locked=True)
)


class SqlShipmentCalendar(ShipmentCalendar):
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    async def due_reminders(self, now: datetime, limit: int) -> list[Shipment]:
        return await self._shipments(_DUE_REMINDERS, {"now": now, "limit": limit})

    async def due_expiries(self, now: datetime, limit: int) -> list[Shipment]:
        return await self._shipments(_DUE_EXPIRIES, {"now": now, "limit": limit})

    async def ended_before(self, cutoff: datetime, limit: int) -> list[Shipment]:
        return await self._shipments(_ENDED_BEFORE, {"cutoff": cutoff, "limit": limit})

    async def _shipments(self, statement: Select[Any], parameters: dict[str, Any]) -> list[Shipment]:
        return [shipment_from_row(row) for row in await self._tx.execute(statement, parameters)]
