"""The server's JSON answers about rentals, read the same way whichever transport carried them; every field is
checked for its type (`answer_fields`), and `bodies.read` turns an answer that cannot be read into LinkDown. Also
the walk-up rental's request, the same on both transports."""

from __future__ import annotations

from typing import Any

from parcellocker.terminal.link.answer_fields import (
    array,
    flag,
    integer,
    mapping,
    moment,
    optional_text,
    text,
)
from parcellocker.terminal.link.rental_port import (
    OfferedDuration,
    OfferedSize,
    PendingPayment,
    RentalDoor,
    RentalOffer,
    WalkUpRental,
)


def walk_up_request(
    size: str,
    duration_minutes: int,
    payment_method: str,
    voucher_code: str | None,
    email: str | None,
    phone: str | None,
    language: str,
) -> dict[str, Any]:
    """What a terminal sends to rent a compartment at its screen (the API's `WalkUpRentalCreate`)."""
    return {
        "size": size,
        "duration_minutes": duration_minutes,
        "payment_method": payment_method,
        "voucher_code": voucher_code,
        "renter": {"email": email, "phone": phone, "language": language},
    }


def offer(body: Any) -> RentalOffer:
    return RentalOffer(
        text(body["currency"]),
        [text(method) for method in array(body["walk_up_methods"])],
        text(body["overdue"]),
        [
            OfferedSize(
                text(size["size"]),
                integer(size["free"], low=0),
                integer(size["height_mm"], low=0),
                integer(size["width_mm"], low=0),
                integer(size["depth_mm"], low=0),
                [
                    OfferedDuration(integer(d["minutes"], low=1), integer(d["price"], low=0))
                    for d in array(size["durations"])
                ],
            )
            for size in array(body["sizes"])
        ],
    )


def walk_up(body: Any) -> WalkUpRental:
    rental = mapping(body["rental"])
    return WalkUpRental(
        text(rental["id"]),
        integer(mapping(body["compartment"])["number"], low=1),
        moment(rental["ends_at"]),
        integer(rental["price"], low=0),
        text(rental["currency"]),
        optional_text(body["code"]),
        _pending(body["payment"]),
    )


def door(body: Any) -> RentalDoor:
    compartment = body["compartment"]
    return RentalDoor(
        text(body["rental_id"]),
        None if compartment is None else integer(mapping(compartment)["number"], low=1),
        moment(body["ends_at"]),
        flag(body["last"]),
        None if body["payment"] is None else _pending(body["payment"]),
    )


def _pending(payment: Any) -> PendingPayment | None:
    if mapping(payment)["state"] != "pending":
        return None
    return PendingPayment(
        text(payment["id"]),
        integer(payment["amount"], low=0),
        text(payment["currency"]),
        optional_text(payment["checkout_url"]),
    )
