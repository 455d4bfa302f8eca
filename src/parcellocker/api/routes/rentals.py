"""Rentals through the API: a company's app (or an operator) books ahead, assigns compartments to guests or
employees and takes them back, has staff collect what overstaying renters left, and exports its account's charges."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response
from pydantic import AwareDatetime

from parcellocker.adapters.payments.account_billing import charges_csv
from parcellocker.api.deps import Call, CallDep, PrincipalDep, ServicesDep
from parcellocker.api.routes.terminal_link import CommandBellDep
from parcellocker.api.schemas.errors import error_responses
from parcellocker.api.schemas.rentals import (
    AssignmentCreate,
    BookingCreate,
    PaymentPublic,
    RentalBookedPublic,
    RentalPublic,
)
from parcellocker.api.schemas.terminal_link import TerminalCommandPublic
from parcellocker.domain.rental import Rental, RentalState
from parcellocker.service.rental_bookings import (
    AssignCompartment,
    BookRental,
    RentalBooked,
    assign_compartment,
    book_rental,
)
from parcellocker.service.rental_charges import ListAccountCharges, list_account_charges
from parcellocker.service.rental_staff import (
    CollectionOpened,
    CollectRental,
    GetRental,
    ListRentals,
    TakeBack,
    collect_rental,
    get_rental,
    list_rentals,
    take_back,
)

router = APIRouter(tags=["rentals"])

RentalIdPath = Annotated[str, Path(min_length=1, max_length=64, description="The rental's id.")]
AccountIdPath = Annotated[str, Path(min_length=1, max_length=64, description="The rental account's id.")]


@router.post(
    "/rentals",
    status_code=201,
    response_model=RentalBookedPublic,
    responses=error_responses(400, 401, 403, 404, 409, 422),
    summary="Book a compartment ahead for a named person and a time window (company, operator)",
)
async def create_booking(booking_in: BookingCreate, call: CallDep) -> Any:
    """Billed on the company's account (`account`), or paid at the provider's page (`hosted_checkout`: the reply's
    `payment.checkout_url`; the code is sent to the renter once paid), or by a prepaid voucher. The compartment is
    chosen among those of the size no other rental holds in the window; 409 `no_compartment_for_rent` if none.
    The renter opens it with the code at the kiosk from `starts_at` until `ends_at`."""
    return_url = None if booking_in.return_url is None else str(booking_in.return_url)
    command = BookRental(
        call.principal,
        booking_in.locker_id,
        booking_in.size,
        booking_in.starts_at,
        booking_in.ends_at,
        booking_in.renter.to_domain(),
        booking_in.payment_method,
        booking_in.account_id,
        booking_in.voucher_code,
        return_url,
    )
    return await _booked(call, book_rental, command)


@router.post(
    "/rentals/assignments",
    status_code=201,
    response_model=RentalBookedPublic,
    responses=error_responses(400, 401, 403, 404, 409, 422),
    summary="Assign a compartment to a guest or an employee until a date (company, operator)",
)
async def create_assignment(assignment_in: AssignmentCreate, call: CallDep) -> Any:
    """The compartment named (or one of the size) is theirs from now until `until`, or until it is taken back;
    billed on account. Their code is in the reply (once) and sent to them."""
    command = AssignCompartment(
        call.principal,
        assignment_in.locker_id,
        assignment_in.renter.to_domain(),
        assignment_in.until,
        assignment_in.compartment,
        assignment_in.size,
        assignment_in.account_id,
    )
    return await _booked(call, assign_compartment, command)


@router.get(
    "/rentals",
    response_model=list[RentalPublic],
    responses=error_responses(401, 403, 422),
    summary="Rentals, newest first (an operator's: all; a company's: its own)",
)
async def read_rentals(
    services: ServicesDep,
    principal: PrincipalDep,
    locker_id: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    state: Annotated[list[RentalState] | None, Query(description="Only rentals in these states.")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> Any:
    rentals = await services.read(list_rentals, ListRentals(principal, locker_id, state, limit))
    return [_rental(rental) for rental in rentals]


@router.get(
    "/rentals/{rental_id}", response_model=RentalPublic, responses=error_responses(401, 403, 404), summary="A rental"
)
async def read_rental(rental_id: RentalIdPath, services: ServicesDep, principal: PrincipalDep) -> Any:
    return _rental(await services.read(get_rental, GetRental(principal, rental_id)))


@router.post(
    "/rentals/{rental_id}/take-back",
    response_model=RentalPublic,
    responses=error_responses(401, 403, 404, 409),
    summary="End a rental now, its code with it (company, operator)",
)
async def create_take_back(rental_id: RentalIdPath, call: CallDep) -> Any:
    """Not yet paid or never opened: cancelled. Handed over: ended, its compartment free again (409 while its door
    is open). Nothing paid is refunded here."""
    return await call.run(take_back, TakeBack(call.principal, rental_id), _rental)


@router.post(
    "/rentals/{rental_id}/collect",
    response_model=TerminalCommandPublic,
    responses=error_responses(401, 403, 404, 409),
    summary="Open a rented compartment for the staff to empty it (company, operator)",
)
async def create_collection(rental_id: RentalIdPath, call: CallDep, bell: CommandBellDep) -> Any:
    """Its terminal is told to open the door (the command returned is followed like any other); the rental ends
    when the door closes again."""

    def render(opened: CollectionOpened) -> dict[str, Any]:
        return TerminalCommandPublic.from_domain(opened.command).model_dump(mode="json")

    body = await call.run(collect_rental, CollectRental(call.principal, rental_id), render)
    bell.ring(body["locker_id"])
    return body


@router.get(
    "/rental-accounts/{account_id}/charges.csv",
    response_class=Response,
    responses={**error_responses(401, 403, 404, 422), 200: {"content": {"text/csv": {}}, "description": "CSV"}},
    summary="A rental account's charges as CSV, for its invoice (operator, that company)",
)
async def read_account_charges(
    account_id: AccountIdPath,
    services: ServicesDep,
    principal: PrincipalDep,
    since: Annotated[AwareDatetime, Query(description="From (with its time zone), included.")],
    until: Annotated[AwareDatetime, Query(description="Until (with its time zone), excluded.")],
) -> Response:
    charges = await services.read(list_account_charges, ListAccountCharges(principal, account_id, since, until))
    filename = f"charges-{account_id}-{since:%Y%m%d}-{until:%Y%m%d}.csv"
    return Response(
        charges_csv(charges),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


async def _booked(call: Call, use_case: Callable[..., Any], command: Any) -> Any:
    shown_once: list[str] = []

    def render(booked: RentalBooked) -> dict[str, Any]:
        # The code is not part of the reply kept for Idempotency-Key replays: it is kept nowhere in clear.
        if booked.code is not None:
            shown_once.append(booked.code)
        public = RentalBookedPublic(
            rental=RentalPublic.from_domain(booked.rental), payment=PaymentPublic.from_domain(booked.payment), code=None
        )
        return public.model_dump(mode="json")

    body = await call.run(use_case, command, render)
    return {**body, "code": shown_once[0] if shown_once else None}


def _rental(rental: Rental) -> dict[str, Any]:
    return RentalPublic.from_domain(rental).model_dump(mode="json")
