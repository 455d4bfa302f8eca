"""Senders dropping parcels off at a locker, through its terminal: the drop-off code opens a compartment."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from parcellocker.api.deps import CallDep
from parcellocker.api.locked_out_door import code_try
from parcellocker.api.schemas.doors import CompartmentToOpen, LockerDropoffCreate, LockerDropoffProblemCreate
from parcellocker.api.schemas.errors import error_responses
from parcellocker.api.schemas.lockers import LockerIdPath
from parcellocker.service.deposits import CompartmentOpened
from parcellocker.service.dropoffs import (
    DropOffParcel,
    ReportDropoffProblem,
    drop_off_parcel,
    report_dropoff_problem,
)

router = APIRouter(prefix="/lockers/{locker_id}/dropoffs", tags=["dropoffs"])


@router.post(
    "",
    response_model=CompartmentToOpen,
    responses=error_responses(400, 401, 403, 404, 409, 422, 429),
    summary="Drop a parcel off with its drop-off code (terminal): the compartment to open",
)
@code_try
async def create_locker_dropoff(
    locker_id: LockerIdPath,
    dropoff_in: LockerDropoffCreate,
    call: CallDep,
) -> Any:
    """A free compartment the parcel fits, in its carrier's share or the pool; the same one when the code is typed
    again while it is open. When its door closes (`door-events`, outcome `parcel_dropped_off`) the parcel is
    `dropped_off`. A wrong or expired code answers 404 `dropoff_code_not_found` with `remaining_tries`, and counts
    toward the same lockout as wrong pickup codes (429 with Retry-After). A full locker answers 409 `locker_full`."""
    command = DropOffParcel(call.principal, locker_id, dropoff_in.code, dropoff_in.reachable)
    return await call.run(drop_off_parcel, command, _to_open)


@router.post(
    "/problems",
    response_model=CompartmentToOpen,
    responses=error_responses(400, 401, 403, 404, 409, 422, 429),
    summary="Report that the parcel does not fit or the door did not open (terminal): another compartment",
)
@code_try
async def create_locker_dropoff_problem(
    locker_id: LockerIdPath,
    problem_in: LockerDropoffProblemCreate,
    call: CallDep,
) -> Any:
    """`does_not_fit` frees the compartment and opens one of the next size up; `door_did_not_open` takes it out
    of order (with an alarm) and opens another of a size the parcel fits."""
    command = ReportDropoffProblem(call.principal, locker_id, problem_in.code, problem_in.problem)
    return await call.run(report_dropoff_problem, command, _to_open)


def _to_open(opened: CompartmentOpened) -> dict[str, Any]:
    return CompartmentToOpen.from_domain(opened).model_dump(mode="json")
