"""The lockers: all of them at a glance, with their terminal's link and how full they are."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from parcellocker.dashboard.cabinet_picture import CabinetPicture
from parcellocker.dashboard.deps import DashboardDep, LockerId, SessionDep
from parcellocker.service.locker_grid import LockerGrid, ReadLockerGrid, read_locker_grid
from parcellocker.service.locker_overview import LockerOverview, ReadLockerOverview, read_locker_overview

router = APIRouter()


@router.get("/lockers")
async def read_lockers(
    request: Request, dashboard: DashboardDep, session: SessionDep, after: Annotated[str, Query(max_length=64)] = ""
) -> Response:
    """A page of lockers by id, from the one after `after` on; the page links to the next."""
    overview: LockerOverview = await dashboard.services.read(
        read_locker_overview, ReadLockerOverview(session.principal, after)
    )
    context = {"lockers": overview.lockers, "next_after": overview.next_after, "after": after, "section": "lockers"}
    return dashboard.page(request, "lockers.html", context, session)


@router.get("/lockers/{locker_id}")
async def read_locker(request: Request, locker_id: LockerId, dashboard: DashboardDep, session: SessionDep) -> Response:
    """The picture of the cabinet, each door with its compartment's state; kept live by the page's script."""
    grid: LockerGrid = await dashboard.services.read(read_locker_grid, ReadLockerGrid(session.principal, locker_id))
    context = {"grid": grid, "locker": grid.locker, "picture": CabinetPicture.of(grid), "section": "lockers"}
    return dashboard.page(request, "locker.html", context, session)
