"""`parcellocker bench …`: measure the system on this machine (loopback only)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer
import uvloop
from rich.table import Table

from parcellocker.bench.api_load import LoadOutcome, LoadPlan, run_api_load
from parcellocker.bench.cpu_split import CpuSplit
from parcellocker.bench.databases import DEFAULT_POSTGRES_ADMIN
from parcellocker.bench.framework_floor import run_floor
from parcellocker.bench.latency import summarise
from parcellocker.bench.scaling import ScalingPlan, run_scaling
from parcellocker.bench.sweep import run_sweep
from parcellocker.bench.sweep_report import draw_chart, sweep_table, write_between_markers
from parcellocker.bench.terminal_footprint import TARGET_RSS_MB, FootprintOutcome, FootprintPlan, run_terminal_footprint
from parcellocker.bench.terminal_load import TARGETS_MS, TerminalBenchOutcome, TerminalBenchPlan, run_terminal_bench
from parcellocker.cli.bench_codes import bench_codes
from parcellocker.cli.console import console

bench_app = typer.Typer(help="Benchmarks against real processes on this machine.", no_args_is_help=True)
bench_app.command("codes")(bench_codes)

# The options `bench api` and `bench floor` share (they drive the same clients against a server process).
Clients = Annotated[int, typer.Option(min=1, max=2000, help="Concurrent clients.")]
Seconds = Annotated[float, typer.Option(min=1, max=3600, help="Measured duration.")]
Warmup = Annotated[float, typer.Option(min=0, max=600, help="Unmeasured warm-up before it.")]
Workers = Annotated[int, typer.Option(min=1, max=16, help="Server worker processes.")]
Rate = Annotated[
    float | None,
    typer.Option(min=1, help="Operations/s offered by all clients on a fixed schedule (default: closed loop)."),
]


@bench_app.command("api")
def bench_api(
    db: Annotated[str, typer.Option(help="sqlite or postgres.")] = "sqlite",
    clients: Clients = 50,
    seconds: Seconds = 20,
    warmup: Warmup = 2,
    workers: Workers = 1,
    rate: Rate = None,
    postgres_admin_url: Annotated[str, typer.Option(help="Where to create the scratch database.")] = (
        DEFAULT_POSTGRES_ADMIN
    ),
) -> None:
    """Complete shipment lifecycles (announce, deposit, door closed, pickup, door closed) from N clients."""
    if db not in ("sqlite", "postgres"):
        raise typer.BadParameter("use sqlite or postgres", param_hint="--db")
    plan = LoadPlan(db, clients, seconds, warmup, workers, postgres_admin_url, rate)
    # The clients on uvloop, as the server's workers are (uvicorn picks it): the tool's CPU is taken from the server
    # on the same cores (its lean connections, api_load.client_connections, spend a fraction of what aiohttp did).
    outcome = uvloop.run(run_api_load(plan, lambda line: console.print(f"[dim]… {line}[/]")))
    _report(outcome)


@bench_app.command("floor")
def bench_floor(
    statements: Annotated[int, typer.Option(min=0, max=50, help="Trivial SELECTs per request.")] = 4,
    clients: Clients = 100,
    seconds: Seconds = 15,
    warmup: Warmup = 2,
    workers: Workers = 2,
    rate: Rate = None,
    postgres_admin_url: Annotated[str, typer.Option(help="The database the SELECTs run on (nothing is written).")] = (
        DEFAULT_POSTGRES_ADMIN
    ),
) -> None:
    """The floor under `bench api`: the same server stack and clients, with a route that does nothing but
    `statements` trivial SELECTs. What `bench api` costs above it is the server's own work."""
    plan = LoadPlan("postgres", clients, seconds, warmup, workers, postgres_admin_url, rate)
    outcome = uvloop.run(run_floor(plan, statements, lambda line: console.print(f"[dim]… {line}[/]")))
    _report(outcome, f"bench floor: {statements} statement(s) per request")


@bench_app.command("scaling")
def bench_scaling(
    db: Annotated[str, typer.Option(help="sqlite or postgres.")] = "postgres",
    lockers: Annotated[str, typer.Option(help="Numbers of lockers (of 50 compartments), comma-separated.")] = (
        "1,10,100,1000"
    ),
    history: Annotated[str, typer.Option(help="Parcels ever stored, comma-separated (added in steps).")] = (
        "0,100000,1000000"
    ),
    repetitions: Annotated[int, typer.Option(min=1, max=100000, help="Runs of each query per size.")] = 50,
    plans: Annotated[Path | None, typer.Option(help="Folder for the query plans (one file per size).")] = None,
    revision: Annotated[str, typer.Option(help="Schema revision to measure (an older one: before an index).")] = (
        "head"
    ),
    postgres_admin_url: Annotated[str, typer.Option(help="Where to create the scratch database.")] = (
        DEFAULT_POSTGRES_ADMIN
    ),
) -> None:
    """How the allocation, pickup, door event, dashboard, search and utilisation queries cost with more lockers
    and more parcels ever stored: median and p99 of each, and the plans the database chose."""
    if db not in ("sqlite", "postgres"):
        raise typer.BadParameter("use sqlite or postgres", param_hint="--db")
    plan = ScalingPlan(db, _numbers(lockers, "--lockers"), _numbers(history, "--history"), repetitions, plans,
                       revision, postgres_admin_url)  # fmt: skip
    outcome = asyncio.run(run_scaling(plan, lambda line: console.print(f"[dim]… {line}[/]")))
    table = Table(title=f"bench scaling: {db}, schema {revision}, {repetitions} runs of each query")
    for column in ("lockers", "history", "query", "p50 ms", "p99 ms"):
        table.add_column(column, justify="left" if column == "query" else "right")
    for r in outcome.results:
        table.add_row(f"{r.lockers:,}", f"{r.history:,}", r.probe, f"{r.p50_ms:.2f}", f"{r.p99_ms:.2f}")
    console.print(table)


def _numbers(text: str, option: str) -> list[int]:
    try:
        numbers = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError:
        raise typer.BadParameter("whole numbers separated by commas", param_hint=option) from None
    if not numbers or min(numbers) < 0:
        raise typer.BadParameter("one or more whole numbers from 0", param_hint=option)
    return numbers


_DEFAULT_WORKERS = {"sqlite": 1, "postgres": 2}
"""What each database is measured with unless told: SQLite has one writer, so more processes only wait on its lock;
PostgreSQL with one process per core (docs/PERFORMANCE.md)."""


@bench_app.command("sweep")
def bench_sweep(
    db: Annotated[str, typer.Option(help="Databases, comma-separated.")] = "sqlite,postgres",
    clients: Annotated[str, typer.Option(help="Numbers of clients, comma-separated.")] = "10,100,500",
    seconds: Annotated[float, typer.Option(min=1, max=3600, help="Measured duration of each run.")] = 20,
    warmup: Annotated[float, typer.Option(min=0, max=600, help="Unmeasured warm-up of each run.")] = 2,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1, max=16, help="Server worker processes (default: 1 on SQLite, its one writer; 2 on PostgreSQL)."
        ),
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Markdown file whose sweep table (between markers) is replaced.")] = (
        None
    ),
    chart: Annotated[Path | None, typer.Option(help="PNG chart of throughput and latency against clients.")] = None,
    postgres_admin_url: Annotated[str, typer.Option(help="Where to create the scratch databases.")] = (
        DEFAULT_POSTGRES_ADMIN
    ),
) -> None:
    """`bench api` for each database and number of clients: a table of the results, and a chart."""
    kinds = [kind.strip() for kind in db.split(",") if kind.strip()]
    if not kinds or any(kind not in ("sqlite", "postgres") for kind in kinds):
        raise typer.BadParameter("sqlite and/or postgres, comma-separated", param_hint="--db")
    plans = [LoadPlan(kind, n, seconds, warmup, workers or _DEFAULT_WORKERS[kind], postgres_admin_url)
             for kind in kinds for n in _numbers(clients, "--clients")]  # fmt: skip
    if any(plan.clients < 1 for plan in plans):
        raise typer.BadParameter("at least one client", param_hint="--clients")
    rows = uvloop.run(run_sweep(plans, lambda line: console.print(f"[dim]… {line}[/]")))  # as `bench api`
    console.print(sweep_table(rows))
    if out is not None:
        write_between_markers(out, sweep_table(rows))
    if chart is not None:
        draw_chart(rows, chart)


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


@bench_app.command("terminal-idle")
def bench_terminal_idle(
    boards: Annotated[int, typer.Option(min=1, max=32, help="Emulated Kerong boards on the terminal's bus.")] = 10,
    locks: Annotated[int, typer.Option(min=1, max=16, help="Locks on each board (one compartment each).")] = 16,
    poll_interval: Annotated[float, typer.Option(min=0.01, max=5, help="The terminal's door polling (s).")] = 0.2,
    seconds: Annotated[float, typer.Option(min=2, max=3600, help="Length of each phase, idle and trickle.")] = 60,
    parcel_pause: Annotated[float, typer.Option(min=0, max=600, help="Pause between parcels in the trickle (s).")] = 2,
    broker: Annotated[
        str | None,
        typer.Option(help="An MQTT broker for the server and the terminal (default: a Mosquitto of the run's own)."),
    ] = None,
) -> None:
    """CPU and memory of the terminal process for a locker of boards × locks compartments: idle, then under a
    trickle of deposits and pickups; the server over MQTT, the boards emulated on a pty."""
    plan = FootprintPlan(boards, locks, poll_interval, seconds, parcel_pause, broker)
    outcome = asyncio.run(run_terminal_footprint(plan, lambda line: console.print(f"[dim]… {line}[/]")))
    _report_footprint(outcome)


def _report_footprint(outcome: FootprintOutcome) -> None:
    plan = outcome.plan
    shape = f"{plan.boards} boards × {plan.locks} locks ({plan.compartments} compartments)"
    table = Table(title=f"bench terminal-idle: {shape}, doors polled every {plan.poll_interval:g} s, over MQTT")
    for column in ("phase", "seconds", "parcels", "CPU % of a core", "RSS mean MB", "RSS max MB", "peak RSS MB",
                   f"RSS < {TARGET_RSS_MB:.0f} MB"):  # fmt: skip
        table.add_column(column, justify="left" if column == "phase" else "right")
    for phase in (outcome.started, *outcome.phases):
        verdict = "[green]met[/]" if phase.rss_max_mb < TARGET_RSS_MB else "[red]missed[/]"
        cpu = f"{phase.cpu_percent:.1f}" if phase.seconds else ""
        table.add_row(phase.name, f"{phase.seconds:.0f}", str(phase.lifecycles), cpu, f"{phase.rss_mean_mb:.1f}",
                      f"{phase.rss_max_mb:.1f}", f"{phase.peak_rss_mb:.1f}", verdict)  # fmt: skip
    console.print(table)


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


def _report(outcome: LoadOutcome, title: str | None = None) -> None:
    plan = outcome.plan
    offered = f"{plan.rate:,.0f} ops/s offered" if plan.rate else "closed loop"
    shape = f"{plan.clients} clients ({offered}), {plan.seconds:.0f} s, {plan.workers} worker(s)"
    table = Table(title=f"{title or 'bench api: ' + plan.db}, {shape}")
    for column in ("operation", "count", "p50 ms", "p95 ms", "p99 ms", "max ms"):
        table.add_column(column, justify="left" if column == "operation" else "right")
    rows = [*sorted(outcome.log.by_operation.items()), ("all", outcome.log.all)]
    for name, values in rows:
        s = summarise(values)
        table.add_row(name, str(s.count), f"{s.p50_ms:.1f}", f"{s.p95_ms:.1f}", f"{s.p99_ms:.1f}", f"{s.max_ms:.1f}")
    console.print(table)
    done = (
        f"{outcome.operations:,} operations"
        if outcome.lifecycles is None
        else (f"{outcome.lifecycles:,} complete lifecycles")
    )
    console.print(
        f"[bold]{outcome.operations_per_second:,.0f} operations/s[/] ({done} in {outcome.measured_seconds:.0f} s)"
    )
    for waited_for, values in sorted(outcome.log.waits.items()):
        s = summarise(values)
        console.print(f"Not an operation: {waited_for}, p50 {s.p50_ms:.0f} ms, p99 {s.p99_ms:.0f} ms ({s.count:,})")
    if outcome.cpu is not None:
        _report_cpu(outcome.cpu, outcome.operations)
    for failure, count in sorted(outcome.log.failures.items()):
        console.print(f"[red]failed {count}×[/] {failure}")


def _report_cpu(cpu: CpuSplit, operations: int) -> None:
    """CPU per operation by part, e.g. "server 1.82 ms, PostgreSQL 0.65 ms, client 0.17 ms, other 0.02 ms"."""
    parts = ", ".join(f"{name} {ms:.2f} ms" for name, ms in cpu.per_operation_ms(operations).items())
    if not parts:
        return
    total = 1000 * cpu.machine / operations
    console.print(
        f"CPU per operation: {parts} ({total:.2f} ms in all); the machine's {cpu.cores} cores "
        f"{100 * cpu.busy_share:.0f} % busy over the {cpu.seconds:.0f} s"
    )
