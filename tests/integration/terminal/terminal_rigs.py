"""A real management server process, an emulated Kerong bus over a real pty, and `parcellocker terminal` as its
own process between them, driven through the kiosk API, the server's API and the emulator's doors.

Everything the tests do while a terminal runs is asynchronous: the emulator answers the terminal's serial
requests on the test's event loop, so a blocking call in a test would look like a dead board to the terminal.
"""

from __future__ import annotations

import asyncio
import json
import signal
import sqlite3
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from parcellocker.adapters.notifications.mailbox import mailbox_file
from parcellocker.boards.emulator import BoardEmulator
from parcellocker.bootstrap import bootstrap
from parcellocker.config import Settings
from parcellocker.sample_site import seed_sample_site
from parcellocker.server_process import ServerProcess, free_port
from patience import ANSWER_WITHIN, SOON, START_WITHIN, STOP_WITHIN

if TYPE_CHECKING:
    from tests.conftest import SqliteDatabases

COURIER_PIN = "80417725"
OPERATOR_PASSWORD = "terminal-operator-password-9104"
LAYOUT = "S:10,M:6,L:2"
"""18 compartments: 1-16 on board 0, the two L ones (17, 18) on channels 1 and 2 of board 1."""
T = TypeVar("T")


@dataclass
class Lms:
    """The management server, as a process that a test may stop and start again on the same port and database."""

    env: dict[str, str]
    port: int  # 0 until the first start, which binds a free one (and each start after it binds the same)
    database: Path
    var_dir: Path
    operator_id: str
    carrier_key: str
    courier_id: str
    process: ServerProcess | None = None
    operator_token: str = ""

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        self.process = ServerProcess(self.env, port=self.port, startup_timeout=START_WITHIN)
        self.port = self.process.port
        await self.process.__aenter__()

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()
            self.process = None

    def api(self, credential: str | None = None) -> httpx.AsyncClient:
        headers = {"Authorization": f"Bearer {credential}"} if credential else {}
        return httpx.AsyncClient(base_url=self.base_url + "/api/v1", headers=headers, timeout=10)

    def query(self, sql: str, *parameters: Any) -> list[tuple[Any, ...]]:
        """Read the server's database directly, to count what was applied."""
        with sqlite3.connect(f"file:{self.database}?mode=ro", uri=True) as connection:
            return connection.execute(sql, parameters).fetchall()


@dataclass
class TerminalRig:
    lms: Lms
    emulator: BoardEmulator[Any]
    pty: str
    folder: Path
    locker_id: str = ""
    terminal_key: str = ""
    kiosk_port: int = field(default_factory=free_port)
    process: asyncio.subprocess.Process | None = None
    starts: int = 0
    kiosk_settings: dict[str, Any] = field(default_factory=dict)
    """More settings of the terminal's [kiosk] section (strings, numbers, booleans), e.g. {"idle_seconds": 5}."""

    @property
    def log_path(self) -> Path:
        return self.folder / "terminal.log"

    async def add_locker(self) -> None:
        async with self.lms.api(self.lms.operator_token) as operator:
            reply = await operator.post("/lockers", json={"name": "Pty locker", "layout": LAYOUT})
        assert reply.status_code == 201, reply.text
        self.locker_id, self.terminal_key = reply.json()["id"], reply.json()["terminal_key"]
        (self.folder / "terminal.key").write_text(self.terminal_key)
        (self.folder / "locker.toml").write_text(
            f"""
locker_id = "{self.locker_id}"
store = "{self.folder / "terminal.db"}"
[server]
url = "{self.lms.base_url}"
terminal_key_file = "{self.folder / "terminal.key"}"
request_timeout = {ANSWER_WITHIN}
pickup_timeout = {ANSWER_WITHIN}
[link]
command_wait = 1.0
retry_initial = 0.1
retry_max = 0.5
[bus]
url = "{self.pty}"
protocol = "kerong"
timeout = 0.15
[bus.kerong]
confirm_within = 0.3
confirm_interval = 0.02
[wiring]
layout = "{LAYOUT}"
[doors]
poll_interval = 0.05
left_open_after = 1.0
opening_grace = 5.0
[kiosk]
port = {self.kiosk_port}
"""
            + "".join(f"{name} = {json.dumps(value)}\n" for name, value in self.kiosk_settings.items())
        )

    async def start(self) -> dict[str, Any]:
        """Start the terminal and wait until it serves the kiosk (its doors reconciled); returns its status."""
        self.starts += 1
        command = ["-m", "parcellocker.cli.main", "terminal", "--config", str(self.folder / "locker.toml")]
        with self.log_path.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, *command, stdout=log, stderr=asyncio.subprocess.STDOUT
            )
        deadline = time.monotonic() + START_WITHIN
        async with self.kiosk() as kiosk:
            while time.monotonic() < deadline:
                if self.process.returncode is not None:
                    raise AssertionError(f"the terminal exited at start:\n{self.log_tail()}")
                try:
                    reply = await kiosk.get("/status")
                    if reply.status_code == 200 and reply.json()["ready"]:
                        status: dict[str, Any] = reply.json()
                        return status
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.05)
        raise AssertionError(f"the terminal did not start:\n{self.log_tail()}")

    async def kill(self) -> None:
        """kill -9: no chance to finish anything."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()
        self.process = None

    async def stop(self) -> int:
        """SIGTERM, and the exit status (within STOP_WITHIN, or the test fails)."""
        assert self.process is not None
        process, self.process = self.process, None
        process.terminate()
        try:
            return await asyncio.wait_for(process.wait(), STOP_WITHIN)
        except TimeoutError:
            process.kill()
            await process.wait()
            raise AssertionError(f"the terminal did not stop within {STOP_WITHIN} s of SIGTERM") from None

    def log_tail(self, lines: int = 60) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def kiosk(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=f"http://127.0.0.1:{self.kiosk_port}", timeout=10)

    async def status(self) -> dict[str, Any]:
        async with self.kiosk() as kiosk:
            reply = await kiosk.get("/status")
        assert reply.status_code == 200, reply.text
        status: dict[str, Any] = reply.json()
        return status

    async def kiosk_post(self, path: str, body: dict[str, Any]) -> httpx.Response:
        async with self.kiosk() as kiosk:
            return await kiosk.post(path, json=body)

    async def announce(self, size: str = "S") -> dict[str, Any]:
        body = {
            "tracking_number": f"PTY{uuid.uuid4().hex[:10].upper()}",
            "locker_id": self.locker_id,
            "size": size,
            "recipient": {"email": f"{uuid.uuid4().hex[:12]}@terminal.example"},
        }
        async with self.lms.api(self.lms.carrier_key) as carrier:
            reply = await carrier.post("/shipments", json=body)
        assert reply.status_code == 201, reply.text
        shipment: dict[str, Any] = reply.json()
        return shipment

    async def deposit(self, shipment: dict[str, Any]) -> int:
        """A courier signs in at the kiosk and deposits: the compartment the terminal opened."""
        signed_in = await self.kiosk_post("/courier/sign-in", {"courier_id": self.lms.courier_id, "pin": COURIER_PIN})
        assert signed_in.status_code == 200, signed_in.text
        body = {"courier_token": signed_in.json()["courier_token"], "tracking_number": shipment["tracking_number"]}
        opened = await self.kiosk_post("/deposit", body)
        assert opened.status_code == 200, opened.text
        number: int = opened.json()["compartment"]
        return number

    async def store(self, size: str = "S") -> tuple[dict[str, Any], int]:
        """Announce a parcel, deposit it at the kiosk and close its door on the emulator; waits until stored."""
        shipment = await self.announce(size)
        number = await self.deposit(shipment)
        self.close_door(number)
        await eventually(lambda: self.shipment_state(shipment["id"]), "stored")
        return shipment, number

    async def shipment(self, shipment_id: str) -> dict[str, Any]:
        async with self.lms.api(self.lms.carrier_key) as carrier:
            reply = await carrier.get(f"/shipments/{shipment_id}")
        assert reply.status_code == 200, reply.text
        found: dict[str, Any] = reply.json()
        return found

    async def shipment_state(self, shipment_id: str) -> str:
        state: str = (await self.shipment(shipment_id))["state"]
        return state

    async def compartment(self, number: int) -> dict[str, Any]:
        async with self.lms.api(self.lms.operator_token) as operator:
            reply = await operator.get(f"/lockers/{self.locker_id}")
        return next(c for c in reply.json()["compartments"] if c["number"] == number)

    async def alarms(self) -> list[dict[str, Any]]:
        async with self.lms.api(self.lms.operator_token) as operator:
            reply = await operator.get("/alarms", params={"locker_id": self.locker_id})
        assert reply.status_code == 200, reply.text
        found: list[dict[str, Any]] = reply.json()
        return found

    async def message(self, shipment: dict[str, Any]) -> dict[str, Any]:
        """The recipient's message (code and QR token), once the server's mailbox has it."""
        path = mailbox_file(self.lms.var_dir / "mailbox", shipment["recipient"]["email"])

        async def lines() -> list[str]:
            return path.read_text().splitlines() if path.exists() else []

        found = await eventually(lines, lambda found: bool(found))
        message: dict[str, Any] = json.loads(found[-1])
        return message

    def lock_of(self, number: int) -> tuple[int, int]:
        """(board, channel) of a compartment of LAYOUT."""
        return divmod(number - 1, 16)[0], (number - 1) % 16 + 1

    def close_door(self, number: int) -> None:
        self.emulator.close_door(*self.lock_of(number))

    def last_seq(self) -> int:
        """The last seq the terminal's store has given."""
        with sqlite3.connect(f"file:{self.folder / 'terminal.db'}?mode=ro", uri=True) as connection:
            last: int = connection.execute("SELECT value FROM counters WHERE name = 'seq'").fetchone()[0]
        return last

    async def live_codes(self) -> int:
        """How many codes the terminal could check by itself now."""
        with sqlite3.connect(f"file:{self.folder / 'terminal.db'}?mode=ro", uri=True) as connection:
            rows = connection.execute(
                "SELECT count(*) FROM codes WHERE shipment_id NOT IN (SELECT shipment_id FROM used_codes)"
            )
            count: int = rows.fetchone()[0]
        return count

    def unlocks(self) -> dict[int, int]:
        """How many times each compartment's lock was told to open."""
        counts = {}
        for number in range(1, 19):
            if unlocks := self.emulator.compartment(*self.lock_of(number)).unlocks:
                counts[number] = unlocks
        return counts


async def eventually(read: Callable[[], Awaitable[T]], expected: Any, within: float = SOON) -> T:
    """What `read` gives once it equals `expected` (or satisfies it, when `expected` is callable)."""
    deadline = time.monotonic() + within
    while True:
        value = await read()
        if (expected(value) if callable(expected) else value == expected) or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.05)
    assert expected(value) if callable(expected) else value == expected, f"still {value!r} after {within} s"
    return value


async def new_lms(folder: Path, sqlite_databases: SqliteDatabases, extra_env: dict[str, str] | None = None) -> Lms:
    """A seeded management server on a fresh SQLite database, started; `extra_env` adds settings."""
    url = sqlite_databases.create(migrated=True)
    var_dir = folder / "var"
    server = bootstrap(Settings(database_url=url, var_dir=var_dir))
    try:
        site = await seed_sample_site(
            server.services, lockers=0, courier_pin=COURIER_PIN, operator_password=OPERATOR_PASSWORD
        )
    finally:
        await server.close()
    env = {
        "PARCELLOCKER_DATABASE_URL": url,
        "PARCELLOCKER_VAR_DIR": str(var_dir),
        "PARCELLOCKER_LOG_FORMAT": "text",
        **(extra_env or {}),
    }
    lms = Lms(env, 0, Path(url.removeprefix("sqlite+aiosqlite:///")), var_dir, site.operator_id,
              site.carrier_key, site.courier_id)  # fmt: skip
    await lms.start()
    async with httpx.AsyncClient(base_url=lms.base_url + "/api/v1") as client:
        reply = await client.post(
            "/sessions/operator", json={"operator_id": lms.operator_id, "password": OPERATOR_PASSWORD}
        )
    lms.operator_token = reply.json()["token"]
    return lms


async def pick_up_both_offline(rig: TerminalRig, messages: list[dict[str, Any]], first: int, second: int) -> None:
    """With the server out of reach: a wrong code counts, the code and the QR token each open their compartment
    once, and the doors are shut; the six events wait in the terminal's outbox."""
    wrong_code = next(code for code in ("000000", "111111", "222222") if code not in {m["code"] for m in messages})
    wrong = await rig.kiosk_post("/pickup", {"code": wrong_code})
    assert wrong.status_code == 404 and wrong.json()["error"]["remaining_tries"] == 4
    with_code = await rig.kiosk_post("/pickup", {"code": messages[0]["code"]})
    with_qr = await rig.kiosk_post("/pickup", {"qr_token": messages[1]["qr_token"]})
    again = await rig.kiosk_post("/pickup", {"code": messages[0]["code"]})

    assert with_code.status_code == 200, with_code.text
    assert with_qr.status_code == 200, with_qr.text
    assert [with_code.json()["checked_by"], with_qr.json()["checked_by"]] == ["terminal", "terminal"]
    assert [with_code.json()["compartment"], with_qr.json()["compartment"]] == [first, second]
    assert again.status_code == 404  # a code opens once
    assert rig.unlocks() == {first: 2, second: 2}
    rig.close_door(first)
    rig.close_door(second)
    await eventually(rig.status, lambda status: status["outbox_pending"] >= 6)  # 2 pickups, 2 opens, 2 closes
