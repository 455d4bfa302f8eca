"""Finding a shipment by its tracking number: its state, where it is, and its history."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from parcellocker.dashboard.deps import DashboardDep, SessionDep
from parcellocker.domain.errors import InvalidInput
from parcellocker.service.shipment_trace import ShipmentTrace, TraceShipments, trace_shipments

router = APIRouter()


@router.get("/shipments")
async def read_shipments(
    request: Request,
    dashboard: DashboardDep,
    session: SessionDep,
    tracking_number: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    traces: list[ShipmentTrace] | None = None
    problem = None
    if tracking_number.strip():
        try:
            traces = await dashboard.services.read(trace_shipments, TraceShipments(session.principal, tracking_number))
        except InvalidInput as error:
            problem = error.message
    context = {
        "tracking_number": tracking_number.strip(),
        "traces": traces,
        "problem": problem,
        "section": "shipments",
    }
    return dashboard.page(request, "shipments.html", context, session, 422 if problem else 200)
