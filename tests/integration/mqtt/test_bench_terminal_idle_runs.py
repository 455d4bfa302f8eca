"""`parcellocker bench terminal-idle` samples the real terminal process: a tiny run gives sane CPU and memory."""

from __future__ import annotations

from mqtt_rigs import mosquitto_program, unavailable

from parcellocker.bench.process_footprint import MB
from parcellocker.bench.terminal_footprint import FootprintPlan, run_terminal_footprint


async def test_a_tiny_footprint_run_samples_the_terminal_idle_and_while_parcels_come_and_go(
    machine_broker: str,
) -> None:
    if mosquitto_program() is None:
        unavailable("the mosquitto program is not installed")
    plan = FootprintPlan(boards=2, locks=4, poll_interval=0.1, seconds=3, parcel_pause=0.2)
    outcome = await run_terminal_footprint(plan, lambda line: None)

    idle, trickle = outcome.phases
    assert (idle.name, idle.lifecycles) == ("idle", 0)
    assert trickle.lifecycles >= 1
    for phase in (idle, trickle):
        assert len(phase.samples) >= 3 and phase.seconds >= 2.5
        assert 0 <= phase.cpu_percent <= 200  # one process, two cores at most
        assert 10 < phase.rss_mean_mb <= phase.rss_max_mb <= phase.peak_rss_mb < 1024
    first, last = outcome.started.samples[0], trickle.samples[-1]
    assert last.cpu_seconds > first.cpu_seconds  # polling 2 boards 10 times a second costs something
    assert last.peak_rss_bytes >= first.rss_bytes > 10 * MB
