"""`parcellocker bench floor`: the most this machine gives a server built as ours is, doing nothing of its own.

The same stack as the management server under `bench api` (uvicorn's worker processes, FastAPI with a JSON body
validated by pydantic and a header read by a dependency, asyncpg on a pool of the same size, the same lean HTTP
clients on the same cores) serves one route that runs `statements` trivial SELECTs and answers a small JSON body.
What `bench api` measures above this floor is the cost of what the server does (the parcel's rules, the writes,
the audit chain, the recipients' messages); what the floor itself costs is the framework's, the driver's and the
tool's, which no change to the server's own code can take away. Only loopback, only the database of the admin URL
(read, never written).
"""

from __future__ import annotations

import asyncio
import itertools
import os
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Annotated, Any

import asyncpg
from fastapi import Depends, FastAPI, Header
from pydantic import BaseModel

from parcellocker.adapters.db.engine import default_pool_size
from parcellocker.api_client import ApiError, LockerApiClient
from parcellocker.bench.api_load import (
    Lifecycle,
    LoadOutcome,
    LoadPlan,
    Pacer,
    Window,
    client_connections,
    cpu_meter,
)
from parcellocker.bench.cpu_split import CpuMeter, cpu_over_window
from parcellocker.bench.http_connection import HttpConnectionError, HttpConnectionPool
from parcellocker.bench.latency import LatencyLog
from parcellocker.server_process import ServerProcess

FLOOR_APP = "parcellocker.bench.framework_floor:floor_app_from_env"
DATABASE_ENV = "PARCELLOCKER_FLOOR_DATABASE"
STATEMENTS_ENV = "PARCELLOCKER_FLOOR_STATEMENTS"
OPERATION = "operation"
STATEMENT = "SELECT $1::text AS tracking_number, now() AS at"


class _Parcel(BaseModel):
    tracking_number: str
    locker_id: str
    size: str


class _Answer(BaseModel):
    tracking_number: str
    statements: int


async def _caller(authorization: Annotated[str | None, Header()] = None) -> str:
    return authorization or ""


def floor_app_from_env() -> FastAPI:
    """The floor's app (run by uvicorn in each worker): POST /operations runs the statements, GET /healthz."""
    database, statements = os.environ[DATABASE_ENV], int(os.environ[STATEMENTS_ENV])
    pools: list[asyncpg.Pool] = []

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        size = default_pool_size()
        pools.append(await asyncpg.create_pool(database, min_size=size, max_size=size))
        try:
            yield
        finally:
            await pools.pop().close()

    app = FastAPI(lifespan=lifespan)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/operations", response_model=_Answer)
    async def operate(parcel: _Parcel, caller: Annotated[str, Depends(_caller)]) -> Any:
        async with pools[0].acquire() as connection:
            for _ in range(statements):
                await connection.fetchrow(STATEMENT, parcel.tracking_number)
        return {"tracking_number": parcel.tracking_number, "statements": statements}

    return app


async def run_floor(plan: LoadPlan, statements: int, progress: Callable[[str], None]) -> LoadOutcome:
    """`plan.clients` clients against the floor's app in `plan.workers` processes; one operation is one request
    of `statements` statements. `plan.db` must be postgres."""
    if plan.db != "postgres":
        raise ValueError("the floor is measured on PostgreSQL only")
    if statements < 0:
        raise ValueError("statements per operation cannot be negative")
    env = {DATABASE_ENV: plan.postgres_admin_url, STATEMENTS_ENV: str(statements)}
    progress(f"starting the floor's app ({plan.workers} worker process(es), {statements} statement(s) per request)")
    async with ServerProcess(env, workers=plan.workers, app=FLOOR_APP) as server:
        progress(f"driving {plan.clients} clients for {plan.warmup:.0f} s warm-up + {plan.seconds:.0f} s")
        async with client_connections(server.base_url) as connections:
            return await _drive(plan, connections, cpu_meter(server, database=True))


async def _drive(plan: LoadPlan, connections: HttpConnectionPool, meter: CpuMeter | None) -> LoadOutcome:
    log = LatencyLog()
    window = Window(time.monotonic() + plan.warmup, plan.seconds)

    async def client(number: int) -> None:
        steps = Lifecycle(log, window, Pacer.for_client(plan, number))
        caller = LockerApiClient(connections, f"floor-{number}")  # sends as bench api does, through the same code
        for round_number in itertools.count():
            if window.over():
                return
            body = {"tracking_number": f"F{number:04d}-{round_number:06d}", "locker_id": "L1", "size": "S"}
            try:
                await steps.time(OPERATION, caller.post("/operations", body))
            except (ApiError, HttpConnectionError, TimeoutError) as error:
                log.fail(OPERATION, type(error).__name__)

    async with asyncio.TaskGroup() as group:  # the meter's reading is cancelled if the clients fail
        cpu = group.create_task(cpu_over_window(meter, window.start, plan.seconds))
        await asyncio.gather(*(client(number) for number in range(plan.clients)))
    return LoadOutcome(plan, plan.seconds, log, None, cpu.result())
