"""Shipments: announcing, finding (by tracking number, by pickup code), locking for a deposit, saving."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, and_, bindparam, exists, func, insert, or_, select, update

from parcellocker.adapters.db.compartment_rows import COMPARTMENT_COLUMNS, compartment_from_row
from parcellocker.adapters.db.lockers import SIZE_COLUMNS, sizes_from_row
from parcellocker.adapters.db.lockouts import LOCKOUT_COLUMNS
from parcellocker.adapters.db.preloaded import PreloadedRows
from parcellocker.adapters.db.tables import compartments, lockers, lockouts, shipments, transitions
from parcellocker.adapters.db.transaction import DuplicateRow, Transaction
from parcellocker.adapters.db.transitions import TransitionLog
from parcellocker.adapters.db.writes import Write
from parcellocker.domain.errors import ConcurrencyConflict, DuplicateTrackingNumber, PickupCodeTaken
from parcellocker.domain.shipment import TO_BE_COLLECTED_STATES, Recipient, Shipment, ShipmentKind, ShipmentState
from parcellocker.domain.sizes import Dimensions, ParcelSpec, Size
from parcellocker.service.ports import ParcelToCollect, ShipmentRepository

s = shipments.c
_STATES = {state.value: state for state in ShipmentState}
_KINDS = {kind.value: kind for kind in ShipmentKind}
_SIZES = {size.value: size for size in Size}

# The columns shipment_from_row reads, in the order it reads them.
SHIPMENT_COLUMNS = (
    s.id,
    s.tracking_number,
    s.carrier_id,
    s.locker_id,
    s.parcel_size,
    s.parcel_height_mm,
    s.parcel_width_mm,
    s.parcel_depth_mm,
    s.recipient_email,
    s.recipient_phone,
    s.recipient_name,
    s.recipient_language,
    s.created_at,
    s.state,
    s.compartment_id,
    s.deposited_size,
    s.pickup_code_hash,
    s.pickup_deadline,
    s.stored_at,
    s.picked_up_at,
    s.version,
    s.reachable_height,
    s.extensions,
    s.remind_at,
    s.redirect_to_locker_id,
    s.ended_at,
    s.personal_data_erased_at,
    s.kind,
    s.dropoff_code_hash,
    s.dropoff_code_expires_at,
)
_SHIPMENT_END = len(SHIPMENT_COLUMNS)
_COMPARTMENT_END = _SHIPMENT_END + len(COMPARTMENT_COLUMNS)
_ADD = insert(shipments)
_BY_ID = select(*SHIPMENT_COLUMNS).where(s.id == bindparam("shipment_id"))
_BY_TRACKING_NUMBER = (
    select(*SHIPMENT_COLUMNS).where(s.tracking_number == bindparam("tracking_number")).order_by(s.created_at, s.id)
)
_BY_CARRIER_AND_TRACKING_NUMBER = _BY_TRACKING_NUMBER.where(s.carrier_id == bindparam("carrier_id"))
# Locked (FOR UPDATE on PostgreSQL), so two scans of one parcel cannot both open a door.
# With its locker's sizes, which the deposit reads next (preloaded.py); only the shipment's row is locked.
_FOR_DEPOSIT = (
    select(*SHIPMENT_COLUMNS, *SIZE_COLUMNS)
    .select_from(shipments.join(lockers, lockers.c.id == s.locker_id))
    .where(s.carrier_id == bindparam("carrier_id"), s.tracking_number == bindparam("tracking_number"))
    .order_by(s.created_at.desc())
    .limit(1)
    .with_for_update(of=shipments)
)
# With its compartment, which a pickup opens next, and the lockout record it checks (preloaded.py; the record by
# its primary key). The compartment is looked for at the locker only, so that whatever join the planner picks reads
# that locker's compartments at most, never all of them.
_BY_PICKUP_CODE = (
    select(*SHIPMENT_COLUMNS, *COMPARTMENT_COLUMNS, *LOCKOUT_COLUMNS)
    .select_from(
        shipments.outerjoin(
            compartments,
            and_(compartments.c.locker_id == bindparam("locker_id"), compartments.c.id == s.compartment_id),
        ).outerjoin(lockouts, lockouts.c.key == bindparam("lockout_key"))
    )
    .where(s.locker_id == bindparam("locker_id"), s.pickup_code_hash == bindparam("code_hash"))
)
# Locked (FOR UPDATE on PostgreSQL), so that a code typed twice at once opens one door.
_BY_DROPOFF_CODE = (
    select(*SHIPMENT_COLUMNS)
    .where(s.locker_id == bindparam("locker_id"), s.dropoff_code_hash == bindparam("code_hash"))
    .with_for_update()
)
_CODE_IN_USE = select(
    exists().where(s.locker_id == bindparam("locker_id"), s.pickup_code_hash == bindparam("code_hash"))
)
# Since when each shipment to collect waits: its latest transition to the state it is in (`expired`,
# `redirected` or `dropped_off`); the deadline, should that record be missing.
_WAITING_SINCE = (
    select(func.max(transitions.c.at))
    .where(
        transitions.c.subject == "shipment",
        transitions.c.subject_id == s.id,
        transitions.c.to_state == s.state,
    )
    .scalar_subquery()
)
_AWAITING_COLLECTION = (
    select(
        s.id,
        s.tracking_number,
        compartments.c.number,
        func.coalesce(_WAITING_SINCE, s.pickup_deadline, s.created_at),
        s.state,
        s.kind,
    )
    .select_from(shipments.join(compartments, compartments.c.id == s.compartment_id))
    .where(
        s.carrier_id == bindparam("carrier_id"),
        s.locker_id == bindparam("locker_id"),
        or_(*(s.state == state.value for state in sorted(TO_BE_COLLECTED_STATES))),  # no expanding IN (asyncpg)
    )
    .order_by(compartments.c.number)
)
_SAVE = update(shipments).where(s.id == bindparam("match_id"), s.version == bindparam("match_version"))
# What the operator's picture of a locker shows on each door: one row per compartment holding (or awaiting) a parcel.
# Each shipment is looked up by its key from its compartment (a subquery per row, not a join): with a join,
# PostgreSQL may choose to hash every shipment ever stored when it expects few of them in the locker.
_TRACKING_NUMBERS_IN = select(
    compartments.c.number,
    select(s.tracking_number).where(s.id == compartments.c.shipment_id).scalar_subquery().label("tracking_number"),
).where(compartments.c.locker_id == bindparam("locker_id"), compartments.c.shipment_id.is_not(None))


class SqlShipmentRepository(ShipmentRepository):
    def __init__(self, tx: Transaction, transitions: TransitionLog, preloaded: PreloadedRows) -> None:
        self._tx = tx
        self._transitions = transitions
        self._preloaded = preloaded

    async def add(self, shipment: Shipment) -> None:
        """Sent with the unit of work's next statement (see writes.py): a tracking number the carrier announced
        already raises DuplicateTrackingNumber then."""

        def duplicate(error: DuplicateRow) -> DuplicateTrackingNumber | None:
            if "tracking_number" not in error.detail:
                return None
            return DuplicateTrackingNumber(
                f"tracking number {shipment.tracking_number} was already announced by your carrier; "
                "use a new tracking number or look the shipment up"
            )

        self._preloaded.shipments.forget(shipment.id)
        values = {"id": shipment.id, "version": shipment.version, **_values(shipment)}
        await self._tx.write(Write(_ADD, values, row=("shipments", shipment.id), duplicate=duplicate))
        self._transitions.take(shipment.events, shipment)

    async def get(self, shipment_id: str) -> Shipment | None:
        preloaded = self._preloaded.shipments.take(shipment_id)
        if preloaded is not None:
            return preloaded
        return await self._first(_BY_ID, {"shipment_id": shipment_id})

    async def by_tracking_number(self, carrier_id: str | None, tracking_number: str) -> list[Shipment]:
        if carrier_id is None:
            rows = await self._tx.execute(_BY_TRACKING_NUMBER, {"tracking_number": tracking_number})
        else:
            parameters = {"tracking_number": tracking_number, "carrier_id": carrier_id}
            rows = await self._tx.execute(_BY_CARRIER_AND_TRACKING_NUMBER, parameters)
        return [shipment_from_row(row) for row in rows]

    async def for_deposit(self, carrier_id: str, tracking_number: str) -> Shipment | None:
        parameters = {"carrier_id": carrier_id, "tracking_number": tracking_number}
        row = (await self._tx.execute(_FOR_DEPOSIT, parameters)).first()
        if row is None:
            return None
        shipment = shipment_from_row(row[:_SHIPMENT_END])
        self._preloaded.sizes.keep(shipment.locker_id, sizes_from_row(row[_SHIPMENT_END:]))
        return shipment

    async def by_pickup_code(
        self, locker_id: str, code_hash: str, *, lockout_key: str | None = None
    ) -> Shipment | None:
        parameters = {"locker_id": locker_id, "code_hash": code_hash, "lockout_key": lockout_key}
        row = (await self._tx.execute(_BY_PICKUP_CODE, parameters)).first()
        if row is None:
            return None
        if row[_SHIPMENT_END] is not None:
            compartment = compartment_from_row(row[_SHIPMENT_END:_COMPARTMENT_END])
            self._preloaded.compartments.keep(compartment.id, compartment)
        if lockout_key is not None:
            self._preloaded.lockout_rows.keep(lockout_key, row[_COMPARTMENT_END:])
        return shipment_from_row(row[:_SHIPMENT_END])

    async def by_dropoff_code(self, locker_id: str, code_hash: str) -> Shipment | None:
        return await self._first(_BY_DROPOFF_CODE, {"locker_id": locker_id, "code_hash": code_hash})

    async def awaiting_collection(self, carrier_id: str, locker_id: str) -> list[ParcelToCollect]:
        rows = await self._tx.execute(_AWAITING_COLLECTION, {"carrier_id": carrier_id, "locker_id": locker_id})
        parcels = [ParcelToCollect(*row) for row in rows]
        return sorted(parcels, key=lambda parcel: (parcel.expired_at, parcel.compartment_number))

    async def pickup_code_in_use(self, locker_id: str, code_hash: str) -> bool:
        result = await self._tx.execute(_CODE_IN_USE, {"locker_id": locker_id, "code_hash": code_hash})
        return bool(result.scalar())

    async def save(self, shipment: Shipment) -> None:
        """A pickup code live at the locker already is PickupCodeTaken (the unique key of the locker and the code's
        hash); a compartment taken meanwhile by another transaction is a ConcurrencyConflict too."""

        def duplicate(error: DuplicateRow) -> PickupCodeTaken | None:
            if "pickup_code_hash" not in error.detail:
                return None
            return PickupCodeTaken(
                f"the pickup code drawn for parcel {shipment.tracking_number} is live at locker {shipment.locker_id} "
                "already; a new one is drawn when the request is tried again (should it keep happening, the locker "
                "has too many live codes for the code length)"
            )

        parameters = {
            "match_id": shipment.id,
            "match_version": shipment.version,
            "version": shipment.version + 1,
            **_values(shipment),
        }
        self._preloaded.shipments.forget(shipment.id)
        stale = ConcurrencyConflict(f"shipment {shipment.tracking_number} was changed meanwhile; try again")
        await self._tx.write(Write(_SAVE, parameters, row=("shipments", shipment.id), stale=stale, duplicate=duplicate))
        shipment.version += 1
        self._transitions.take(shipment.events, shipment)

    async def tracking_numbers_in(self, locker_id: str) -> dict[int, str]:
        rows = await self._tx.execute(_TRACKING_NUMBERS_IN, {"locker_id": locker_id})
        return {number: tracking_number for number, tracking_number in rows if tracking_number is not None}

    async def _first(self, statement: Select[Any], parameters: dict[str, Any]) -> Shipment | None:
        row = (await self._tx.execute(statement, parameters)).first()
        return None if row is None else shipment_from_row(row)


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
        "reachable_height": shipment.reachable_height,
        "extensions": shipment.extensions,
        "remind_at": shipment.remind_at,
        "redirect_to_locker_id": shipment.redirect_to_locker_id,
        "ended_at": shipment.ended_at,
        "personal_data_erased_at": shipment.personal_data_erased_at,
        "kind": shipment.kind.value,
        "dropoff_code_hash": shipment.dropoff_code_hash,
        "dropoff_code_expires_at": shipment.dropoff_code_expires_at,
    }


def shipment_from_row(row: Sequence[Any]) -> Shipment:
    """A shipment from a row of SHIPMENT_COLUMNS (exactly those), read by position."""
    (
        ident,
        tracking_number,
        carrier_id,
        locker_id,
        parcel_size,
        height,
        width,
        depth,
        email,
        phone,
        name,
        language,
        created_at,
        state,
        compartment_id,
        deposited_size,
        code_hash,
        deadline,
        stored_at,
        picked_up_at,
        version,
        reachable_height,
        extensions,
        remind_at,
        redirect_to_locker_id,
        ended_at,
        erased_at,
        kind,
        dropoff_code_hash,
        dropoff_code_expires_at,
    ) = row
    return Shipment(
        id=ident,
        tracking_number=tracking_number,
        carrier_id=carrier_id,
        locker_id=locker_id,
        parcel=ParcelSpec(
            None if parcel_size is None else _SIZES[parcel_size],
            None if height is None else Dimensions(height, width, depth),
        ),
        recipient=Recipient(email=email, phone=phone, name=name, language=language, erased=erased_at is not None),
        created_at=created_at,
        state=_STATES[state],
        compartment_id=compartment_id,
        deposited_size=None if deposited_size is None else _SIZES[deposited_size],
        pickup_code_hash=code_hash,
        pickup_deadline=deadline,
        stored_at=stored_at,
        picked_up_at=picked_up_at,
        version=version,
        reachable_height=reachable_height,
        extensions=extensions,
        remind_at=remind_at,
        redirect_to_locker_id=redirect_to_locker_id,
        ended_at=ended_at,
        personal_data_erased_at=erased_at,
        kind=_KINDS[kind],
        dropoff_code_hash=dropoff_code_hash,
        dropoff_code_expires_at=dropoff_code_expires_at,
    )
