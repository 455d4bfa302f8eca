"""What a locker's terminal reports when a door opens or closes."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from parcellocker.api.deps import CallDep, OutboxWorkerDep
from parcellocker.api.schemas.doors import DoorEventCreate, DoorEventPublic
from parcellocker.api.schemas.errors import error_responses
from parcellocker.api.schemas.lockers import LockerIdPath
from parcellocker.domain.compartment import DoorState
from parcellocker.service.door_events import DoorEventApplied, ReportDoor, report_door

router = APIRouter(prefix="/lockers/{locker_id}/door-events", tags=["door events"])


@router.post(
    "",
    response_model=DoorEventPublic,
    responses=error_responses(400, 401, 403, 404, 409, 422),
    summary="Report a door opening or closing (terminal)",
)
async def create_door_event(
    locker_id: LockerIdPath,
    event_in: DoorEventCreate,
    call: CallDep,
    outbox: OutboxWorkerDep,
) -> Any:
    """A door closing on a deposit stores the parcel, issues its pickup code and notifies the recipient; a door
    closing after a pickup completes it and frees the compartment. Each `seq` is applied once: sending it again
    answers the first outcome with `replayed: true`."""
    command = ReportDoor(call.principal, locker_id, event_in.compartment, DoorState(event_in.state), event_in.seq)
    body = await call.run(report_door, command, _public)
    if outbox is not None and body["outcome"] == "parcel_stored" and not body["replayed"]:
        outbox.wake()  # the recipient's message was just queued: send it now rather than at the next tick
    return body


def _public(applied: DoorEventApplied) -> dict[str, Any]:
    return DoorEventPublic.from_domain(applied).model_dump(mode="json")
