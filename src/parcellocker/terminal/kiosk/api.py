"""The terminal's local HTTP API for the kiosk UI, on 127.0.0.1 only.

    POST /pickup              {"code": "123456"} or {"qr_token": "PLQR1…"}  → the compartment opened
    POST /courier/sign-in     {"courier_id": "…", "pin": "…"}             → {"courier_token": "…"}
    POST /pickup/reopen       {"shipment_id": "…"}                           → the same compartment, opened again
    POST /courier/sign-in     (above)
    POST /courier/collections {"courier_token": "…"}        → {"parcels": [expired, redirected, dropped off here]}
    POST /courier/collect     {"courier_token": "…", "tracking_number": "…"} → the compartment of a listed parcel
    POST /dropoff             {"code": "517093", "reachable": false}       → the compartment for a sender's parcel
    POST /dropoff/problem     {"code": "…", "problem": "does_not_fit" | "door_did_not_open"} → another compartment
    POST /deposit             {"courier_token": "…", "tracking_number": "…", "reachable": false} → the compartment
    POST /deposit/problem     {… , "problem": "does_not_fit" | "door_did_not_open"} → another compartment
    GET  /status              the doors, the boards and the link

The kiosk's screens (parcellocker.terminal.kiosk.screens) are served by the same app and use these routes.

Errors are `{"error": {"code": "…", "message": "…"}}` like the server's, with the same codes where the server
gave them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Generator
from typing import Any, Literal

import uvicorn
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from parcellocker.terminal.kiosk.desk import Kiosk, Opened
from parcellocker.terminal.kiosk.errors import KioskError, TooManyTries
from parcellocker.terminal.kiosk.screens import ScreenSettings, install_screens


class PickupIn(BaseModel):
    code: str | None = Field(default=None, min_length=1, max_length=20)
    qr_token: str | None = Field(default=None, min_length=1, max_length=2048)


class CourierSignInIn(BaseModel):
    courier_id: str = Field(min_length=1, max_length=64)
    pin: str = Field(min_length=1, max_length=64)


class PickupReopenIn(BaseModel):
    shipment_id: str = Field(min_length=1, max_length=64)


class CourierIn(BaseModel):
    courier_token: str = Field(min_length=1, max_length=1024)


class DepositIn(CourierIn):
    tracking_number: str = Field(min_length=1, max_length=64)


class ReachableDepositIn(DepositIn):
    reachable: bool = False
    """Ask for a compartment within reach of a person in a wheelchair or of short stature."""


class DepositProblemIn(DepositIn):
    problem: Literal["does_not_fit", "door_did_not_open"]


class CollectIn(DepositIn):
    """A parcel on the courier's collection list."""


class DropoffIn(BaseModel):
    code: str = Field(min_length=1, max_length=20)
    reachable: bool = False
    """Ask for a compartment within reach (the screen's accessibility mode)."""


class DropoffProblemIn(BaseModel):
    code: str = Field(min_length=1, max_length=20)
    problem: Literal["does_not_fit", "door_did_not_open"]


def create_kiosk_app(kiosk: Kiosk, screens: ScreenSettings | None = None) -> FastAPI:
    """The kiosk API, and with `screens` the kiosk's touch screens too."""
    app = FastAPI(title=f"parcellocker terminal {kiosk.locker_id}", docs_url=None, redoc_url=None, openapi_url=None)

    @app.exception_handler(KioskError)
    async def kiosk_error(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, KioskError)
        headers = {"Retry-After": str(error.retry_after_seconds)} if isinstance(error, TooManyTries) else None
        body = {"error": {"code": error.code, "message": error.message, **error.details}}
        return JSONResponse(body, status_code=error.status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, RequestValidationError)
        fields = [".".join(str(part) for part in problem.get("loc", ())[1:]) for problem in error.errors()]
        message = f"check {', '.join(fields) or 'the request'}"
        return JSONResponse({"error": {"code": "invalid_input", "message": message}}, status_code=422)

    @app.post("/pickup")
    async def create_pickup(pickup_in: PickupIn) -> dict[str, Any]:
        return _opened(await kiosk.pick_up(code=pickup_in.code, qr_token=pickup_in.qr_token))

    @app.post("/pickup/reopen")
    async def create_pickup_reopening(reopen_in: PickupReopenIn) -> dict[str, Any]:
        return _opened(await kiosk.reopen_after_pickup(reopen_in.shipment_id))

    @app.post("/courier/sign-in")
    async def create_courier_session(sign_in: CourierSignInIn) -> dict[str, Any]:
        return {"courier_token": await kiosk.sign_in_courier(sign_in.courier_id, sign_in.pin)}

    @app.post("/courier/collections")
    async def read_parcels_to_collect(courier_in: CourierIn) -> dict[str, Any]:
        parcels = await kiosk.parcels_to_collect(courier_in.courier_token)
        return {
            "parcels": [
                {
                    "tracking_number": parcel.tracking_number,
                    "compartment": parcel.compartment,
                    "expired_at": parcel.expired_at.isoformat(),
                    "state": parcel.state,
                    "kind": parcel.kind,
                }
                for parcel in parcels
            ]
        }

    @app.post("/deposit")
    async def create_deposit(deposit_in: ReachableDepositIn) -> dict[str, Any]:
        return _opened(await kiosk.deposit(deposit_in.courier_token, deposit_in.tracking_number, deposit_in.reachable))

    @app.post("/deposit/problem")
    async def create_deposit_problem(problem_in: DepositProblemIn) -> dict[str, Any]:
        opened = await kiosk.report_deposit_problem(
            problem_in.courier_token, problem_in.tracking_number, problem_in.problem
        )
        return _opened(opened)

    @app.post("/courier/collect")
    async def create_collection(collect_in: CollectIn) -> dict[str, Any]:
        return _opened(await kiosk.collect(collect_in.courier_token, collect_in.tracking_number))

    @app.post("/dropoff")
    async def create_dropoff(dropoff_in: DropoffIn) -> dict[str, Any]:
        return _opened(await kiosk.drop_off(dropoff_in.code, dropoff_in.reachable))

    @app.post("/dropoff/problem")
    async def create_dropoff_problem(problem_in: DropoffProblemIn) -> dict[str, Any]:
        return _opened(await kiosk.report_dropoff_problem(problem_in.code, problem_in.problem))

    @app.get("/status")
    async def read_status() -> dict[str, Any]:
        return kiosk.status()

    if screens is not None:
        install_screens(app, screens)
    return app


class KioskServer(uvicorn.Server):
    """uvicorn inside the terminal's event loop; the terminal handles the signals itself."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


def kiosk_server(app: FastAPI, host: str, port: int) -> KioskServer:
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False, lifespan="off")
    return KioskServer(config)


def _opened(opened: Opened) -> dict[str, Any]:
    return {
        "compartment": opened.compartment,
        "shipment_id": opened.shipment_id,
        "tracking_number": opened.tracking_number,
        "checked_by": opened.checked_by,
    }
