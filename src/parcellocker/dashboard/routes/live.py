"""The locker's grid, live: a stream of server-sent events that carries every change of its compartments.

The stream reads the locker's compartments again every POLL_SECONDS (one cheap query) and sends the cells that
changed since it last looked. Reading the database, rather than listening to changes made in this process, is what
makes it see every change whichever server process (or worker) applied the door event.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import StreamingResponse

from parcellocker.dashboard.deps import DashboardDep, LockerId, SessionDep
from parcellocker.dashboard.session import SignInRequired
from parcellocker.service.locker_grid import CompartmentCell, LockerGrid, ReadLockerGrid, read_locker_grid

log = logging.getLogger(__name__)

router = APIRouter()

POLL_SECONDS = 0.4
KEEP_ALIVE_SECONDS = 15.0
STREAM_SECONDS = 600.0
"""A stream ends after this long and the browser opens a new one (EventSource does by itself), so that no stream
outlives a deployment for long."""
RETRY_MS = 1000


@router.get("/lockers/{locker_id}/live")
async def read_live_grid(
    request: Request, locker_id: LockerId, dashboard: DashboardDep, session: SessionDep
) -> StreamingResponse:
    """`cells` events: the first carries every cell, each later one the cells that changed; each carries the fill."""
    query = ReadLockerGrid(session.principal, locker_id)
    first: LockerGrid = await dashboard.services.read(read_locker_grid, query)  # an unknown locker is a 404 here

    async def events() -> AsyncIterator[bytes]:
        loop = asyncio.get_running_loop()
        ends, quiet_since = loop.time() + STREAM_SECONDS, loop.time()
        shown: dict[int, dict[str, Any]] = {}
        grid: LockerGrid | None = first
        yield f"retry: {RETRY_MS}\n\n".encode()
        while loop.time() < ends:
            if grid is None:
                await asyncio.sleep(POLL_SECONDS)
                try:
                    await dashboard.sessions.of(request)
                    grid = await dashboard.services.read(read_locker_grid, query)
                except SignInRequired:
                    yield event("signed_out", {"message": "the session has ended; sign in again"})
                    return
                except Exception:
                    log.warning("the live grid of locker %s stopped reading; the browser will reconnect", locker_id)
                    return
            cells = {cell.number: cell_json(cell) for cell in grid.cells}
            changed = [cell for number, cell in cells.items() if shown.get(number) != cell]
            if changed:
                fill = [{"size": size.size, "in_use": size.in_use, "total": size.total} for size in grid.locker.fill]
                yield event("cells", {"cells": changed, "fill": fill, "status": grid.locker.status})
                shown, quiet_since = cells, loop.time()
            elif loop.time() - quiet_since >= KEEP_ALIVE_SECONDS:
                yield b": still here\n\n"
                quiet_since = loop.time()
            grid = None

    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(events(), media_type="text/event-stream", headers=headers)


def cell_json(cell: CompartmentCell) -> dict[str, Any]:
    return {
        "number": cell.number,
        "size": cell.size.value,
        "state": cell.state.value,
        "door": cell.door.value,
        "tracking_number": cell.tracking_number,
        "out_of_order_reason": cell.out_of_order_reason,
        "reserved_for_carrier_id": cell.reserved_for_carrier_id,
    }


def event(name: str, data: dict[str, Any]) -> bytes:
    return f"event: {name}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n".encode()
