"""The lockers: all of them at a glance, with their terminal's link and how full they are."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from parcellocker.dashboard.deps import DashboardDep, SessionDep
from parcellocker.service.locker_overview import LockerSummary, ReadLockerOverview, read_locker_overview

router = APIRouter()


@router.get("/lockers")
async def read_lockers(request: Request, dashboard: DashboardDep, session: SessionDep) -> Response:
    lockers: list[LockerSummary] = await dashboard.services.read(
        read_locker_overview, ReadLockerOverview(session.principal)
    )
    return dashboard.page(request, "lockers.html", {"lockers": lockers, "section": "lockers"}, session)
