"""Operators setting aside compartments of a locker for one carrier, at a site that several carriers serve."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from parcellocker.api.deps import CallDep, PrincipalDep, ServicesDep
from parcellocker.api.schemas.carrier_shares import CarrierIdPath, CarrierSharePublic, CarrierShareUpdate
from parcellocker.api.schemas.errors import error_responses
from parcellocker.api.schemas.lockers import LockerIdPath
from parcellocker.domain.carrier_shares import CarrierShare
from parcellocker.service.carrier_shares import (
    ReadCarrierShares,
    SetCarrierShare,
    read_carrier_shares,
    set_carrier_share,
)

router = APIRouter(prefix="/lockers/{locker_id}/carrier-shares", tags=["carrier shares"])


@router.get(
    "",
    response_model=list[CarrierSharePublic],
    responses=error_responses(401, 403, 404),
    summary="The carriers' shares of a locker (operator; a carrier or courier: its own)",
)
async def read_shares(locker_id: LockerIdPath, services: ServicesDep, principal: PrincipalDep) -> Any:
    """Each carrier with compartments set aside here. A carrier's parcels go into its share first, then into the
    pool (the compartments of no share), never into another carrier's share."""
    shares = await services.read(read_carrier_shares, ReadCarrierShares(principal, locker_id))
    return [_public(share) for share in shares]


@router.put(
    "/{carrier_id}",
    response_model=CarrierSharePublic,
    responses=error_responses(401, 403, 404, 409, 422),
    summary="Set a carrier's share of a locker (operator)",
)
async def update_share(
    locker_id: LockerIdPath,
    carrier_id: CarrierIdPath,
    share_in: CarrierShareUpdate,
    call: CallDep,
) -> Any:
    """The share becomes exactly the compartments given, or as many of each size as asked; the carrier's other
    compartments go back to the pool. Parcels already in a compartment stay there: the share applies to the
    deposits that follow."""
    numbers = None if share_in.compartments is None else tuple(share_in.compartments)
    command = SetCarrierShare(call.principal, locker_id, carrier_id, numbers, share_in.sizes)
    return await call.run(set_carrier_share, command, _public)


@router.delete(
    "/{carrier_id}",
    response_model=CarrierSharePublic,
    responses=error_responses(401, 403, 404),
    summary="Give a carrier's share of a locker back to the pool (operator)",
)
async def delete_share(
    locker_id: LockerIdPath,
    carrier_id: CarrierIdPath,
    call: CallDep,
) -> Any:
    command = SetCarrierShare(call.principal, locker_id, carrier_id, numbers=())
    return await call.run(set_carrier_share, command, _public)


def _public(share: CarrierShare) -> dict[str, Any]:
    return CarrierSharePublic.from_domain(share).model_dump(mode="json")
