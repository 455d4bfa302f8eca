"""Couriers collecting parcels from a locker: expired ones, and ones redirected to another locker. (The list of
what to collect is `GET` on the same path.)"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from parcellocker.api.deps import CallDep
from parcellocker.api.schemas.doors import CollectionCreate, CompartmentToOpen
from parcellocker.api.schemas.errors import error_responses
from parcellocker.api.schemas.lockers import LockerIdPath
from parcellocker.service.collecting import CollectParcel, collect_parcel
from parcellocker.service.deposits import CompartmentOpened

router = APIRouter(prefix="/lockers/{locker_id}/collections", tags=["collections"])


@router.post(
    "",
    response_model=CompartmentToOpen,
    responses=error_responses(400, 401, 403, 404, 409, 422),
    summary="Collect an expired or redirected parcel (courier): the compartment to open",
)
async def create_collection(
    locker_id: LockerIdPath,
    collection_in: CollectionCreate,
    call: CallDep,
) -> Any:
    """When the door closes again (`door-events`, outcome `parcel_collected`), an expired parcel is `collected`
    and a redirected one is `announced` for its new locker; the compartment is free. Asking again for the same
    parcel gives the same door. A parcel still waiting for its recipient is 409."""
    command = CollectParcel(call.principal, locker_id, collection_in.tracking_number)
    return await call.run(collect_parcel, command, _to_open)


def _to_open(opened: CompartmentOpened) -> dict[str, Any]:
    return CompartmentToOpen.from_domain(opened).model_dump(mode="json")
