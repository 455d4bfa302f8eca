"""A compartment as a row: the columns a compartment is read from, in order, and the values it is written with."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from parcellocker.adapters.db.tables import compartments
from parcellocker.domain.compartment import Compartment, CompartmentState, CompartmentUse, DoorState, PendingAction
from parcellocker.domain.sizes import Size

c = compartments.c
# The columns compartment_from_row reads, in the order it reads them.
COMPARTMENT_COLUMNS = (
    c.id,
    c.locker_id,
    c.number,
    c.size,
    c.board,
    c.channel,
    c.state,
    c.door,
    c.pending,
    c.shipment_id,
    c.out_of_order_reason,
    c.version,
    c.reachable,
    c.use,
    c.rental_id,
    c.reserved_for_carrier_id,
)
_SIZES = {size.value: size for size in Size}
_STATES = {state.value: state for state in CompartmentState}
_DOORS = {door.value: door for door in DoorState}
_PENDING = {action.value: action for action in PendingAction}
_USES = {use.value: use for use in CompartmentUse}


def compartment_from_row(row: Sequence[Any]) -> Compartment:
    """A compartment from a row that starts with COMPARTMENT_COLUMNS.

    Read by position, with the enums looked up in dicts: a locker is loaded with all its compartments on most
    requests, so this runs often.
    """
    (ident, locker_id, number, size, board, channel, state, door, pending, shipment_id, reason, version, reachable,
     use, rental_id, carrier_id) = row[: len(COMPARTMENT_COLUMNS)]  # fmt: skip
    return Compartment(
        id=ident,
        locker_id=locker_id,
        number=number,
        size=_SIZES[size],
        board=board,
        channel=channel,
        state=_STATES[state],
        door=_DOORS[door],
        shipment_id=shipment_id,
        pending=None if pending is None else _PENDING[pending],
        out_of_order_reason=reason,
        version=version,
        reachable=reachable,
        use=_USES[use],
        rental_id=rental_id,
        reserved_for_carrier_id=carrier_id,
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
        "reachable": compartment.reachable,
        "use": compartment.use.value,
        "rental_id": compartment.rental_id,
        "reserved_for_carrier_id": compartment.reserved_for_carrier_id,
    }
