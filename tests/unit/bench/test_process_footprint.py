"""The /proc sampler reads a process's CPU time and memory, and a phase turns samples into % of a core and MB."""

from __future__ import annotations

import os
import time

import pytest

from parcellocker.bench.process_footprint import MB, PhaseFootprint, ProcessSample, sample_process


def test_sampling_this_process_sees_its_cpu_time_grow_and_its_memory() -> None:
    before = sample_process(os.getpid())
    spin_until = time.process_time() + 0.2
    while time.process_time() < spin_until:
        pass
    after = sample_process(os.getpid())

    assert after.cpu_seconds - before.cpu_seconds >= 0.1  # ticks are 10 ms: 0.2 s of CPU shows as at least 0.1
    assert 5 * MB < after.rss_bytes <= after.peak_rss_bytes < 4096 * MB


def test_a_process_that_is_gone_cannot_be_sampled() -> None:
    with pytest.raises(ProcessLookupError):
        sample_process(2**22 + 1)  # above Linux's largest pid


def test_a_phase_reports_cpu_in_percent_of_one_core_and_memory_in_megabytes() -> None:
    phase = PhaseFootprint(
        "idle",
        [ProcessSample(10.0, 1.0, 40 * MB, 50 * MB), ProcessSample(12.0, 1.5, 60 * MB, 70 * MB)],
    )
    assert phase.seconds == 2.0
    assert phase.cpu_percent == pytest.approx(25.0)
    assert (phase.rss_mean_mb, phase.rss_max_mb, phase.peak_rss_mb) == (50.0, 60.0, 70.0)


def test_a_single_sample_has_no_cpu_figure() -> None:
    phase = PhaseFootprint("started", [ProcessSample(1.0, 3.0, 40 * MB, 40 * MB)])
    assert (phase.seconds, phase.cpu_percent) == (0.0, 0.0)
