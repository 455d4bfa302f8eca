"""The kiosk API's rental routes, on 127.0.0.1 with the others (see api.py), used by the rent screen's script:

    GET  /rental/offer                         the sizes for rent, their free compartments, durations and prices
    POST /rental          {"size", "duration_minutes", "payment_method", "voucher_code", "email", "phone"}
                          → the compartment opened and the code (shown once), or the provider's page to pay at
                          ("checkout_url", and "checkout_qr", an SVG of it for the renter's phone)
    POST /rental/{id}/complete                 once paid at the provider: the compartment opened and the code
    POST /rental/open     {"code"}             → the renter's compartment, opened again
    POST /rental/finish   {"code", "payment_method", "voucher_code"} → opened for the last time (overdue: paid
                          first; at a provider, "checkout_url" and "checkout_qr" until it is)

Errors are `{"error": {"code", "message", …}}` with the server's status, code and details (e.g. `remaining_tries`
of a wrong code, `amount` and `currency` of `payment_required`).
"""

from __future__ import annotations

from typing import Any

import segno
from fastapi import FastAPI, Path
from pydantic import BaseModel, Field

from parcellocker.terminal.kiosk.rental_desk import RentalDesk, Renter
from parcellocker.terminal.link.rental_port import PendingPayment, RentalDoor, WalkUpRental

QR_SCALE = 5


class RentalIn(BaseModel):
    size: str = Field(min_length=1, max_length=4)
    duration_minutes: int = Field(ge=1, le=1_000_000)
    payment_method: str = Field(min_length=1, max_length=20)
    voucher_code: str | None = Field(default=None, max_length=32)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=32)
    language: str = Field(default="en", min_length=2, max_length=16)


class CodeIn(BaseModel):
    code: str = Field(min_length=1, max_length=20)


class FinishIn(CodeIn):
    payment_method: str | None = Field(default=None, max_length=20)
    voucher_code: str | None = Field(default=None, max_length=32)


def install_rental_routes(app: FastAPI, desk: RentalDesk) -> None:
    @app.get("/rental/offer")
    async def read_rental_offer() -> dict[str, Any]:
        offer = await desk.offer()
        return {
            "currency": offer.currency,
            "walk_up_methods": offer.walk_up_methods,
            "overdue": offer.overdue,
            "sizes": [
                {
                    "size": size.size,
                    "free": size.free,
                    "height_mm": size.height_mm,
                    "width_mm": size.width_mm,
                    "depth_mm": size.depth_mm,
                    "durations": [{"minutes": d.minutes, "price": d.price} for d in size.durations],
                }
                for size in offer.sizes
            ],
        }

    @app.post("/rental")
    async def create_rental(rental_in: RentalIn) -> dict[str, Any]:
        renter = Renter(rental_in.email or None, rental_in.phone or None, rental_in.language)
        rented = await desk.rent(
            rental_in.size, rental_in.duration_minutes, rental_in.payment_method, rental_in.voucher_code or None, renter
        )
        return _walk_up(rented)

    @app.post("/rental/{rental_id}/complete")
    async def create_rental_completion(rental_id: str = Path(min_length=1, max_length=64)) -> dict[str, Any]:
        return _walk_up(await desk.complete(rental_id))

    @app.post("/rental/open")
    async def create_rental_opening(code_in: CodeIn) -> dict[str, Any]:
        return _door(await desk.open(code_in.code))

    @app.post("/rental/finish")
    async def create_rental_finish(finish_in: FinishIn) -> dict[str, Any]:
        door = await desk.finish(finish_in.code, finish_in.payment_method, finish_in.voucher_code or None)
        return _door(door)


def _walk_up(rental: WalkUpRental) -> dict[str, Any]:
    return {
        "rental_id": rental.rental_id,
        "compartment": rental.compartment,
        "ends_at": rental.ends_at.isoformat(),
        "price": rental.price,
        "currency": rental.currency,
        "code": rental.code,
        **_payment(rental.payment),
    }


def _door(door: RentalDoor) -> dict[str, Any]:
    return {
        "rental_id": door.rental_id,
        "compartment": door.compartment,
        "ends_at": door.ends_at.isoformat(),
        "last": door.last,
        **_payment(door.payment),
    }


def _payment(payment: PendingPayment | None) -> dict[str, Any]:
    if payment is None or payment.checkout_url is None:
        return {"checkout_url": None, "checkout_qr": None}
    qr = segno.make_qr(payment.checkout_url, error="m").svg_inline(scale=QR_SCALE, border=4, dark="#111827")
    return {
        "checkout_url": payment.checkout_url,
        "checkout_qr": qr,
        "amount": payment.amount,
        "currency": payment.currency,
    }
