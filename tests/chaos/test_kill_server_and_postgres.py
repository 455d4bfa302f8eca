"""kill -9 of the server and of PostgreSQL at random moments of a running load over the HTTP API (issue 8).

Concurrent clients run whole lifecycles (announce → deposit → door closed → pickup with the code from the mailbox →
door closed), the terminal's part played over the HTTP link, each request retried with its Idempotency-Key after a
connection error or a 5xx. Meanwhile the server process and the whole PostgreSQL cluster (a private one) are
SIGKILLed at seeded random moments and started again. Afterwards: every lifecycle finished, and the database, the
outbox, the mailbox and the audit chain agree (invariants.py).
"""

from __future__ import annotations

import asyncio
import itertools
import secrets
import signal
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import httpx
import pytest
from api_clients import Counts, Faults, Lifecycle, RetryingApi, pickup_code
from chaos_rigs import KillPlan, PrivatePostgres
from invariants import (
    assert_acknowledged_operations_kept,
    assert_messages_delivered,
    assert_operator_tools_agree,
    describe,
    settled,
)

from parcellocker.adapters.db import migrate
from parcellocker.bootstrap import bootstrap
from parcellocker.config import Settings
from parcellocker.sample_site import SampleSite, seed_sample_site
from parcellocker.server_process import ServerProcess

pytestmark = pytest.mark.chaos

CLIENTS = 8
LOCKERS = 2
LAYOUT = "S:8"  # one compartment per client of a locker at most: nobody waits for a free one
VICTIMS = ["server", "postgres"]


@dataclass
class Run:
    postgres: PrivatePostgres
    server: ServerProcess
    site: SampleSite
    env: dict[str, str]
    mailbox: Path
    counts: Counts = field(default_factory=Counts)
    faults: Faults = field(default_factory=Faults)
    lifecycles: list[Lifecycle] = field(default_factory=list)
    kills: list[tuple[float, str, str]] = field(default_factory=list)


@pytest.fixture
async def run(tmp_path: Path) -> AsyncIterator[Run]:
    postgres = PrivatePostgres(tmp_path)
    try:
        await asyncio.to_thread(postgres.init)
        await postgres.start()
        await postgres.create_database()
        url = postgres.url()
        await asyncio.to_thread(migrate.upgrade, url)
        var_dir = tmp_path / "var"
        server_key = secrets.token_urlsafe(32)
        settings = Settings(var_dir=var_dir, database_url=url, server_key=server_key)
        seeded = bootstrap(settings)
        try:
            site = await seed_sample_site(seeded.services, lockers=LOCKERS, layout=LAYOUT, courier_pin="61803398")
        finally:
            await seeded.close()
        env = {
            "PARCELLOCKER_DATABASE_URL": url,
            "PARCELLOCKER_VAR_DIR": str(var_dir),
            "PARCELLOCKER_SERVER_KEY": server_key,
            "PARCELLOCKER_LOG_LEVEL": "WARNING",
        }
        async with ServerProcess(env, log_path=tmp_path / "server.log") as server:
            yield Run(postgres, server, site, env, settings.effective_mailbox_dir)
    finally:
        postgres.remove()


async def test_every_parcel_ends_consistent_after_kill_9_of_the_server_and_postgres_under_load(run: Run) -> None:
    plan = KillPlan.from_environment(short=(1, 8.0), full=(8, 150.0))
    started = time.monotonic()
    load_over = asyncio.Event()
    killer = asyncio.create_task(_kill_on_schedule(run, plan, load_over))
    timeout = aiohttp.ClientTimeout(total=15)
    async with aiohttp.ClientSession(run.server.base_url, timeout=timeout) as http:
        courier_token = await _courier_token(http, run)
        sequences = {locker.id: itertools.count(1) for locker in run.site.lockers}
        clients = [_client(number, http, run, courier_token, sequences, load_over) for number in range(CLIENTS)]
        results = await asyncio.gather(*clients, return_exceptions=True)
    await asyncio.wait([killer])
    failures = [repr(result) for result in [*results, killer.exception()] if isinstance(result, BaseException)]
    assert not failures, f"seed {plan.seed}: kills {run.kills}: {failures}\n{_log_lines(run)}"

    report = await settled(run.postgres.url())
    assert report.consistent, f"seed {plan.seed}: {describe(report)}"
    assert not any(report.pending.values()), f"seed {plan.seed}: not settled: {report.pending}"
    delivered = await assert_messages_delivered(run.postgres.url(), run.mailbox)
    await assert_acknowledged_operations_kept(run.postgres.url(), run.lifecycles)
    await assert_operator_tools_agree(run.env)
    finished = [lifecycle for lifecycle in run.lifecycles if lifecycle.done[-1:] == ["picked_up"]]
    assert len(finished) == len(run.lifecycles) > 0
    assert len(run.kills) == plan.kills_per_victim * len(VICTIMS)
    twice = sum(count - 1 for count in delivered.values())
    print(
        f"seed {plan.seed}: {len(run.kills)} kills {run.kills}, {len(finished)} parcels picked up, "
        f"{report.transitions} transitions, {report.terminal_events} terminal events, 0 inconsistencies, "
        f"{twice} message(s) delivered twice, {run.counts.retries} retries "
        f"({run.counts.connection_errors} connection errors, {run.counts.server_errors} 5xx; statuses "
        f"{sorted(run.counts.statuses.items())}), "
        f"{time.monotonic() - started:.1f} s"
    )


def _log_lines(run: Run) -> str:
    """The server's and PostgreSQL's own log lines (no tracebacks), the last ones, and where the whole logs are."""
    server = [line for line in run.server.log_tail(5000).splitlines() if line[:4].isdigit()][-30:]
    return "\n".join([f"server log {run.server.log_path}:", *server, f"postgres log {run.postgres.log_path}:",
                      run.postgres.log_tail(15)])  # fmt: skip


async def _client(
    number: int,
    http: aiohttp.ClientSession,
    run: Run,
    courier_token: str,
    sequences: dict[str, itertools.count[int]],
    load_over: asyncio.Event,
) -> None:
    locker = run.site.lockers[number % len(run.site.lockers)]
    carrier = RetryingApi(http, run.site.carrier_key, run.counts, run.faults)
    courier = RetryingApi(http, courier_token, run.counts, run.faults)
    terminal = RetryingApi(http, locker.terminal_key, run.counts, run.faults)
    for round_number in itertools.count():
        if load_over.is_set():
            return
        tracking = f"K9{number:02d}{round_number:05d}{secrets.token_hex(2).upper()}"
        lifecycle = Lifecycle(tracking, locker.id, f"{tracking.lower()}@chaos.invalid")
        run.lifecycles.append(lifecycle)
        body = {"tracking_number": tracking, "locker_id": locker.id, "size": "S",
                "recipient": {"email": lifecycle.email}}  # fmt: skip
        lifecycle.shipment_id = (await carrier.post("/api/v1/shipments", body, expect=201))["id"]
        lifecycle.done.append("announce")
        opened = await courier.post(f"/api/v1/lockers/{locker.id}/deposits", {"tracking_number": tracking})
        lifecycle.compartment = opened["compartment"]["number"]
        lifecycle.done.append("deposit")
        await _door_closed(terminal, lifecycle, next(sequences[locker.id]))
        lifecycle.done.append("stored")
        code = await pickup_code(run.mailbox, lifecycle.email, run.faults)
        await terminal.post(f"/api/v1/lockers/{locker.id}/pickups", {"code": code})
        lifecycle.done.append("pickup")
        await _door_closed(terminal, lifecycle, next(sequences[locker.id]))
        lifecycle.done.append("picked_up")


async def _door_closed(terminal: RetryingApi, lifecycle: Lifecycle, seq: int) -> None:
    body = {"compartment": lifecycle.compartment, "state": "closed", "seq": seq}
    await terminal.post(f"/api/v1/lockers/{lifecycle.locker_id}/door-events", body)
    lifecycle.seqs.append(seq)


async def _courier_token(http: aiohttp.ClientSession, run: Run) -> str:
    body = {"courier_id": run.site.courier_id, "pin": "61803398"}
    async with http.post("/api/v1/sessions/courier", json=body) as response:
        assert response.status == 200, await response.text()
        token: str = (await response.json())["token"]
    return token


async def _kill_on_schedule(run: Run, plan: KillPlan, load_over: asyncio.Event) -> None:
    """Kill and restart each victim on the plan's schedule, then let the load go on for its planned time and at
    least 2 s after the last restart (a restart is slow on a loaded machine: kills must land in running load)."""
    started = time.monotonic()
    try:
        for at, victim in plan.moments(VICTIMS):
            await _kill_and_restart(run, plan, started, at, victim)
        await asyncio.sleep(max(2.0, started + plan.load_seconds - time.monotonic()))
    finally:
        load_over.set()


async def _kill_and_restart(run: Run, plan: KillPlan, started: float, at: float, victim: str) -> None:
    await asyncio.sleep(max(0.0, started + at - time.monotonic()))
    down_for = plan.rng.uniform(0.1, 1.5)
    run.kills.append((round(time.monotonic() - started, 1), victim, time.strftime("%H:%M:%S")))
    run.faults.went_down()
    try:
        await _restart_after_kill(run, victim, down_for)
    finally:
        run.faults.came_back()


async def _restart_after_kill(run: Run, victim: str, down_for: float) -> None:
    if victim == "server":
        assert run.server.process is not None
        run.server.process.send_signal(signal.SIGKILL)
        run.server.process.wait()
        await asyncio.sleep(down_for)
        run.server.start()
        await _until_healthy(run.server)
    else:
        await run.postgres.kill9()
        await asyncio.sleep(down_for)
        await run.postgres.start()


async def _until_healthy(server: ServerProcess, within: float = 120.0) -> None:
    """Until the restarted server answers /healthz; it must be ours (the port was free while it was down: another
    process may have taken it, and then ours exits)."""
    deadline = time.monotonic() + within
    async with httpx.AsyncClient(base_url=server.base_url, timeout=2) as client:
        while time.monotonic() < deadline:
            assert server.process is not None
            if server.process.poll() is not None:
                raise AssertionError(f"the restarted server exited:\n{server.log_tail()}")
            try:
                if (await client.get("/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError(f"the server did not come back within {within:.0f} s:\n{server.log_tail()}")
