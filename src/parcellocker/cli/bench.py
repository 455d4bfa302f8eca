"""`parcellocker bench …`: measure the system on this machine (loopback only)."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer
from rich.table import Table

from parcellocker.bench.api_load import LoadOutcome, LoadPlan, run_api_load
from parcellocker.bench.databases import DEFAULT_POSTGRES_ADMIN
from parcellocker.bench.latency import summarise
from parcellocker.bench.terminal_load import TARGETS_MS, TerminalBenchOutcome, TerminalBenchPlan, run_terminal_bench
from parcellocker.cli.bench_codes import bench_codes
from parcellocker.cli.console import console

bench_app = typer.Typer(help="Benchmarks against real processes on this machine.", no_args_is_help=True)
bench_app.command("codes")(bench_codes)


@bench_app.command("api")
def bench_api(
    db: Annotated[str, typer.Option(help="sqlite or postgres.")] = "sqlite",
    clients: Annotated[int, typer.Option(min=1, max=2000, help="Concurrent clients.")] = 50,
    seconds: Annotated[float, typer.Option(min=1, max=3600, help="Measured duration.")] = 20,
    warmup: Annotated[float, typer.Option(min=0, max=600, help="Unmeasured warm-up before it.")] = 2,
    workers: Annotated[int, typer.Option(min=1, max=16, help="Server worker processes.")] = 1,
    rate: Annotated[
        float | None,
        typer.Option(min=1, help="Operations/s offered by all clients on a fixed schedule (default: closed loop)."),
    ] = None,
    postgres_admin_url: Annotated[str, typer.Option(help="Where to create the scratch database.")] = (
        DEFAULT_POSTGRES_ADMIN
    ),
) -> None:
    """Complete shipment lifecycles (announce, deposit, door closed, pickup, door closed) from N clients."""
    if db not in ("sqlite", "postgres"):
        raise typer.BadParameter("use sqlite or postgres", param_hint="--db")
    plan = LoadPlan(db, clients, seconds, warmup, workers, postgres_admin_url, rate)
    outcome = asyncio.run(run_api_load(plan, lambda line: console.print(f"[dim]… {line}[/]")))
    _report(outcome)


@bench_app.command("terminal")
def bench_terminal(
    pickups: Annotated[int, typer.Option(min=5, max=5000, help="Pickups measured online, and as many offline.")] = 100,
    broker: Annotated[
        str | None,
        typer.Option(help="An MQTT broker for the server and the terminal (default: a Mosquitto of the run's own)."),
    ] = None,
    poll_interval: Annotated[float, typer.Option(min=0.01, max=5, help="The terminal's door polling (s).")] = 0.2,
) -> None:
    """Pickup code at the kiosk → unlock frame on the serial line (online over MQTT, and offline), and door closed
    on the boards → new state on the server over MQTT: a server, a terminal and emulated Kerong boards over a pty."""
    plan = TerminalBenchPlan(pickups, broker, poll_interval)
    outcome = asyncio.run(run_terminal_bench(plan, lambda line: console.print(f"[dim]… {line}[/]")))
    _report_terminal(outcome)


def _report_terminal(outcome: TerminalBenchOutcome) -> None:
    plan = outcome.plan
    broker = outcome.broker if plan.broker else "a Mosquitto of its own, set_tcp_nodelay"
    table = Table(title=f"bench terminal: over MQTT ({broker}), door polling every {plan.poll_interval:g} s")
    for column in ("measured", "count", "p50 ms", "p99 ms", "max ms", "p99 target"):
        table.add_column(column, justify="left" if column == "measured" else "right")
    rows = (
        ("pickup → unlock frame, online", "online", outcome.online),
        ("pickup → unlock frame, offline", "offline", outcome.offline),
        ("door closed → server state", "door_to_server", outcome.door_to_server),
    )
    for label, name, values in rows:
        s = summarise(values)
        target = TARGETS_MS[name]
        verdict = "[green]met[/]" if s.p99_ms < target else "[red]missed[/]"
        table.add_row(label, str(s.count), f"{s.p50_ms:.1f}", f"{s.p99_ms:.1f}", f"{s.max_ms:.1f}",
                      f"< {target:.0f} ms {verdict}")  # fmt: skip
    console.print(table)


def _report(outcome: LoadOutcome) -> None:
    plan = outcome.plan
    offered = f"{plan.rate:,.0f} ops/s offered" if plan.rate else "closed loop"
    shape = f"{plan.clients} clients ({offered}), {plan.seconds:.0f} s, {plan.workers} worker(s)"
    table = Table(title=f"bench api: {plan.db}, {shape}")
    for column in ("operation", "count", "p50 ms", "p95 ms", "p99 ms", "max ms"):
        table.add_column(column, justify="left" if column == "operation" else "right")
    rows = [*sorted(outcome.log.by_operation.items()), ("all", outcome.log.all)]
    for name, values in rows:
        s = summarise(values)
        table.add_row(name, str(s.count), f"{s.p50_ms:.1f}", f"{s.p95_ms:.1f}", f"{s.p99_ms:.1f}", f"{s.max_ms:.1f}")
    console.print(table)
    console.print(
        f"[bold]{outcome.operations_per_second:,.0f} operations/s[/] "
        f"({outcome.lifecycles:,} complete lifecycles in {outcome.measured_seconds:.0f} s)"
    )
    for failure, count in sorted(outcome.log.failures.items()):
        console.print(f"[red]failed {count}×[/] {failure}")
