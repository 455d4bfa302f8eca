"""Carriers having a drop-off code issued for a parcel to send or return from a locker (docs/dropoffs.md)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from parcellocker.api.deps import CallDep
from parcellocker.api.schemas.dropoffs import DropoffCreate
from parcellocker.api.schemas.errors import error_responses
from parcellocker.api.schemas.shipments import ShipmentPublic
from parcellocker.domain.shipment import Shipment
from parcellocker.service.dropoffs import IssueDropoffCode, issue_dropoff_code

router = APIRouter(prefix="/dropoffs", tags=["dropoffs"])


@router.post(
    "",
    status_code=201,
    response_model=ShipmentPublic,
    responses=error_responses(400, 401, 403, 404, 409, 422),
    summary="Have a drop-off code issued for a parcel to send or return (carrier)",
)
async def create_dropoff(dropoff_in: DropoffCreate, call: CallDep) -> Any:
    """The shipment, `announced` with `kind` `send` or `return`. Its drop-off code is sent to the sender (e-mail
    and/or SMS) and kept only as its HMAC: it is never in an answer. At the locker the sender chooses "Send a parcel"
    and types the code; a compartment the parcel fits opens, and the door closing makes it `dropped_off`. A courier
    of the carrier collects it (`collected`), and `POST /shipments/{id}/handover` confirms the carrier has it
    (`handed_to_carrier`). `POST /shipments/{id}/cancel` kills an unused code."""
    command = IssueDropoffCode(
        by=call.principal,
        tracking_number=dropoff_in.tracking_number,
        locker_id=dropoff_in.locker_id,
        parcel=dropoff_in.parcel(),
        sender=dropoff_in.sender.to_domain(),
        kind=dropoff_in.shipment_kind(),
        valid_for=dropoff_in.valid_for(),
    )
    return await call.run(issue_dropoff_code, command, _public)


def _public(shipment: Shipment) -> dict[str, Any]:
    return ShipmentPublic.from_domain(shipment).model_dump(mode="json")
