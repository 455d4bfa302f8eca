"""Couriers taking parcels out of a locker (expired ones, and ones redirected to another locker): the list of what
waits for them there. (Collecting one is `POST` on the same path, api/routes/collecting.py.)"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from parcellocker.api.deps import PrincipalDep, ServicesDep
from parcellocker.api.schemas.errors import error_responses
from parcellocker.api.schemas.lockers import LockerIdPath
from parcellocker.api.schemas.parcels_to_collect import ParcelToCollectPublic
from parcellocker.service.parcels_to_collect import ListParcelsToCollect, list_parcels_to_collect

router = APIRouter(prefix="/lockers/{locker_id}/collections", tags=["collections"])


@router.get(
    "",
    response_model=list[ParcelToCollectPublic],
    responses=error_responses(401, 403, 404),
    summary="Expired and redirected parcels of your carrier waiting in this locker (courier)",
)
async def read_collections(locker_id: LockerIdPath, services: ServicesDep, principal: PrincipalDep) -> Any:
    """Each with its tracking number, the compartment it is in, why (`state`: expired or redirected) and since when
    (`expired_at`: when it expired or was redirected), the longest waiting first. `POST` on this path opens the
    compartment of one of them."""
    parcels = await services.read(list_parcels_to_collect, ListParcelsToCollect(principal, locker_id))
    return [ParcelToCollectPublic.from_domain(parcel).model_dump(mode="json") for parcel in parcels]
