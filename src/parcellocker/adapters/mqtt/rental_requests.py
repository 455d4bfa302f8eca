"""What a terminal asks the server over MQTT about rentals: each `op` runs the same use case as its HTTP route and
answers the same JSON body (see requests.py for the errors)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from pydantic import BaseModel, Field

from parcellocker.api.routes.rental_desk import door_public, started_public
from parcellocker.api.schemas.rentals import (
    LastOpeningCreate,
    RentalOfferPublic,
    RentalOpeningCreate,
    WalkUpRentalCreate,
)
from parcellocker.domain.accounts import Principal
from parcellocker.service.context import Services
from parcellocker.service.rental_offer import ReadRentalOffer, read_rental_offer
from parcellocker.service.rental_openings import FinishRental, OpenRental, finish_rental, open_rental
from parcellocker.service.rental_walk_up import CompleteWalkUp, RentAtLocker, complete_walk_up, rent_at_locker

Body = dict[str, Any]
Op = Callable[[str, Body], Awaitable[Any]]


class RentalOnly(BaseModel):
    rental_id: str = Field(min_length=1, max_length=64)


def rental_ops(services: Services, terminal_of: Callable[[str], Principal]) -> dict[str, Op]:
    """The rental requests, by op, for TerminalRequests; `terminal_of` gives the principal of a locker's terminal."""

    async def offer(locker_id: str, body: Body) -> Any:
        found = await services.read(read_rental_offer, ReadRentalOffer(terminal_of(locker_id), locker_id))
        return RentalOfferPublic.from_domain(found).model_dump(mode="json")

    async def walk_up(locker_id: str, body: Body) -> Any:
        rental_in = WalkUpRentalCreate.model_validate(body)
        command = RentAtLocker(
            terminal_of(locker_id),
            locker_id,
            rental_in.size,
            timedelta(minutes=rental_in.duration_minutes),
            rental_in.payment_method,
            rental_in.voucher_code,
            rental_in.renter.to_domain(),
        )
        return await services.run(rent_at_locker, command, started_public)

    async def complete(locker_id: str, body: Body) -> Any:
        rental_id = RentalOnly.model_validate(body).rental_id
        command = CompleteWalkUp(terminal_of(locker_id), locker_id, rental_id)
        return await services.run(complete_walk_up, command, started_public)

    async def open_it(locker_id: str, body: Body) -> Any:
        code = RentalOpeningCreate.model_validate(body).code
        return await services.run(open_rental, OpenRental(terminal_of(locker_id), locker_id, code), door_public)

    async def open_last(locker_id: str, body: Body) -> Any:
        last = LastOpeningCreate.model_validate(body)
        command = FinishRental(terminal_of(locker_id), locker_id, last.code, last.payment_method, last.voucher_code)
        return await services.run(finish_rental, command, door_public)

    return {
        "rental_offer": offer,
        "rental_walk_up": walk_up,
        "rental_complete": complete,
        "rental_open": open_it,
        "rental_open_last": open_last,
    }
