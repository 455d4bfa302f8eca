"""Operators taking a compartment out of order and back into service (opening one remotely is a terminal command:
`POST /lockers/{locker_id}/commands` with `open_compartment`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path

from parcellocker.api.deps import CallDep
from parcellocker.api.schemas.errors import error_responses
from parcellocker.api.schemas.lockers import CompartmentPublic, LockerIdPath, OutOfOrderCreate
from parcellocker.domain.compartment import Compartment
from parcellocker.service.maintenance import (
    ReturnCompartmentToService,
    TakeCompartmentOutOfOrder,
    return_compartment_to_service,
    take_compartment_out_of_order,
)

router = APIRouter(prefix="/lockers/{locker_id}/compartments", tags=["lockers"])

CompartmentNumberPath = Annotated[int, Path(ge=1, le=100_000, description="The number on the door.")]


@router.post(
    "/{number}/out-of-order",
    response_model=CompartmentPublic,
    responses=error_responses(401, 403, 404, 409, 422),
    summary="Take a compartment out of order (operator)",
)
async def create_out_of_order(
    locker_id: LockerIdPath,
    number: CompartmentNumberPath,
    out_of_order_in: OutOfOrderCreate,
    call: CallDep,
) -> Any:
    """No parcel goes in it until it is returned to service. 409 while it holds a parcel or a deposit is under way
    in it, or when it is out of order already."""
    command = TakeCompartmentOutOfOrder(call.principal, locker_id, number, out_of_order_in.reason)
    return await call.run(take_compartment_out_of_order, command, _public)


@router.post(
    "/{number}/return-to-service",
    response_model=CompartmentPublic,
    responses=error_responses(401, 403, 404, 409),
    summary="Return a compartment to service (operator)",
)
async def create_return_to_service(
    locker_id: LockerIdPath,
    number: CompartmentNumberPath,
    call: CallDep,
) -> Any:
    """Free for parcels again. 409 unless it is out of order, or while its door is open."""
    command = ReturnCompartmentToService(call.principal, locker_id, number)
    return await call.run(return_compartment_to_service, command, _public)


def _public(compartment: Compartment) -> dict[str, Any]:
    return CompartmentPublic.from_domain(compartment).model_dump(mode="json")
