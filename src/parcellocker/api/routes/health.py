"""Liveness for load balancers and the test harness: the process answers and the database too."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from parcellocker.api.errors import error_response

router = APIRouter(tags=["operations"])


@router.get("/healthz", summary="Is the server up and its database reachable?")
async def read_health(request: Request) -> Any:
    engine = request.app.state.server.engine
    try:
        async with asyncio.timeout(2), engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except (SQLAlchemyError, OSError, TimeoutError):
        return error_response(503, "database_unavailable", "the server is up but cannot reach its database")
    return {"status": "ok"}
