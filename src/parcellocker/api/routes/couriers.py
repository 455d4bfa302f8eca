"""Couriers: the people of a carrier who deposit parcels, signing in with a PIN."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from parcellocker.api.deps import CallDep
from parcellocker.api.schemas.accounts import CourierCreate, CourierPublic
from parcellocker.api.schemas.errors import error_responses
from parcellocker.domain.accounts import Courier
from parcellocker.service.accounts import AddCourier, add_courier

router = APIRouter(prefix="/couriers", tags=["couriers"])


@router.post(
    "",
    status_code=201,
    response_model=CourierPublic,
    responses=error_responses(400, 401, 403, 404, 409, 422),
    summary="Add a courier to a carrier (operator)",
)
async def create_courier(courier_in: CourierCreate, call: CallDep) -> Any:
    command = AddCourier(call.principal, courier_in.courier_id, courier_in.carrier_id, courier_in.name, courier_in.pin)
    return await call.run(add_courier, command, _public)


def _public(courier: Courier) -> dict[str, Any]:
    return CourierPublic.from_domain(courier).model_dump(mode="json")
