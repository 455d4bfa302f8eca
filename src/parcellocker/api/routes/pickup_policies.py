"""Pickup policies: how long parcels wait at a locker, or for a carrier (which overrides the locker)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path

from parcellocker.api.deps import CallDep, PrincipalDep, ServicesDep
from parcellocker.api.schemas.errors import error_responses
from parcellocker.api.schemas.lockers import LockerIdPath
from parcellocker.api.schemas.pickup_policies import PickupPolicyPublic, PickupPolicyUpdate
from parcellocker.domain.pickup_policy import PolicySubject
from parcellocker.service.pickup_policies import (
    GetPickupPolicy,
    SetPickupPolicy,
    SubjectPolicy,
    get_pickup_policy,
    set_pickup_policy,
)

router = APIRouter(tags=["pickup policies"])

CarrierIdPath = Annotated[str, Path(min_length=1, max_length=64, description="The carrier's id.")]


@router.get(
    "/lockers/{locker_id}/pickup-policy",
    response_model=PickupPolicyPublic,
    responses=error_responses(401, 403, 404),
    summary="A locker's pickup policy (operator, carrier)",
)
async def read_locker_policy(locker_id: LockerIdPath, services: ServicesDep, principal: PrincipalDep) -> Any:
    found = await services.read(get_pickup_policy, GetPickupPolicy(principal, PolicySubject.LOCKER, locker_id))
    return _public(found)


@router.put(
    "/lockers/{locker_id}/pickup-policy",
    response_model=PickupPolicyPublic,
    responses=error_responses(400, 401, 403, 404, 422),
    summary="Set a locker's pickup policy (operator)",
)
async def update_locker_policy(
    locker_id: LockerIdPath,
    policy_in: PickupPolicyUpdate,
    call: CallDep,
) -> Any:
    """Holds for parcels stored from now on, where the parcel's carrier sets nothing for that setting."""
    command = SetPickupPolicy(call.principal, PolicySubject.LOCKER, locker_id, policy_in.to_domain())
    return await call.run(set_pickup_policy, command, _public)


@router.get(
    "/carriers/{carrier_id}/pickup-policy",
    response_model=PickupPolicyPublic,
    responses=error_responses(401, 403, 404),
    summary="A carrier's pickup policy (operator, the carrier itself)",
)
async def read_carrier_policy(carrier_id: CarrierIdPath, services: ServicesDep, principal: PrincipalDep) -> Any:
    found = await services.read(get_pickup_policy, GetPickupPolicy(principal, PolicySubject.CARRIER, carrier_id))
    return _public(found)


@router.put(
    "/carriers/{carrier_id}/pickup-policy",
    response_model=PickupPolicyPublic,
    responses=error_responses(400, 401, 403, 404, 422),
    summary="Set a carrier's pickup policy (operator, the carrier itself)",
)
async def update_carrier_policy(
    carrier_id: CarrierIdPath,
    policy_in: PickupPolicyUpdate,
    call: CallDep,
) -> Any:
    """Holds for the carrier's parcels stored from now on, at every locker; each setting it gives overrides the
    locker's."""
    command = SetPickupPolicy(call.principal, PolicySubject.CARRIER, carrier_id, policy_in.to_domain())
    return await call.run(set_pickup_policy, command, _public)


def _public(found: SubjectPolicy) -> dict[str, Any]:
    return PickupPolicyPublic.from_domain(found).model_dump(mode="json")
