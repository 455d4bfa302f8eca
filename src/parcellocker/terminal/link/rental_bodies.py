"""The server's JSON answers about rentals, read the same way whichever transport carried them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from parcellocker.terminal.link.rental_port import (
    OfferedDuration,
    OfferedSize,
    PendingPayment,
    RentalDoor,
    RentalOffer,
    WalkUpRental,
)


def offer(body: Any) -> RentalOffer:
    return RentalOffer(
        str(body["currency"]),
        [str(method) for method in body["walk_up_methods"]],
        str(body["overdue"]),
        [
            OfferedSize(
                str(size["size"]),
                int(size["free"]),
                int(size["height_mm"]),
                int(size["width_mm"]),
                int(size["depth_mm"]),
                [OfferedDuration(int(d["minutes"]), int(d["price"])) for d in size["durations"]],
            )
            for size in body["sizes"]
        ],
    )


def walk_up(body: Any) -> WalkUpRental:
    rental = body["rental"]
    return WalkUpRental(
        str(rental["id"]),
        int(body["compartment"]["number"]),
        datetime.fromisoformat(rental["ends_at"]),
        int(rental["price"]),
        str(rental["currency"]),
        None if body["code"] is None else str(body["code"]),
        _pending(body["payment"]),
    )


def door(body: Any) -> RentalDoor:
    compartment = body["compartment"]
    return RentalDoor(
        str(body["rental_id"]),
        None if compartment is None else int(compartment["number"]),
        datetime.fromisoformat(body["ends_at"]),
        bool(body["last"]),
        None if body["payment"] is None else _pending(body["payment"]),
    )


def _pending(payment: Any) -> PendingPayment | None:
    if payment["state"] != "pending":
        return None
    return PendingPayment(str(payment["id"]), int(payment["amount"]), str(payment["currency"]), payment["checkout_url"])
