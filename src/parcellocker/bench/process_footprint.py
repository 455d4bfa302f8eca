"""What a running process costs, read from Linux's /proc: CPU time (utime + stime), RSS (VmRSS) and peak RSS (VmHWM)."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
MB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class ProcessSample:
    at: float
    """time.monotonic() when read."""
    cpu_seconds: float
    """utime + stime so far, user and system CPU of the process (not of its children)."""
    rss_bytes: int
    peak_rss_bytes: int


def sample_process(pid: int) -> ProcessSample:
    """Read the process's CPU time and memory now; ProcessLookupError if it is gone."""
    at = time.monotonic()
    cpu = cpu_seconds(pid)
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        raise ProcessLookupError(pid) from None
    memory = _status_kilobytes(status)
    return ProcessSample(at, cpu, memory["VmRSS"] * 1024, memory["VmHWM"] * 1024)


def cpu_seconds(pid: int) -> float:
    """User and system CPU the process has spent so far, all its threads (not its children); ProcessLookupError if
    it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        raise ProcessLookupError(pid) from None
    # The command name (field 2) is in parentheses and may hold spaces: count the fields after its last ")".
    after_name = stat[stat.rindex(")") + 2 :].split()
    utime, stime = int(after_name[11]), int(after_name[12])  # fields 14 and 15 of proc(5)
    return (utime + stime) / CLOCK_TICKS


def _status_kilobytes(status: str) -> dict[str, int]:
    found: dict[str, int] = {}
    for line in status.splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            found[name] = int(value.split()[0])  # "  41236 kB"
    return found


@dataclass(slots=True)
class PhaseFootprint:
    """The samples of one process over one phase of a run (idle, under load, …)."""

    name: str
    samples: list[ProcessSample] = field(default_factory=list)
    lifecycles: int = 0
    """Deposits and pickups done during the phase, if any."""

    @property
    def seconds(self) -> float:
        return self.samples[-1].at - self.samples[0].at if len(self.samples) > 1 else 0.0

    @property
    def cpu_percent(self) -> float:
        """Mean CPU over the phase, in % of one core."""
        if self.seconds <= 0:
            return 0.0
        return 100 * (self.samples[-1].cpu_seconds - self.samples[0].cpu_seconds) / self.seconds

    @property
    def rss_mean_mb(self) -> float:
        return sum(sample.rss_bytes for sample in self.samples) / len(self.samples) / MB

    @property
    def rss_max_mb(self) -> float:
        return max(sample.rss_bytes for sample in self.samples) / MB

    @property
    def peak_rss_mb(self) -> float:
        """VmHWM at the end of the phase: the most the process ever held, since it started."""
        return self.samples[-1].peak_rss_bytes / MB
