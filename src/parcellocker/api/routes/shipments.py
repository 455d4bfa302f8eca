"""Shipments: announced by carriers, looked up, cancelled; their deadline extended, redirected, returned, handed
over to their carriers (parcels dropped off at a locker)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from parcellocker.api.deps import CallDep, PrincipalDep, ServicesDep
from parcellocker.api.routes.terminal_link import CommandBellDep
from parcellocker.api.schemas.errors import error_responses
from parcellocker.api.schemas.shipments import RedirectCreate, ShipmentCreate, ShipmentPublic
from parcellocker.api.schemas.transitions import TransitionPublic
from parcellocker.domain.events import Transition
from parcellocker.domain.shipment import Shipment
from parcellocker.service.collecting import HandOverShipment, ReturnShipment, hand_over_shipment, return_shipment
from parcellocker.service.extensions import ExtendDeadline, extend_deadline
from parcellocker.service.redirects import RedirectShipment, redirect_shipment
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
async def create_shipment(shipment_in: ShipmentCreate, call: CallDep) -> Any:
    """Tells the locker a parcel is coming: by size class, by dimensions, or both."""
    command = AnnounceShipment(
        by=call.principal,
        tracking_number=shipment_in.tracking_number,
        locker_id=shipment_in.locker_id,
        parcel=shipment_in.parcel(),
        recipient=shipment_in.recipient.to_domain(),
        reachable_height=shipment_in.reachable_height,
    )
    return await call.run(announce_shipment, command, _public)


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
async def cancel_shipment_route(shipment_id: ShipmentId, call: CallDep) -> Any:
    return await call.run(cancel_shipment, CancelShipment(call.principal, shipment_id), _public)


@router.post(
    "/{shipment_id}/extend",
    response_model=ShipmentPublic,
    responses=error_responses(401, 403, 404, 409),
    summary="Extend the pickup deadline, once (carrier)",
)
async def create_extension(shipment_id: ShipmentId, call: CallDep, bell: CommandBellDep) -> Any:
    """Moves the deadline of a stored parcel later by the carrier's or locker's policy (48 hours by default);
    the new deadline gets a reminder of its own. A second extension is 409 `already_extended`; after the deadline,
    409 `deadline_passed`. The recipient can do the same once, with the link in their message."""
    body = await call.run(extend_deadline, ExtendDeadline(call.principal, shipment_id), _public)
    bell.ring(body["locker_id"])  # its terminal fetches the new deadline
    return body


@router.post(
    "/{shipment_id}/redirect",
    response_model=ShipmentPublic,
    responses=error_responses(400, 401, 403, 404, 409, 422),
    summary="Send a stored parcel to another locker (carrier)",
)
async def create_redirect(
    shipment_id: ShipmentId,
    redirect_in: RedirectCreate,
    call: CallDep,
    bell: CommandBellDep,
) -> Any:
    """The pickup code dies at once and the parcel (`redirected`) goes on the collection list of the carrier's
    couriers at its locker. When a courier has collected it, the same shipment is `announced` for the new locker
    (its history kept); depositing it there issues a new code and tells the recipient."""
    command = RedirectShipment(call.principal, shipment_id, redirect_in.to_locker_id)
    body = await call.run(redirect_shipment, command, _public)
    bell.ring(body["locker_id"])  # its terminal drops the code from its sheet
    return body


@router.post(
    "/{shipment_id}/return",
    response_model=ShipmentPublic,
    responses=error_responses(401, 403, 404, 409),
    summary="Confirm a collected parcel is back with its sender (carrier)",
)
async def create_return(shipment_id: ShipmentId, call: CallDep) -> Any:
    """`collected` → `returned`: the shipment has ended."""
    return await call.run(return_shipment, ReturnShipment(call.principal, shipment_id), _public)


@router.post(
    "/{shipment_id}/handover",
    response_model=ShipmentPublic,
    responses=error_responses(401, 403, 404, 409),
    summary="Confirm the carrier has a parcel dropped off at a locker and collected (carrier)",
)
async def create_handover(shipment_id: ShipmentId, call: CallDep) -> Any:
    """A parcel sent or returned from a locker (`kind` `send` or `return`): `collected` → `handed_to_carrier`; the
    shipment has ended. A delivery, or a parcel not yet collected, is 409."""
    return await call.run(hand_over_shipment, HandOverShipment(call.principal, shipment_id), _public)


def _public(shipment: Shipment) -> dict[str, Any]:
    return ShipmentPublic.from_domain(shipment).model_dump(mode="json")
