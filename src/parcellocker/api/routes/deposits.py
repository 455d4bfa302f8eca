"""Couriers putting parcels into a locker."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from parcellocker.api.deps import CallDep
from parcellocker.api.schemas.doors import CompartmentToOpen, DepositCreate, DepositProblemCreate
from parcellocker.api.schemas.errors import error_responses
from parcellocker.api.schemas.lockers import LockerIdPath
from parcellocker.service.deposits import (
    CompartmentOpened,
    DepositParcel,
    ReportDepositProblem,
    deposit_parcel,
    report_deposit_problem,
)

router = APIRouter(prefix="/lockers/{locker_id}/deposits", tags=["deposits"])


@router.post(
    "",
    response_model=CompartmentToOpen,
    responses=error_responses(400, 401, 403, 404, 409, 422),
    summary="Deposit a parcel (courier): the compartment to open",
)
async def create_deposit(
    locker_id: LockerIdPath,
    deposit_in: DepositCreate,
    call: CallDep,
) -> Any:
    """The smallest free compartment the scanned parcel fits in, out of reach before within reach; within reach
    first when the shipment was announced with `reachable_height` or the body says `reachable`. Scanning the same
    parcel again gives the same door. A full locker answers 409 `locker_full`."""
    command = DepositParcel(call.principal, locker_id, deposit_in.tracking_number, deposit_in.reachable)
    return await call.run(deposit_parcel, command, _to_open)


@router.post(
    "/problems",
    response_model=CompartmentToOpen,
    responses=error_responses(400, 401, 403, 404, 409, 422),
    summary="Report that the parcel does not fit or the door did not open (courier): another compartment",
)
async def create_deposit_problem(
    locker_id: LockerIdPath,
    problem_in: DepositProblemCreate,
    call: CallDep,
) -> Any:
    """`does_not_fit` frees the compartment and opens one of the next size up; `door_did_not_open` takes it out
    of order (with an alarm) and opens another of a size the parcel fits."""
    command = ReportDepositProblem(call.principal, locker_id, problem_in.tracking_number, problem_in.problem)
    return await call.run(report_deposit_problem, command, _to_open)


def _to_open(opened: CompartmentOpened) -> dict[str, Any]:
    return CompartmentToOpen.from_domain(opened).model_dump(mode="json")
