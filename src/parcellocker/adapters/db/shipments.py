"""Shipments: announcing, finding (by tracking number, by pickup code), locking for a deposit, saving."""

from __future__ import annotations

from typing import Any

from sqlalchemy import RowMapping, Select, exists, insert, select, update

from parcellocker.adapters.db.tables import shipments
from parcellocker.adapters.db.transaction import DuplicateRow, Transaction
from parcellocker.adapters.db.transitions import record_transitions
from parcellocker.domain.errors import ConcurrencyConflict, DuplicateTrackingNumber
from parcellocker.domain.shipment import Recipient, Shipment, ShipmentState
from parcellocker.domain.sizes import Dimensions, ParcelSpec, Size
from parcellocker.service.ports import ShipmentRepository

s = shipments.c


class SqlShipmentRepository(ShipmentRepository):
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    async def add(self, shipment: Shipment) -> None:
        try:
            await self._tx.execute(
                insert(shipments).values(id=shipment.id, version=shipment.version, **_values(shipment))
            )
        except DuplicateRow as error:
            if "tracking_number" not in error.detail:
                raise
            raise DuplicateTrackingNumber(
                f"tracking number {shipment.tracking_number} was already announced by your carrier; "
                "use a new tracking number or look the shipment up"
            ) from error
        await record_transitions(self._tx, shipment.events)

    async def get(self, shipment_id: str) -> Shipment | None:
        return await self._first(select(shipments).where(s.id == shipment_id))

    async def by_tracking_number(self, carrier_id: str | None, tracking_number: str) -> list[Shipment]:
        statement = select(shipments).where(s.tracking_number == tracking_number)
        if carrier_id is not None:
            statement = statement.where(s.carrier_id == carrier_id)
        rows = (await self._tx.execute(statement.order_by(s.created_at, s.id))).mappings()
        return [_shipment(row) for row in rows]

    async def for_deposit(self, carrier_id: str, tracking_number: str) -> Shipment | None:
        """Locked (FOR UPDATE on PostgreSQL) so two scans of one parcel cannot both open a door."""
        return await self._first(
            select(shipments)
            .where(s.carrier_id == carrier_id, s.tracking_number == tracking_number)
            .order_by(s.created_at.desc())
            .limit(1)
            .with_for_update()
        )

    async def by_pickup_code(self, locker_id: str, code_hash: str) -> Shipment | None:
        return await self._first(select(shipments).where(s.locker_id == locker_id, s.pickup_code_hash == code_hash))

    async def pickup_code_in_use(self, locker_id: str, code_hash: str) -> bool:
        in_use = exists().where(s.locker_id == locker_id, s.pickup_code_hash == code_hash)
        return bool((await self._tx.execute(select(in_use))).scalar())

    async def save(self, shipment: Shipment) -> None:
        """A pickup code or compartment taken meanwhile by another transaction is a ConcurrencyConflict too."""
        result = await self._tx.execute(
            update(shipments)
            .where(s.id == shipment.id, s.version == shipment.version)
            .values(**_values(shipment), version=shipment.version + 1)
        )
        if result.rowcount != 1:
            raise ConcurrencyConflict(f"shipment {shipment.tracking_number} was changed meanwhile; try again")
        shipment.version += 1
        await record_transitions(self._tx, shipment.events)

    async def _first(self, statement: Select[Any]) -> Shipment | None:
        row = (await self._tx.execute(statement)).mappings().first()
        return None if row is None else _shipment(row)


def _values(shipment: Shipment) -> dict[str, Any]:
    """Every column but id and version."""
    parcel, recipient, dims = shipment.parcel, shipment.recipient, shipment.parcel.dimensions
    return {
        "tracking_number": shipment.tracking_number,
        "carrier_id": shipment.carrier_id,
        "locker_id": shipment.locker_id,
        "parcel_size": None if parcel.size is None else parcel.size.value,
        "parcel_height_mm": None if dims is None else dims.height_mm,
        "parcel_width_mm": None if dims is None else dims.width_mm,
        "parcel_depth_mm": None if dims is None else dims.depth_mm,
        "recipient_email": recipient.email,
        "recipient_phone": recipient.phone,
        "recipient_name": recipient.name,
        "recipient_language": recipient.language,
        "created_at": shipment.created_at,
        "state": shipment.state.value,
        "compartment_id": shipment.compartment_id,
        "deposited_size": None if shipment.deposited_size is None else shipment.deposited_size.value,
        "pickup_code_hash": shipment.pickup_code_hash,
        "pickup_deadline": shipment.pickup_deadline,
        "stored_at": shipment.stored_at,
        "picked_up_at": shipment.picked_up_at,
    }


def _shipment(row: RowMapping) -> Shipment:
    height = row["parcel_height_mm"]
    dimensions = None if height is None else Dimensions(height, row["parcel_width_mm"], row["parcel_depth_mm"])
    deposited = row["deposited_size"]
    return Shipment(
        id=row["id"],
        tracking_number=row["tracking_number"],
        carrier_id=row["carrier_id"],
        locker_id=row["locker_id"],
        parcel=ParcelSpec(None if row["parcel_size"] is None else Size(row["parcel_size"]), dimensions),
        recipient=Recipient(
            email=row["recipient_email"],
            phone=row["recipient_phone"],
            name=row["recipient_name"],
            language=row["recipient_language"],
        ),
        created_at=row["created_at"],
        state=ShipmentState(row["state"]),
        compartment_id=row["compartment_id"],
        deposited_size=None if deposited is None else Size(deposited),
        pickup_code_hash=row["pickup_code_hash"],
        pickup_deadline=row["pickup_deadline"],
        stored_at=row["stored_at"],
        picked_up_at=row["picked_up_at"],
        version=row["version"],
    )
