"""`parcellocker bench terminal` measures what it says on real processes: a short run gives every figure."""

from __future__ import annotations

from mqtt_rigs import mosquitto_program, unavailable

from parcellocker.bench.terminal_load import TerminalBenchPlan, run_terminal_bench


async def test_a_short_terminal_bench_measures_each_pickup_online_and_offline_and_each_door(
    machine_broker: str,
) -> None:
    if mosquitto_program() is None:
        unavailable("the mosquitto program is not installed")
    outcome = await run_terminal_bench(TerminalBenchPlan(pickups=5, poll_interval=0.05), lambda line: None)

    assert (len(outcome.online), len(outcome.offline)) == (5, 5)
    assert len(outcome.door_to_server) == 5 + 5 + 5  # online: deposits and pickups; offline: deposits only
    assert all(0 < seconds < 5 for seconds in [*outcome.online, *outcome.offline, *outcome.door_to_server])
