"""Renting at a locker's kiosk, through its terminal: a walk-up rental, waiting for its payment at a provider's page,
and the renter's code opening the compartment (again, or a last time to empty it)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Path

from parcellocker.api.deps import CallDep, PrincipalDep, ServicesDep
from parcellocker.api.locked_out_door import code_try
from parcellocker.api.schemas.errors import error_responses
from parcellocker.api.schemas.lockers import LockerIdPath
from parcellocker.api.schemas.rentals import (
    LastOpeningCreate,
    PaymentPublic,
    RentalDoorPublic,
    RentalOpeningCreate,
    RentalPublic,
    WalkUpRentalCreate,
    WalkUpRentalPublic,
    door_to_open,
)
from parcellocker.service.rental_openings import FinishRental, OpenRental, RentalDoor, finish_rental, open_rental
from parcellocker.service.rental_walk_up import (
    CompleteWalkUp,
    RentalStarted,
    RentAtLocker,
    complete_walk_up,
    rent_at_locker,
)

router = APIRouter(prefix="/lockers/{locker_id}", tags=["rentals"])

RentalIdPath = Annotated[str, Path(min_length=1, max_length=64, description="The rental's id.")]


@router.post(
    "/walk-up-rentals",
    status_code=201,
    response_model=WalkUpRentalPublic,
    responses=error_responses(400, 401, 403, 404, 409, 422, 429),
    summary="Rent a compartment at the kiosk (terminal): paid, the compartment to open and its code",
)
async def create_walk_up_rental(
    locker_id: LockerIdPath,
    rental_in: WalkUpRentalCreate,
    call: CallDep,
) -> Any:
    """`prepaid`: the voucher's code (none when the price is 0); a wrong voucher code counts towards the kiosk's
    lockout (404 `rental_code_not_found` with `remaining_tries`, then 429). `hosted_checkout`: the compartment is
    held and `payment.checkout_url` is where the renter pays (on their phone); ask `…/complete` until it is paid."""
    command = RentAtLocker(
        call.principal,
        locker_id,
        rental_in.size,
        timedelta(minutes=rental_in.duration_minutes),
        rental_in.payment_method,
        rental_in.voucher_code,
        rental_in.renter.to_domain(),
    )
    shown_once: list[str] = []

    def render(started: RentalStarted) -> dict[str, Any]:
        # The code is not part of the reply kept for Idempotency-Key replays: it is kept nowhere in clear.
        if started.code is not None:
            shown_once.append(started.code)
        return {**started_public(started), "code": None}

    body = await call.run(rent_at_locker, command, render)
    return {**body, "code": shown_once[0] if shown_once else None}


@router.post(
    "/walk-up-rentals/{rental_id}/complete",
    response_model=WalkUpRentalPublic,
    responses=error_responses(401, 403, 404, 409),
    summary="Once the renter paid at the provider's page: the compartment to open and its code (terminal)",
)
async def create_walk_up_completion(
    locker_id: LockerIdPath, rental_id: RentalIdPath, services: ServicesDep, principal: PrincipalDep
) -> Any:
    """409 `payment_pending` (with `checkout_url`) until the provider says it was paid; 409 `payment_failed` once
    it will not be."""
    return await services.run(complete_walk_up, CompleteWalkUp(principal, locker_id, rental_id), started_public)


@router.post(
    "/rental-openings",
    response_model=RentalDoorPublic,
    responses=error_responses(400, 401, 403, 404, 409, 422, 429),
    summary="A renter's code opens their compartment (terminal)",
)
@code_try
async def create_rental_opening(
    locker_id: LockerIdPath, opening_in: RentalOpeningCreate, services: ServicesDep, principal: PrincipalDep
) -> Any:
    """As often as they like while the rental lasts. A wrong code answers 404 `rental_code_not_found` with
    `remaining_tries` (then 429); before its start 409 `rental_not_started`; past its end 409 `payment_required`
    (with `amount`, `currency`, `overdue_minutes`) or, where staff collect the contents, 409 `rental_ended`."""
    command = OpenRental(principal, locker_id, opening_in.code)
    return await services.run(open_rental, command, door_public)


@router.post(
    "/rental-openings/last",
    response_model=RentalDoorPublic,
    responses=error_responses(400, 401, 403, 404, 409, 422, 429),
    summary="Open for the last time to take everything out; the rental ends when the door closes (terminal)",
)
@code_try
async def create_last_rental_opening(
    locker_id: LockerIdPath, opening_in: LastOpeningCreate, services: ServicesDep, principal: PrincipalDep
) -> Any:
    """Overdue, the overdue time is paid first by `payment_method` (409 `payment_required` without one; billed on
    account for a company's rental). Paid at a provider's page, `compartment` is null and `payment.checkout_url`
    says where: ask again with the same code until it opens."""
    command = FinishRental(principal, locker_id, opening_in.code, opening_in.payment_method, opening_in.voucher_code)
    return await services.run(finish_rental, command, door_public)


def started_public(started: RentalStarted) -> dict[str, Any]:
    return WalkUpRentalPublic(
        rental=RentalPublic.from_domain(started.rental),
        compartment=door_to_open(started.compartment),
        payment=PaymentPublic.from_domain(started.payment),
        code=started.code,
    ).model_dump(mode="json")


def door_public(door: RentalDoor) -> dict[str, Any]:
    return RentalDoorPublic(
        rental_id=door.rental.id,
        ends_at=door.rental.ends_at,
        compartment=None if door.compartment is None else door_to_open(door.compartment),
        last=door.last,
        payment=None if door.payment is None else PaymentPublic.from_domain(door.payment),
    ).model_dump(mode="json")
