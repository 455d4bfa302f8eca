"""Where the CPU of a load run goes: the server's processes, PostgreSQL's, the bench's own and the rest of the machine.

Read from Linux's /proc at the start and the end of the measured window. On a machine whose cores the server,
PostgreSQL and the bench share, operations per second alone say little: the host's speed moves from one minute to
the next, and the split per operation tells which of the three grew. Elsewhere (no /proc) nothing is measured.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from parcellocker.bench.process_footprint import CLOCK_TICKS, cpu_seconds

PROC = Path("/proc")
DATABASE_COMMAND = "postgres"
"""The command name (/proc/<pid>/comm) of every process of a PostgreSQL server: postmaster, backends, WAL writer."""


@dataclass(frozen=True, slots=True)
class CpuSplit:
    """CPU seconds spent over `seconds` of wall time by each part of a run."""

    seconds: float
    server: float
    """The server process and every process under it (uvicorn's workers)."""
    database: float | None
    """Every process of the PostgreSQL server on this machine; None where there is none to see (SQLite)."""
    client: float
    """The bench's own process: its clients, and the recipients' mailbox they read."""
    machine: float
    """All the machine's cores together, everything included."""
    cores: int

    @property
    def other(self) -> float:
        """What none of the parts spent: other processes, and the kernel's work for no process."""
        return max(0.0, self.machine - self.server - (self.database or 0.0) - self.client)

    def per_operation_ms(self, operations: int) -> dict[str, float]:
        """Milliseconds of CPU per operation of each part, in the order server, PostgreSQL, client, other."""
        if operations <= 0:
            return {}
        parts = {"server": self.server, "PostgreSQL": self.database, "client": self.client, "other": self.other}
        return {name: 1000 * spent / operations for name, spent in parts.items() if spent is not None}

    @property
    def busy_share(self) -> float:
        """How busy the machine's cores were over the window, 0-1."""
        return self.machine / (self.seconds * self.cores) if self.seconds > 0 else 0.0


class CpuMeter:
    """`start()` at the window's start, `stop()` at its end: the CpuSplit between the two."""

    def __init__(self, server_pid: int, *, database: bool) -> None:
        self.server_pid = server_pid
        self.database = database
        self._started: _Reading | None = None

    @staticmethod
    def available() -> bool:
        return (PROC / "stat").exists() and (PROC / str(os.getpid()) / "stat").exists()

    def start(self) -> None:
        self._started = self._read()

    def stop(self) -> CpuSplit:
        if self._started is None:
            raise RuntimeError("the meter was never started")
        begun, ended = self._started, self._read()
        database = _spent(begun.database, ended.database) if self.database else None
        return CpuSplit(
            seconds=ended.at - begun.at,
            server=_spent(begun.server, ended.server),
            database=database,
            client=ended.client - begun.client,
            machine=ended.machine - begun.machine,
            cores=os.cpu_count() or 1,
        )

    def _read(self) -> _Reading:
        parents = _parents()
        return _Reading(
            at=time.monotonic(),
            server=_cpu_of(_descendants(self.server_pid, parents)),
            database=_cpu_of(_named(DATABASE_COMMAND, parents)) if self.database else {},
            client=time.process_time(),
            machine=machine_busy_seconds(),
        )


async def cpu_over_window(meter: CpuMeter | None, start: float, seconds: float) -> CpuSplit | None:
    """Read `meter` from `start` (time.monotonic()) for `seconds`; None without a meter."""
    if meter is None:
        return None
    await asyncio.sleep(max(0.0, start - time.monotonic()))
    meter.start()
    await asyncio.sleep(seconds)
    return meter.stop()


def machine_busy_seconds() -> float:
    """CPU seconds all cores have spent working since boot (/proc/stat): in processes and in the kernel's interrupt
    handling; not idling, waiting for the disk, or taken by the hypervisor for other machines (steal)."""
    user, nice, system, _idle, _iowait, irq, softirq = (int(v) for v in (PROC / "stat").read_text().split()[1:8])
    return (user + nice + system + irq + softirq) / CLOCK_TICKS


@dataclass(frozen=True, slots=True)
class _Reading:
    at: float
    server: dict[int, float]
    database: dict[int, float]
    client: float
    machine: float


def _spent(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU spent between the readings by the processes alive at the second: all of it for one started since. A
    process that ended in between is not counted (its time can no longer be read)."""
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())


def _parents() -> dict[int, tuple[int, str]]:
    """Every process's parent and command name."""
    found: dict[int, tuple[int, str]] = {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # ended meanwhile
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        parent = int(stat[stat.rindex(")") + 2 :].split()[1])  # field 4 of proc(5)
        found[int(entry.name)] = (parent, name)
    return found


def _descendants(root: int, parents: dict[int, tuple[int, str]]) -> list[int]:
    """`root` and every process under it."""
    children: dict[int, list[int]] = {}
    for pid, (parent, _) in parents.items():
        children.setdefault(parent, []).append(pid)
    found, waiting = [], [root] if root in parents else []
    while waiting:
        pid = waiting.pop()
        found.append(pid)
        waiting.extend(children.get(pid, []))
    return found


def _named(command: str, parents: dict[int, tuple[int, str]]) -> list[int]:
    return [pid for pid, (_, name) in parents.items() if name == command]


def _cpu_of(pids: Iterable[int]) -> dict[int, float]:
    found = {}
    for pid in pids:
        try:
            found[pid] = cpu_seconds(pid)
        except ProcessLookupError:
            continue
    return found
