"""Carriers: the companies whose systems announce shipments with an API key."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from parcellocker.api.deps import CallDep
from parcellocker.api.schemas.accounts import CarrierCreate, CarrierCreated
from parcellocker.api.schemas.errors import error_responses
from parcellocker.service.accounts import AddCarrier, CarrierAdded, add_carrier

router = APIRouter(prefix="/carriers", tags=["carriers"])


@router.post(
    "",
    status_code=201,
    response_model=CarrierCreated,
    responses=error_responses(400, 401, 403, 409, 422),
    summary="Add a carrier (operator): its API key, shown once",
)
async def create_carrier(carrier_in: CarrierCreate, call: CallDep) -> Any:
    shown_once: list[str] = []

    def render(added: CarrierAdded) -> dict[str, Any]:
        # The key is not part of the reply kept for Idempotency-Key replays: it is kept nowhere in clear.
        shown_once.append(added.api_key)
        return CarrierCreated.from_domain(added, with_key=False).model_dump(mode="json")

    body = await call.run(add_carrier, AddCarrier(call.principal, carrier_in.name, carrier_in.carrier_id), render)
    return {**body, "api_key": shown_once[0] if shown_once else None}
