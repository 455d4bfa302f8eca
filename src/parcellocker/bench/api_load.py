"""`parcellocker bench api`: complete shipment lifecycles from concurrent clients against a server process.

Each client repeats: announce (carrier) → deposit (courier) → door closed (terminal) → pickup by the code
from the recipient's mailbox (terminal) → door closed (terminal). Five operations per lifecycle; the
wait for the code to arrive is not an operation and is not timed.

Without a rate, clients are a closed loop: each sends its next request as soon as the last one answered, which
measures the most the server can do (and, by Little's law, a latency of clients / throughput). With `rate`,
the clients together offer that many operations per second on a fixed schedule, and each latency is counted
from when the request was due, not from when it was sent, so a stalled server cannot hide its queue
(no coordinated omission, as in wrk2).
"""

from __future__ import annotations

import asyncio
import gc
import itertools
import math
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from parcellocker.api.app import tune_garbage_collector
from parcellocker.api_client import ApiError, LockerApiClient
from parcellocker.bench.cpu_split import CpuMeter, CpuSplit, cpu_over_window
from parcellocker.bench.databases import DEFAULT_POSTGRES_ADMIN
from parcellocker.bench.http_connection import HttpConnectionError, HttpConnectionPool
from parcellocker.bench.latency import LatencyLog
from parcellocker.bench.scratch_site import scratch_site
from parcellocker.sample_site import SampleSite
from parcellocker.server_process import ServerProcess
from parcellocker.walkthrough import wait_for_pickup_code

CLIENTS_PER_LOCKER = 20
LOCKER_LAYOUT = "S:10,M:10,L:10"  # more compartments than clients per locker, so none ever waits for one
CLIENT_KEEPALIVE_SECONDS = 2.0  # below uvicorn's 5 s
REQUEST_TIMEOUT_SECONDS = 60.0
CODE_WAIT = "pickup code in the recipient's mailbox after the door closed"
CODE_WAIT_SECONDS = 60.0
"""How long a client waits for its pickup code: with hundreds of clients on a loaded server the outbox may lag
well behind 10 s. Timed apart from the operations (CODE_WAIT); a message that never comes is counted as a failure,
after this."""


@dataclass(frozen=True, slots=True)
class LoadPlan:
    db: str
    clients: int
    seconds: float
    warmup: float = 2.0
    workers: int = 1
    postgres_admin_url: str = DEFAULT_POSTGRES_ADMIN
    rate: float | None = None  # operations per second offered by all clients together; None: as fast as possible


@dataclass(slots=True)
class LoadOutcome:
    plan: LoadPlan
    measured_seconds: float
    log: LatencyLog
    lifecycles: int | None  # complete shipment lifecycles; None where an operation is not part of one
    cpu: CpuSplit | None = None  # where the CPU went over the window (Linux only)

    @property
    def operations(self) -> int:
        return len(self.log.all)

    @property
    def operations_per_second(self) -> float:
        return self.operations / self.measured_seconds if self.measured_seconds else 0.0


async def run_api_load(plan: LoadPlan, progress: Callable[[str], None]) -> LoadOutcome:
    lockers = math.ceil(plan.clients / CLIENTS_PER_LOCKER)
    async with scratch_site(
        plan.db, plan.postgres_admin_url, lockers=lockers, layout=LOCKER_LAYOUT, progress=progress
    ) as scratch:
        progress(f"starting the server ({plan.workers} worker process(es))")
        async with ServerProcess(scratch.server_env, workers=plan.workers) as server:
            progress(f"driving {plan.clients} clients for {plan.warmup:.0f} s warm-up + {plan.seconds:.0f} s")
            with _start_up_frozen():  # before the measured window starts: its first collection takes a while
                async with client_connections(server.base_url) as connections:
                    meter = cpu_meter(server, database=plan.db == "postgres")
                    return await _drive(plan, connections, scratch.site, scratch.mailbox, meter)


def cpu_meter(server: ServerProcess, *, database: bool) -> CpuMeter | None:
    """What reads the CPU of the server's processes, PostgreSQL's (`database`) and the bench's own; None where the
    system does not tell (no /proc)."""
    if server.process is None or not CpuMeter.available():
        return None
    return CpuMeter(server.process.pid, database=database)


def client_connections(base_url: str) -> HttpConnectionPool:
    """The HTTP connections the clients of `bench api` or `bench floor` share, each request on one of them.

    Lean (bench/http_connection.py) rather than aiohttp's session, with which the client process cost ~0.3-0.55 ms
    of CPU per operation: the clients run on the server's two cores, and what they spend is taken from the server.
    Idle connections are closed by the client before uvicorn closes them (its keep-alive is 5 s): otherwise a
    request sent after a long wait for a pickup code could go out on a connection the server has just closed, an
    error of the tool, not of the server. Shared rather than one per client: see HttpConnectionPool."""
    return HttpConnectionPool.to(base_url, idle_limit=CLIENT_KEEPALIVE_SECONDS, timeout=REQUEST_TIMEOUT_SECONDS)


async def _drive(
    plan: LoadPlan, connections: HttpConnectionPool, site: SampleSite, mailbox: Path, meter: CpuMeter | None
) -> LoadOutcome:
    anonymous = LockerApiClient(connections)
    courier = anonymous.as_party(await anonymous.sign_in_courier(site.courier_id, site.courier_pin))
    carrier = anonymous.as_party(site.carrier_key)
    sequences = {locker.id: itertools.count(1) for locker in site.lockers}
    log = LatencyLog()
    window = Window(time.monotonic() + plan.warmup, plan.seconds)
    completed = 0

    async def client(number: int) -> None:
        nonlocal completed
        locker = site.lockers[number // CLIENTS_PER_LOCKER % len(site.lockers)]
        pacer = Pacer.for_client(plan, number)
        parties = _Parties(carrier, courier, anonymous.as_party(locker.terminal_key))
        for round_number in itertools.count():
            if window.over():
                return
            lifecycle = Lifecycle(log, window, pacer)
            try:
                await _one_lifecycle(lifecycle, parties, locker.id, f"B{number:04d}-{round_number:06d}",
                                     mailbox, sequences[locker.id])  # fmt: skip
            except (ApiError, HttpConnectionError, TimeoutError, KeyError) as error:
                log.fail(lifecycle.current, str(error) if isinstance(error, ApiError) else type(error).__name__)
                continue
            if lifecycle.inside_window:
                completed += 1

    async with asyncio.TaskGroup() as group:  # the meter's reading is cancelled if the clients fail
        cpu = group.create_task(cpu_over_window(meter, window.start, plan.seconds))
        await asyncio.gather(*(client(number) for number in range(plan.clients)))
    return LoadOutcome(plan, plan.seconds, log, completed, cpu.result())


@contextmanager
def _start_up_frozen() -> Iterator[None]:
    """While the clients run, this process's garbage collector is set as the server's workers set theirs
    (api/app.py): what was built before is left out of its full collections (each took ~170 ms here, long enough to
    add to the latency of every request then in flight, a delay of the measuring tool and not of the server), and
    young objects are collected less often (CPU the tool takes from the server on the same cores)."""
    thresholds = gc.get_threshold()
    tune_garbage_collector()
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


@dataclass(frozen=True, slots=True)
class _Parties:
    carrier: LockerApiClient
    courier: LockerApiClient
    terminal: LockerApiClient


async def _one_lifecycle(
    lifecycle: Lifecycle,
    parties: _Parties,
    locker_id: str,
    tracking_number: str,
    mailbox: Path,
    sequence: itertools.count[int],
) -> None:
    address = f"{tracking_number.lower()}@bench.invalid"
    await lifecycle.time("announce", parties.carrier.announce(tracking_number, locker_id, "S", address))
    opened = await lifecycle.time("deposit", parties.courier.deposit(locker_id, tracking_number))
    compartment = opened["compartment"]["number"]
    door_closed = parties.terminal.door_event(locker_id, compartment, "closed", next(sequence))
    await lifecycle.time("door closed (deposit)", door_closed)
    lifecycle.current = "waiting for the pickup code"  # a failure here is not the door event's
    code = await lifecycle.wait(CODE_WAIT, wait_for_pickup_code(mailbox, address, within=CODE_WAIT_SECONDS))
    lifecycle.pacer.rest()  # the recipient's wait for the message is not the server's delay
    await lifecycle.time("pickup", parties.terminal.pick_up(locker_id, code))
    door_closed = parties.terminal.door_event(locker_id, compartment, "closed", next(sequence))
    await lifecycle.time("door closed (pickup)", door_closed)


@dataclass(slots=True)
class Window:
    """The measured stretch of time: after the warm-up, for the planned seconds."""

    start: float
    seconds: float

    def over(self) -> bool:
        return time.monotonic() >= self.start + self.seconds

    def holds(self, moment: float) -> bool:
        return self.start <= moment < self.start + self.seconds


@dataclass(slots=True)
class Pacer:
    """When a client's next request is due: now (closed loop), or on a fixed schedule `interval` apart."""

    interval: float | None
    due: float

    @classmethod
    def for_client(cls, plan: LoadPlan, number: int) -> Pacer:
        """The pacer of client `number` of `plan.clients`, which together offer `plan.rate` operations/s."""
        if plan.rate is None:
            return cls(None, 0.0)
        interval = plan.clients / plan.rate
        return cls(interval, time.monotonic() + interval * number / plan.clients)  # clients spread evenly

    async def turn(self) -> float:
        """Wait for the next due time and return it (the moment the latency is counted from)."""
        if self.interval is None:
            return time.monotonic()
        due = self.due
        self.due += self.interval
        if (delay := due - time.monotonic()) > 0:
            await asyncio.sleep(delay)
        return due

    def rest(self) -> None:
        """Start the schedule afresh after a pause that is not the server's doing."""
        self.due = max(self.due, time.monotonic())


@dataclass(slots=True)
class Lifecycle:
    log: LatencyLog
    window: Window
    pacer: Pacer
    current: str = "none"
    inside_window: bool = True

    async def wait(self, waited_for: str, event: Awaitable[Any]) -> Any:
        """Wait for something that is not an operation (not counted as one, nor paced), timed apart."""
        began = time.monotonic()
        result = await event
        if self.window.holds(began):
            self.log.record_wait(waited_for, time.monotonic() - began)
        return result

    async def time(self, operation: str, call: Awaitable[Any]) -> Any:
        self.current = operation
        began = await self.pacer.turn()
        result = await call
        if self.window.holds(began):
            self.log.record(operation, time.monotonic() - began)
        else:
            self.inside_window = False
        return result
