"""`parcellocker bench terminal-idle`: what the terminal process costs in CPU and memory on a large locker.

A server (SQLite) with its MQTT bridge, and the real terminal (`parcellocker terminal`, transport "mqtt") for a
locker of `boards` × `locks` compartments, each a process of its own; the Kerong boards are emulated here, behind
a pty, and the terminal polls all of them every `poll_interval`. The terminal's /proc is sampled every second:
first idle (only the polling, the link's keepalive and the code sync), then under a trickle of parcels (announce,
deposit at the kiosk, door closed, pickup with the code from the recipient's message, door closed; a pause between
parcels). Only the terminal process is measured; the emulated boards, the server and the broker are not counted.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from parcellocker.bench.brokers import scratch_broker
from parcellocker.bench.process_footprint import PhaseFootprint, sample_process
from parcellocker.bench.terminal_load import (
    COURIER_PIN,
    SOON,
    BenchTerminal,
    lock_of,
    mailed_code,
    seed_bench_server,
)
from parcellocker.boards.emulator import BoardEmulator
from parcellocker.boards.kerong import KerongEmulator
from parcellocker.sample_site import SampleSite
from parcellocker.server_process import ServerProcess

TARGET_RSS_MB = 80.0
"""The terminal's resident memory on a locker of 10 boards × 16 locks polled every 200 ms (issue 8)."""
SAMPLE_EVERY = 1.0


@dataclass(frozen=True, slots=True)
class FootprintPlan:
    boards: int = 10
    locks: int = 16
    """Locks on each board; the locker has boards × locks compartments, all size S."""
    poll_interval: float = 0.2
    seconds: float = 60.0
    """Length of each phase: idle, then the trickle of parcels."""
    parcel_pause: float = 2.0
    """Seconds between one parcel picked up and the next announced, in the trickle."""
    broker: str | None = None
    """None: a Mosquitto of the run's own (bench/brokers.py)."""

    @property
    def compartments(self) -> int:
        return self.boards * self.locks


@dataclass(slots=True)
class FootprintOutcome:
    plan: FootprintPlan
    broker: str
    started: PhaseFootprint
    """One sample, as soon as the terminal said it was ready."""
    phases: list[PhaseFootprint] = field(default_factory=list)


async def run_terminal_footprint(plan: FootprintPlan, progress: Callable[[str], None]) -> FootprintOutcome:
    with tempfile.TemporaryDirectory(prefix="parcellocker-bench-footprint-") as name:
        folder = Path(name)
        layout = f"S:{plan.compartments}"
        progress(f"migrating and seeding a fresh SQLite database: one locker, {layout}")
        seeded_server = await seed_bench_server(folder, layout)
        site, env = seeded_server.site, seeded_server.env
        async with contextlib.AsyncExitStack() as stack:
            broker: str = plan.broker if plan.broker else await stack.enter_async_context(scratch_broker(folder))
            env["PARCELLOCKER_MQTT_URL"] = broker
            env["PARCELLOCKER_MQTT_TOPIC_ROOT"] = root = f"parcellocker-bench-{secrets.token_hex(4)}/v1"
            boards = BoardEmulator(KerongEmulator(), range(plan.boards), plan.locks)
            emulator = await stack.enter_async_context(boards)
            pty = await emulator.serve_pty()
            progress(f"starting the server, its MQTT bridge on {broker}, and the terminal ({plan.boards} boards)")
            server = await stack.enter_async_context(ServerProcess(env))
            terminal = BenchTerminal(
                folder, site, server.base_url, pty, (broker, root), plan.poll_interval, layout, plan.locks
            )
            await terminal.start()
            try:
                outcome = FootprintOutcome(plan, broker, PhaseFootprint("started", [sample_process(terminal.pid)]))
                rounds = _ParcelRounds(plan, site, server, terminal, emulator, seeded_server.mailbox_dir)
                try:
                    progress(f"idle for {plan.seconds:g} s")
                    outcome.phases.append(await _idle(terminal, plan.seconds))
                    progress(f"a trickle of parcels for {plan.seconds:g} s")
                    outcome.phases.append(await rounds.trickle(plan.seconds))
                finally:
                    await rounds.close()
                return outcome
            finally:
                await terminal.stop()


async def _idle(terminal: BenchTerminal, seconds: float) -> PhaseFootprint:
    phase = PhaseFootprint("idle")
    await _sample_for(terminal, phase, seconds)
    return phase


async def _sample_for(terminal: BenchTerminal, phase: PhaseFootprint, seconds: float) -> None:
    end = time.monotonic() + seconds
    phase.samples.append(sample_process(terminal.pid))
    while (left := end - time.monotonic()) > 0:
        await asyncio.sleep(min(SAMPLE_EVERY, left))
        phase.samples.append(sample_process(terminal.pid))


class _ParcelRounds:
    """Parcels one after the other through the kiosk: announced, deposited, stored, picked up, door closed."""

    def __init__(
        self,
        plan: FootprintPlan,
        site: SampleSite,
        server: ServerProcess,
        terminal: BenchTerminal,
        emulator: BoardEmulator[Any],
        mailbox: Path,
    ) -> None:
        self.plan = plan
        self.site = site
        self.terminal = terminal
        self.emulator = emulator
        self.mailbox = mailbox
        self.kiosk = httpx.AsyncClient(base_url=terminal.kiosk_url, timeout=10)
        self.carrier = httpx.AsyncClient(
            base_url=server.base_url + "/api/v1", headers={"Authorization": f"Bearer {site.carrier_key}"}, timeout=10
        )

    async def close(self) -> None:
        await self.kiosk.aclose()
        await self.carrier.aclose()

    async def trickle(self, seconds: float) -> PhaseFootprint:
        phase = PhaseFootprint("trickle of parcels")
        sampling = asyncio.create_task(_sample_for(self.terminal, phase, seconds))
        signed_in = await self._kiosk("/courier/sign-in", {"courier_id": self.site.courier_id, "pin": COURIER_PIN})
        token = signed_in["courier_token"]
        try:
            while not sampling.done():
                await self._one_parcel(token)
                phase.lifecycles += 1
                await asyncio.wait({sampling}, timeout=self.plan.parcel_pause)
        except BaseException:
            sampling.cancel()
            raise
        await sampling
        return phase

    async def _one_parcel(self, courier_token: str) -> None:
        email = f"{uuid.uuid4().hex[:12]}@bench.example"
        announced = await self.carrier.post(
            "/shipments",
            json={"tracking_number": f"BF{uuid.uuid4().hex[:12].upper()}", "locker_id": self.terminal.locker.id,
                  "size": "S", "recipient": {"email": email}},
        )  # fmt: skip
        if announced.status_code != 201:
            raise RuntimeError(f"announce: {announced.status_code} {announced.text}")
        shipment = announced.json()
        body = {"courier_token": courier_token, "tracking_number": shipment["tracking_number"]}
        compartment: int = (await self._kiosk("/deposit", body))["compartment"]
        await self._close(shipment["id"], compartment, "stored")
        opened = await self._kiosk("/pickup", {"code": await self._code(email)})
        if opened["compartment"] != compartment:
            raise RuntimeError(f"the pickup opened compartment {opened['compartment']}, not {compartment}")
        await self._close(shipment["id"], compartment, "picked_up")

    async def _close(self, shipment_id: str, compartment: int, state: str) -> None:
        self.emulator.close_door(*lock_of(compartment, self.plan.locks))
        deadline = time.monotonic() + SOON
        while (reply := await self.carrier.get(f"/shipments/{shipment_id}")).json().get("state") != state:
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"shipment {shipment_id} not {state} {SOON:.0f} s after its door closed: {reply.text}"
                )
            await asyncio.sleep(0.05)

    async def _code(self, email: str) -> str:
        return await mailed_code(self.mailbox, email, poll=0.05)

    async def _kiosk(self, path: str, body: dict[str, Any]) -> Any:
        reply = await self.kiosk.post(path, json=body)
        if reply.status_code != 200:
            raise RuntimeError(f"kiosk {path}: {reply.status_code} {reply.text}")
        return reply.json()
