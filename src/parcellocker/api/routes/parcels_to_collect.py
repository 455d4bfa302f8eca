"""Couriers taking expired parcels back from a locker: the list of what waits for them there."""

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
    summary="Expired parcels of your carrier waiting in this locker (courier)",
)
async def read_collections(locker_id: LockerIdPath, services: ServicesDep, principal: PrincipalDep) -> Any:
    """Each with its tracking number, the compartment it is in and since when it expired, the longest expired
    first. Taking them out is not offered yet."""
    parcels = await services.read(list_parcels_to_collect, ListParcelsToCollect(principal, locker_id))
    return [ParcelToCollectPublic.from_domain(parcel).model_dump(mode="json") for parcel in parcels]
