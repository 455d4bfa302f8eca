"""Recipients collecting parcels at a locker, through its terminal."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter

from parcellocker.api.deps import CallDep
from parcellocker.api.locked_out_door import code_try
from parcellocker.api.schemas.doors import (
    CompartmentReopenedPublic,
    CompartmentToOpen,
    PickupCreate,
    PickupReopenCreate,
)
from parcellocker.api.schemas.errors import error_responses
from parcellocker.api.schemas.lockers import LockerIdPath
from parcellocker.domain.compartment import Compartment
from parcellocker.service.deposits import CompartmentOpened
from parcellocker.service.pickups import PickUpParcel, ReopenAfterPickup, pick_up_parcel, reopen_after_pickup

router = APIRouter(prefix="/lockers/{locker_id}/pickups", tags=["pickups"])


@router.post(
    "",
    response_model=CompartmentToOpen,
    responses=error_responses(400, 401, 403, 404, 422, 429),
    summary="Pick up a parcel by code or QR token (terminal): the compartment to open",
)
@code_try
async def create_pickup(
    locker_id: LockerIdPath,
    pickup_in: PickupCreate,
    call: CallDep,
) -> Any:
    """A wrong code answers 404 `pickup_code_not_found` whether or not such a code ever existed, with
    `remaining_tries`; too many wrong codes lock the locker out for a growing delay (429 with Retry-After)."""
    command = PickUpParcel(call.principal, locker_id, code=pickup_in.code, qr_token=pickup_in.qr_token)
    return await call.run(pick_up_parcel, command, _to_open)


@router.post(
    "/reopen",
    response_model=CompartmentReopenedPublic,
    responses=error_responses(401, 403, 404, 409, 422),
    summary="Open a compartment again for the person who just picked up from it (terminal)",
)
async def create_pickup_reopening(
    locker_id: LockerIdPath,
    reopen_in: PickupReopenCreate,
    call: CallDep,
) -> Any:
    """Within 30 s of the pickup's door closing, while the compartment is still free with nothing under way (409
    `reopen_refused` otherwise): the person forgot something inside. The door's opening is then expected."""
    command = ReopenAfterPickup(call.principal, locker_id, reopen_in.shipment_id, reopen_in.compartment)
    return await call.run(reopen_after_pickup, command, _reopened(reopen_in.shipment_id))


def _reopened(shipment_id: str) -> Callable[[Compartment], dict[str, Any]]:
    def render(compartment: Compartment) -> dict[str, Any]:
        return CompartmentReopenedPublic(compartment=compartment.number, shipment_id=shipment_id).model_dump()

    return render


def _to_open(opened: CompartmentOpened) -> dict[str, Any]:
    return CompartmentToOpen.from_domain(opened).model_dump(mode="json")
