"""`parcellocker bench terminal`: the terminal's latencies, measured on real processes on this machine.

A server (SQLite) with its MQTT bridge and a terminal (`parcellocker terminal`, transport "mqtt") run as their own
processes; the Kerong boards are emulated here, behind a pty, and note the moment each unlock frame arrives on
their side of the serial line. Measured, one at a time:

- pickup → unlock: from the pickup code being sent to the kiosk API until the unlock frame arrives at the boards,
  online (the terminal asks the server over MQTT) and offline (the server stopped; the terminal checks the code
  itself);
- door → server: from a door being closed on the emulated boards until the server's API shows the shipment's new
  state (stored after a deposit, picked up after a pickup), over MQTT.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from parcellocker.adapters.db import migrate
from parcellocker.adapters.notifications.mailbox import mailbox_file
from parcellocker.bench.brokers import scratch_broker
from parcellocker.boards.emulator import BoardEmulator
from parcellocker.boards.kerong import KerongEmulator
from parcellocker.boards.kerong import frames as kerong_frames
from parcellocker.bootstrap import bootstrap
from parcellocker.config import Settings
from parcellocker.sample_site import SampleSite, seed_sample_site
from parcellocker.server_process import ServerProcess, free_port

LAYOUT = "S:32"
"""32 compartments on two emulated Kerong boards (0 and 1), 16 locks each."""
BOARDS = (0, 1)
LOCKS_PER_BOARD = 16
COURIER_PIN = "50713384"
SOON = 20.0

TARGETS_MS = {"online": 100.0, "offline": 20.0, "door_to_server": 300.0}
"""p99 targets (DESIGN §10)."""


@dataclass(frozen=True, slots=True)
class TerminalBenchPlan:
    pickups: int = 100
    """Pickups measured online, and as many offline."""
    broker: str | None = None
    """The broker the server and the terminal use; None: a Mosquitto of the run's own (see bench/brokers.py)."""
    poll_interval: float = 0.2
    """The terminal's door polling interval (its default)."""


@dataclass(slots=True)
class TerminalBenchOutcome:
    plan: TerminalBenchPlan
    broker: str
    online: list[float] = field(default_factory=list)
    offline: list[float] = field(default_factory=list)
    door_to_server: list[float] = field(default_factory=list)


class UnlockClock(KerongEmulator):
    """The Kerong boards' side of the line, noting when each unlock frame arrives: (monotonic time, board, lock)."""

    def __init__(self) -> None:
        super().__init__()
        self.unlocks: list[tuple[float, int, int]] = []

    def parse(self, buffer: bytes) -> tuple[list[kerong_frames.Frame], bytes]:
        requests, rest = super().parse(buffer)
        now = time.monotonic()
        self.unlocks += [(now, r.board, r.lock) for r in requests if r.command == kerong_frames.Command.UNLOCK]
        return requests, rest

    def unlocked_after(self, moment: float, number: int) -> float | None:
        board, lock = lock_of(number)
        return next((at for at, b, n in self.unlocks if at >= moment and (b, n) == (board, lock)), None)


def lock_of(number: int, locks_per_board: int = LOCKS_PER_BOARD) -> tuple[int, int]:
    """The (board, lock) of compartment `number`, wired `locks_per_board` to a board from board 0."""
    board, offset = divmod(number - 1, locks_per_board)
    return board, offset + 1


@dataclass(frozen=True, slots=True)
class SeededServer:
    site: SampleSite
    env: dict[str, str]
    """The environment of the server process that serves the database."""
    mailbox_dir: Path
    """Where that server's recipients' messages (and so the pickup codes) arrive."""


async def mailed_code(mailbox: Path, email: str, *, poll: float) -> str:
    """The pickup code of the newest message the server wrote to `email` (its mailbox notifier), within SOON."""
    path = mailbox_file(mailbox, email)
    deadline = time.monotonic() + SOON
    while time.monotonic() < deadline:
        if path.exists() and (lines := path.read_text().splitlines()):
            code: str = json.loads(lines[-1])["code"]
            return code
        await asyncio.sleep(poll)
    raise RuntimeError(f"no message reached {email}")


async def seed_bench_server(folder: Path, layout: str) -> SeededServer:
    """A fresh SQLite database in `folder` with one locker of `layout` (its carrier, courier and terminal key)."""
    url = f"sqlite+aiosqlite:///{folder / 'server.db'}"
    server_key = secrets.token_urlsafe(32)
    await asyncio.to_thread(migrate.upgrade, url)
    settings = Settings(var_dir=folder / "var", database_url=url, server_key=server_key)
    seeded = bootstrap(settings)
    try:
        site = await seed_sample_site(seeded.services, lockers=1, layout=layout, courier_pin=COURIER_PIN)
    finally:
        await seeded.close()
    env = {
        "PARCELLOCKER_DATABASE_URL": url,
        "PARCELLOCKER_VAR_DIR": str(settings.var_dir),
        "PARCELLOCKER_SERVER_KEY": server_key,
        "PARCELLOCKER_LOG_LEVEL": "WARNING",
    }
    return SeededServer(site, env, settings.effective_mailbox_dir)


async def run_terminal_bench(plan: TerminalBenchPlan, progress: Callable[[str], None]) -> TerminalBenchOutcome:
    with tempfile.TemporaryDirectory(prefix="parcellocker-bench-terminal-") as name:
        folder = Path(name)
        progress("migrating and seeding a fresh SQLite database")
        seeded_server = await seed_bench_server(folder, LAYOUT)
        site, env = seeded_server.site, seeded_server.env
        clock = UnlockClock()
        async with contextlib.AsyncExitStack() as stack:
            broker: str = plan.broker if plan.broker else await stack.enter_async_context(scratch_broker(folder))
            env["PARCELLOCKER_MQTT_URL"] = broker
            env["PARCELLOCKER_MQTT_TOPIC_ROOT"] = root = f"parcellocker-bench-{secrets.token_hex(4)}/v1"
            emulator = await stack.enter_async_context(BoardEmulator(clock, BOARDS, LOCKS_PER_BOARD))
            pty = await emulator.serve_pty()
            progress(f"starting the server, its MQTT bridge on {broker}, and the terminal")
            server = await stack.enter_async_context(ServerProcess(env))
            terminal = BenchTerminal(folder, site, server.base_url, pty, (broker, root), plan.poll_interval)
            await terminal.start()
            try:
                bench = _Bench(plan, site, server, terminal, emulator, clock, seeded_server.mailbox_dir)
                return await bench.run(TerminalBenchOutcome(plan, broker), progress)
            finally:
                await terminal.stop()


class BenchTerminal:
    """`parcellocker terminal` for the seeded locker, on transport "mqtt", as a process of its own."""

    def __init__(
        self,
        folder: Path,
        site: SampleSite,
        server_url: str,
        pty: str,
        link: tuple[str, str],
        poll_interval: float,
        layout: str = LAYOUT,
        locks_per_board: int = LOCKS_PER_BOARD,
    ) -> None:
        """`link`: the broker's URL and the topic root; `layout` as the server's locker was added with."""
        broker, root = link
        self.folder = folder
        self.locker = site.lockers[0]
        self.store = folder / "terminal.db"
        self.kiosk_url = f"http://127.0.0.1:{free_port()}"
        self.log = folder / "terminal.log"
        self.process: asyncio.subprocess.Process | None = None
        (folder / "terminal.key").write_text(self.locker.terminal_key)
        (folder / "locker.toml").write_text(
            f"""
locker_id = "{self.locker.id}"
store = "{self.store}"
log_level = "WARNING"
[server]
url = "{server_url}"
terminal_key_file = "{folder / "terminal.key"}"
request_timeout = 1.0
pickup_timeout = 1.0
[link]
transport = "mqtt"
broker = "{broker}"
topic_root = "{root}"
command_wait = 1.0
retry_initial = 0.1
retry_max = 0.5
[bus]
url = "{pty}"
protocol = "kerong"
[wiring]
layout = "{layout}"
locks_per_board = {locks_per_board}
[doors]
poll_interval = {poll_interval}
[kiosk]
port = {self.kiosk_url.rsplit(":", 1)[1]}
"""
        )

    async def start(self, within: float = SOON) -> None:
        """Start the terminal and wait (up to `within` seconds) until it serves the kiosk."""
        command = ["-m", "parcellocker.cli.main", "terminal", "--config", str(self.folder / "locker.toml")]
        with self.log.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, *command, stdout=log, stderr=subprocess.STDOUT
            )
        await self.until(lambda status: status["ready"], "the terminal did not start", within)

    @property
    def pid(self) -> int:
        if self.process is None:
            raise RuntimeError("the terminal was not started")
        return self.process.pid

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), 10)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()

    async def status(self) -> dict[str, Any] | None:
        try:
            async with httpx.AsyncClient(base_url=self.kiosk_url, timeout=5) as kiosk:
                reply = await kiosk.get("/status")
        except httpx.TransportError:
            return None
        found: dict[str, Any] | None = reply.json() if reply.status_code == 200 else None
        return found

    async def until(self, holds: Callable[[dict[str, Any]], bool], failure: str, within: float = SOON) -> None:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if self.process is not None and self.process.returncode is not None:
                break
            status = await self.status()
            if status is not None and holds(status):
                return
            await asyncio.sleep(0.05)
        tail = "\n".join(self.log.read_text(errors="replace").splitlines()[-30:])
        raise RuntimeError(f"{failure}:\n{tail}")

    def live_codes(self) -> int:
        """How many codes the terminal could check by itself now."""
        with sqlite3.connect(f"file:{self.store}?mode=ro", uri=True) as connection:
            rows = connection.execute(
                "SELECT count(*) FROM codes WHERE shipment_id NOT IN (SELECT shipment_id FROM used_codes)"
            )
            count: int = rows.fetchone()[0]
        return count


@dataclass(slots=True)
class _Parcel:
    shipment_id: str
    compartment: int
    code: str = ""


class _Bench:
    def __init__(
        self,
        plan: TerminalBenchPlan,
        site: SampleSite,
        server: ServerProcess,
        terminal: BenchTerminal,
        emulator: BoardEmulator[Any],
        clock: UnlockClock,
        mailbox: Path,
    ) -> None:
        self.plan = plan
        self.site = site
        self.server = server
        self.terminal = terminal
        self.emulator = emulator
        self.clock = clock
        self.mailbox = mailbox
        self.kiosk = httpx.AsyncClient(base_url=terminal.kiosk_url, timeout=10)
        self.carrier = httpx.AsyncClient(
            base_url=server.base_url + "/api/v1", headers={"Authorization": f"Bearer {site.carrier_key}"}, timeout=10
        )
        self.courier_token = ""

    async def run(self, outcome: TerminalBenchOutcome, progress: Callable[[str], None]) -> TerminalBenchOutcome:
        self.outcome = outcome
        try:
            signed_in = await self._kiosk("/courier/sign-in", {"courier_id": self.site.courier_id, "pin": COURIER_PIN})
            self.courier_token = signed_in["courier_token"]
            while len(self.outcome.online) < self.plan.pickups:
                parcels = await self._fill(self.plan.pickups - len(self.outcome.online))
                progress(f"online: {len(self.outcome.online)} pickups so far, {len(parcels)} parcels stored")
                for parcel in parcels:
                    self.outcome.online.append(await self._pick_up(parcel, "server"))
                    await self._close(parcel, "picked_up")
            while len(self.outcome.offline) < self.plan.pickups:
                parcels = await self._fill(self.plan.pickups - len(self.outcome.offline))
                await self._until_codes_synced(len(parcels))
                progress(f"offline: {len(self.outcome.offline)} pickups so far; stopping the server")
                self.server.stop()
                await self.terminal.until(lambda status: status["link"]["up"] is False, "the terminal missed the stop")
                for parcel in parcels:
                    self.outcome.offline.append(await self._pick_up(parcel, "terminal"))
                    self.emulator.close_door(*lock_of(parcel.compartment))
                await self._restart_server()
                await self.terminal.until(lambda status: status["outbox_pending"] == 0, "the outbox did not drain")
            return self.outcome
        finally:
            await self.kiosk.aclose()
            await self.carrier.aclose()

    async def _restart_server(self) -> None:
        self.server.start()
        deadline = time.monotonic() + SOON
        while time.monotonic() < deadline:
            try:
                if (await self.carrier.get(self.server.base_url + "/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.05)
        raise RuntimeError(f"the server did not start again:\n{self.server.log_tail()}")

    async def _fill(self, wanted: int) -> list[_Parcel]:
        """Deposit up to `wanted` parcels (at most one per compartment) and close each door, timing door → server."""
        parcels: list[_Parcel] = []
        for _ in range(min(wanted, len(BOARDS) * LOCKS_PER_BOARD)):
            email = f"{uuid.uuid4().hex[:12]}@bench.example"
            announced = await self.carrier.post(
                "/shipments",
                json={"tracking_number": f"BT{uuid.uuid4().hex[:12].upper()}", "locker_id": self.terminal.locker.id,
                      "size": "S", "recipient": {"email": email}},
            )  # fmt: skip
            if announced.status_code != 201:
                raise RuntimeError(f"announce: {announced.status_code} {announced.text}")
            shipment = announced.json()
            body = {"courier_token": self.courier_token, "tracking_number": shipment["tracking_number"]}
            parcel = _Parcel(shipment["id"], (await self._kiosk("/deposit", body))["compartment"])
            await self._close(parcel, "stored")
            parcel.code = await self._code(email)
            parcels.append(parcel)
        return parcels

    async def _pick_up(self, parcel: _Parcel, checked_by: str) -> float:
        """Seconds from the code sent to the kiosk until the unlock frame reached the boards."""
        sent = time.monotonic()
        opened = await self._kiosk("/pickup", {"code": parcel.code})
        if (opened["compartment"], opened["checked_by"]) != (parcel.compartment, checked_by):
            raise RuntimeError(f"pickup of compartment {parcel.compartment} checked by {checked_by}: got {opened}")
        unlocked = self.clock.unlocked_after(sent, parcel.compartment)
        if unlocked is None:
            raise RuntimeError(f"no unlock frame reached the boards for compartment {parcel.compartment}")
        return unlocked - sent

    async def _close(self, parcel: _Parcel, state: str) -> None:
        """Close the door and wait until the server shows the shipment `state`; the time it took is kept."""
        closed = time.monotonic()
        self.emulator.close_door(*lock_of(parcel.compartment))
        while True:
            reply = await self.carrier.get(f"/shipments/{parcel.shipment_id}")
            if reply.status_code == 200 and reply.json()["state"] == state:
                self.outcome.door_to_server.append(time.monotonic() - closed)
                return
            if time.monotonic() - closed > SOON:
                raise RuntimeError(f"shipment {parcel.shipment_id} not {state} {SOON:.0f} s after its door closed")
            await asyncio.sleep(0.002)

    async def _code(self, email: str) -> str:
        return await mailed_code(self.mailbox, email, poll=0.01)

    async def _until_codes_synced(self, count: int) -> None:
        deadline = time.monotonic() + SOON
        while self.terminal.live_codes() < count:
            if time.monotonic() > deadline:
                raise RuntimeError("the terminal's code sheet did not get the new codes")
            await asyncio.sleep(0.05)

    async def _kiosk(self, path: str, body: dict[str, Any]) -> Any:
        reply = await self.kiosk.post(path, json=body)
        if reply.status_code != 200:
            raise RuntimeError(f"kiosk {path}: {reply.status_code} {reply.text}")
        return reply.json()
