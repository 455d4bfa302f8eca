"""Shipments: announced by carriers, looked up, cancelled."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from parcellocker.api.deps import PrincipalDep, ReplayDep, ServicesDep
from parcellocker.api.schemas.errors import error_responses
from parcellocker.api.schemas.shipments import ShipmentCreate, ShipmentPublic
from parcellocker.api.schemas.transitions import TransitionPublic
from parcellocker.domain.events import Transition
from parcellocker.domain.shipment import Shipment
from parcellocker.service.shipment_trace import ReadShipmentHistory, read_shipment_history
from parcellocker.service.shipments import (
    AnnounceShipment,
    CancelShipment,
    FindShipments,
    GetShipment,
    announce_shipment,
    cancel_shipment,
    find_shipments,
    get_shipment,
)

router = APIRouter(prefix="/shipments", tags=["shipments"])

ShipmentId = Annotated[str, Path(min_length=1, max_length=64, description="The shipment's id.")]


@router.post(
    "",
    status_code=201,
    response_model=ShipmentPublic,
    responses=error_responses(400, 401, 403, 404, 409, 422),
    summary="Announce a shipment (carrier)",
)
async def create_shipment(
    shipment_in: ShipmentCreate, services: ServicesDep, principal: PrincipalDep, replay: ReplayDep
) -> Any:
    """Tells the locker a parcel is coming: by size class, by dimensions, or both."""
    command = AnnounceShipment(
        by=principal,
        tracking_number=shipment_in.tracking_number,
        locker_id=shipment_in.locker_id,
        parcel=shipment_in.parcel(),
        recipient=shipment_in.recipient.to_domain(),
        reachable_height=shipment_in.reachable_height,
    )
    return await services.run(announce_shipment, command, _public, replay)


@router.get(
    "",
    response_model=list[ShipmentPublic],
    responses=error_responses(401, 403, 422),
    summary="Find shipments by tracking number",
)
async def read_shipments(
    services: ServicesDep,
    principal: PrincipalDep,
    tracking_number: Annotated[str, Query(min_length=1, max_length=64, examples=["PL123456789"])],
) -> Any:
    """A carrier finds only its own shipments; an operator finds every carrier's."""
    shipments = await services.read(find_shipments, FindShipments(principal, tracking_number))
    return [_public(shipment) for shipment in shipments]


@router.get(
    "/{shipment_id}", response_model=ShipmentPublic, responses=error_responses(401, 404), summary="Look at a shipment"
)
async def read_shipment(shipment_id: ShipmentId, services: ServicesDep, principal: PrincipalDep) -> Any:
    return _public(await services.read(get_shipment, GetShipment(principal, shipment_id)))


@router.get(
    "/{shipment_id}/history",
    response_model=list[TransitionPublic],
    responses=error_responses(401, 404),
    summary="Every transition of a shipment",
)
async def read_shipment_history_route(shipment_id: ShipmentId, services: ServicesDep, principal: PrincipalDep) -> Any:
    """Oldest first, each with its time, actor and reason (a carrier sees its own shipments' only)."""
    history: list[Transition] = await services.read(read_shipment_history, ReadShipmentHistory(principal, shipment_id))
    return [TransitionPublic.from_domain(transition).model_dump(mode="json") for transition in history]


@router.post(
    "/{shipment_id}/cancel",
    response_model=ShipmentPublic,
    responses=error_responses(401, 403, 404, 409),
    summary="Cancel a shipment not yet deposited",
)
async def cancel_shipment_route(
    shipment_id: ShipmentId, services: ServicesDep, principal: PrincipalDep, replay: ReplayDep
) -> Any:
    return await services.run(cancel_shipment, CancelShipment(principal, shipment_id), _public, replay)


def _public(shipment: Shipment) -> dict[str, Any]:
    return ShipmentPublic.from_domain(shipment).model_dump(mode="json")
