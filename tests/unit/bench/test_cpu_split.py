"""The CPU of a load run split by part: the server's process tree, PostgreSQL's processes, the bench, the rest."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from parcellocker.bench.cpu_split import CpuMeter, CpuSplit, _descendants, _spent, cpu_over_window

pytestmark = pytest.mark.skipif(not CpuMeter.available(), reason="reads Linux's /proc")

# A grandchild of the process the meter is given, so that the tree below it is what is counted.
BURN = "import time\nt = time.process_time()\nwhile time.process_time() - t < 0.5: pass\ntime.sleep(30)"


def test_the_server_part_is_the_cpu_of_every_process_under_the_server() -> None:
    shell = subprocess.Popen(["sh", "-c", f'"{sys.executable}" -c "$0"; true', BURN], start_new_session=True)
    try:
        meter = CpuMeter(shell.pid, database=False)
        meter.start()
        time.sleep(1.2)
        split = meter.stop()
    finally:
        os.killpg(shell.pid, signal.SIGKILL)  # the shell and the Python under it
        shell.wait()

    assert 0.35 <= split.server <= 1.3  # the grandchild's 0.5 s, give or take a tick and its start-up
    assert split.client < 0.2  # this process slept
    assert split.database is None
    assert split.machine >= split.server - 0.05
    assert 1.1 <= split.seconds < 5


def test_a_meter_not_started_cannot_be_read() -> None:
    with pytest.raises(RuntimeError, match="never started"):
        CpuMeter(1, database=False).stop()


async def test_the_window_is_read_from_its_start_for_its_length() -> None:
    meter = CpuMeter(1, database=True)
    began = time.monotonic()
    split = await cpu_over_window(meter, began + 0.2, 0.3)
    assert split is not None and split.database is not None
    assert time.monotonic() - began >= 0.5
    assert 0.25 <= split.seconds < 2
    assert await cpu_over_window(None, began, 0.1) is None


def test_descendants_follow_parents_down_from_the_root_only() -> None:
    parents = {1: (0, "init"), 10: (1, "server"), 11: (10, "worker"), 12: (10, "worker"), 13: (11, "x"), 20: (1, "y")}
    assert sorted(_descendants(10, parents)) == [10, 11, 12, 13]
    assert _descendants(99, parents) == []


def test_a_process_started_in_the_window_counts_whole_and_one_that_ended_counts_nothing() -> None:
    before = {1: 5.0, 2: 1.0}
    after = {1: 5.5, 3: 0.25}  # 2 ended, 3 started
    assert _spent(before, after) == pytest.approx(0.75)


def test_per_operation_each_part_in_milliseconds_and_the_rest_as_other() -> None:
    split = CpuSplit(seconds=10.0, server=12.0, database=4.0, client=1.0, machine=18.0, cores=2)
    assert split.per_operation_ms(10_000) == pytest.approx(
        {"server": 1.2, "PostgreSQL": 0.4, "client": 0.1, "other": 0.1}
    )
    assert split.busy_share == pytest.approx(0.9)
    assert split.per_operation_ms(0) == {}
    without_database = CpuSplit(seconds=1.0, server=1.0, database=None, client=0.5, machine=1.4, cores=2)
    assert without_database.other == 0.0  # readings a tick apart never make it negative
    assert list(without_database.per_operation_ms(100)) == ["server", "client", "other"]
