"""The victims of the kill -9 runs, each private to the test: a PostgreSQL cluster and a Mosquitto of its own on
free loopback ports (the machine's shared ones on 5432 and 1883 are never touched), and the seeded schedule of
kills.

- `PrivatePostgres`: `initdb` into a temporary folder owned by the `postgres` user, `postgres -D … -p <port>` with
  fsync on; `kill9()` SIGKILLs the postmaster and every backend at once (its process group: a crash of the
  database machine, not a polite shutdown), `start()` runs crash recovery.
- `PersistentBroker`: Mosquitto with `persistence true`, saved on every change (`autosave_on_changes true`,
  `autosave_interval 1`), so queued QoS 1 messages and sessions survive its kill -9 as in a real deployment.
- `KillPlan`: how many kills per victim and how long the load runs, from PARCELLOCKER_CHAOS (unset or `short`:
  the short run of `make test`; `full`: the full run of `make chaos`), and a seeded random source whose seed is
  printed, so that a failure can be replayed with PARCELLOCKER_CHAOS_SEED.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import pytest

from parcellocker.server_process import free_port

POSTGRES_BIN = Path(os.environ.get("PARCELLOCKER_CHAOS_POSTGRES_BIN", "/usr/lib/postgresql/15/bin"))


def unavailable(message: str) -> None:
    """Skip the test, or fail it when CI=true."""
    if os.environ.get("CI") == "true":
        pytest.fail(message + " (CI=true: the kill -9 runs must run)")
    pytest.skip(message)


def accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


@dataclass
class KillPlan:
    """The size of a run and its random source."""

    kills_per_victim: int
    load_seconds: float
    seed: int
    size: str = "short"
    rng: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    @classmethod
    def from_environment(cls, short: tuple[int, float], full: tuple[int, float]) -> KillPlan:
        """`short`/`full`: (kills per victim, seconds of load) of each size."""
        size = os.environ.get("PARCELLOCKER_CHAOS", "short") or "short"
        if size not in ("short", "full"):
            raise ValueError(f"PARCELLOCKER_CHAOS={size!r}: use short or full")
        kills, seconds = full if size == "full" else short
        seed = int(os.environ.get("PARCELLOCKER_CHAOS_SEED") or random.SystemRandom().randrange(1, 10**9))
        print(f"\nkill -9 run: PARCELLOCKER_CHAOS={size} PARCELLOCKER_CHAOS_SEED={seed} (replay with both)")
        return cls(kills, seconds, seed, size)

    def moments(self, victims: list[str]) -> list[tuple[float, str]]:
        """When each victim is killed: seconds after the load started, spread at random over the run, never two
        kills closer than 1.5 s (a victim must have come back before the next kill means anything)."""
        count = self.kills_per_victim * len(victims)
        order = [victim for victim in victims for _ in range(self.kills_per_victim)]
        self.rng.shuffle(order)
        usable = max(self.load_seconds - 1.0, 1.5 * count)
        gaps = sorted(self.rng.uniform(0.5, usable) for _ in range(count))
        moments, last = [], -1.5
        for at, victim in zip(gaps, order, strict=True):
            at = max(at, last + 1.5)
            moments.append((at, victim))
            last = at
        return moments


class PrivatePostgres:
    """A PostgreSQL cluster of the test's own; `url` is the SQLAlchemy URL of its database `parcellocker`."""

    def __init__(self, log_dir: Path | None = None) -> None:
        """`log_dir`: where its log is kept (after the cluster is removed); by default inside the cluster's folder."""
        for program in ("initdb", "postgres"):
            if not (POSTGRES_BIN / program).exists():
                unavailable(f"{POSTGRES_BIN / program} is missing: no private PostgreSQL for the kill -9 run")
        if shutil.which("runuser") is None or os.geteuid() != 0:
            unavailable("a private PostgreSQL needs root and runuser (initdb refuses to run as root)")
        self.folder = Path(tempfile.mkdtemp(prefix="parcellocker-chaos-pg-"))
        shutil.chown(self.folder, "postgres", "postgres")
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.kills = 0
        self.log_path = (log_dir or self.folder) / "postgres.log"

    def url(self, database: str = "parcellocker") -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{database}"

    def dsn(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def init(self) -> None:
        command = [str(POSTGRES_BIN / "initdb"), "-D", str(self.folder / "data"), "-A", "trust", "-U", "postgres",
                   "-E", "UTF8", "--no-instructions"]  # fmt: skip
        done = subprocess.run(["runuser", "-u", "postgres", "--", *command], capture_output=True, timeout=120)
        if done.returncode != 0:
            raise AssertionError(f"initdb failed:\n{done.stdout.decode()}\n{done.stderr.decode()}")

    async def start(self) -> None:
        """Start the cluster (crash recovery after a kill) and wait until it accepts connections."""
        self.process = self._spawn()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"postgres exited at start:\n{self.log_tail()}")
            try:
                connection = await asyncpg.connect(self.dsn(), timeout=2)
            except (OSError, asyncpg.PostgresError, TimeoutError):
                await asyncio.sleep(0.1)
                continue
            await connection.close()
            return
        raise AssertionError(f"postgres did not accept connections within 60 s:\n{self.log_tail()}")

    def _spawn(self) -> subprocess.Popen[bytes]:
        command = [str(POSTGRES_BIN / "postgres"), "-D", str(self.folder / "data"), "-p", str(self.port),
                   "-k", str(self.folder), "-c", "listen_addresses=127.0.0.1", "-c", "fsync=on",
                   "-c", "max_connections=60", "-c", "shared_buffers=32MB"]  # fmt: skip
        with self.log_path.open("ab") as log:
            return subprocess.Popen(
                ["runuser", "-u", "postgres", "--", *command], stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip

    async def create_database(self, name: str = "parcellocker") -> None:
        connection = await asyncpg.connect(self.dsn())
        try:
            await connection.execute(f'CREATE DATABASE "{name}"')
        finally:
            await connection.close()

    async def kill9(self) -> None:
        """SIGKILL the postmaster and all its backends together."""
        assert self.process is not None
        await asyncio.to_thread(_kill_group, self.process)
        self.kills += 1
        self.process = None

    def remove(self) -> None:
        if self.process is not None:
            _kill_group(self.process)
            self.process = None
        shutil.rmtree(self.folder, ignore_errors=True)

    def log_tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


class PersistentBroker:
    """A Mosquitto of the test's own that keeps its QoS 1 state on disk."""

    def __init__(self, folder: Path) -> None:
        program = shutil.which("mosquitto") or ("/usr/sbin/mosquitto" if Path("/usr/sbin/mosquitto").exists() else None)
        if program is None:
            unavailable("the mosquitto program is not installed: no private broker for the kill -9 run")
        assert program is not None
        self.program = program
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.kills = 0
        (folder / "store").mkdir(parents=True, exist_ok=True)
        (folder / "mosquitto.conf").write_text(
            f"listener {self.port} 127.0.0.1\nallow_anonymous true\n"
            f"persistence true\npersistence_location {folder / 'store'}/\n"
            "autosave_on_changes true\nautosave_interval 1\nset_tcp_nodelay true\n"
        )

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def start(self) -> None:
        with (self.folder / "mosquitto.log").open("ab") as log:
            self.process = subprocess.Popen(
                [self.program, "-c", str(self.folder / "mosquitto.conf")], stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 20
        while not accepts(self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"mosquitto did not start:\n{(self.folder / 'mosquitto.log').read_text()}")
            time.sleep(0.02)

    def kill9(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()
        self.process = None
        self.kills += 1

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + 10  # the backends are children of the postmaster, not ours: wait until gone
    while time.monotonic() < deadline and _group_alive(process.pid):
        time.sleep(0.02)


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True
