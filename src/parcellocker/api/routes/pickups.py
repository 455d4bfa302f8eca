"""Recipients collecting parcels at a locker, through its terminal."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from parcellocker.api.deps import PrincipalDep, ReplayDep, ServicesDep
from parcellocker.api.schemas.doors import CompartmentToOpen, PickupCreate
from parcellocker.api.schemas.errors import error_responses
from parcellocker.api.schemas.lockers import LockerIdPath
from parcellocker.service.deposits import CompartmentOpened
from parcellocker.service.pickups import PickUpParcel, pick_up_parcel

router = APIRouter(prefix="/lockers/{locker_id}/pickups", tags=["pickups"])


@router.post(
    "",
    response_model=CompartmentToOpen,
    responses=error_responses(400, 401, 403, 404, 422, 429),
    summary="Pick up a parcel by code or QR token (terminal): the compartment to open",
)
async def create_pickup(
    locker_id: LockerIdPath,
    pickup_in: PickupCreate,
    services: ServicesDep,
    principal: PrincipalDep,
    replay: ReplayDep,
) -> Any:
    """A wrong code answers 404 `pickup_code_not_found` whether or not such a code ever existed, with
    `remaining_tries`; too many wrong codes lock the locker out for a growing delay (429 with Retry-After)."""
    command = PickUpParcel(principal, locker_id, code=pickup_in.code, qr_token=pickup_in.qr_token)
    return await services.run(pick_up_parcel, command, _to_open, replay)


def _to_open(opened: CompartmentOpened) -> dict[str, Any]:
    return CompartmentToOpen.from_domain(opened).model_dump(mode="json")
