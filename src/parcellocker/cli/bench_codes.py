"""`parcellocker bench codes`: random pickup codes against one locker (online, then offline), and what they got."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer
from rich.table import Table

from parcellocker.bench.code_guessing import GuessingOutcome, GuessingPlan, run_code_guessing
from parcellocker.bench.databases import DEFAULT_POSTGRES_ADMIN
from parcellocker.bench.latency import summarise
from parcellocker.bench.offline_code_guessing import OfflineGuessingOutcome, run_offline_code_guessing
from parcellocker.cli.console import console


def bench_codes(
    codes: Annotated[int, typer.Option(min=1, max=10_000_000, help="Random codes sent to the attacked locker.")] = (
        100_000
    ),
    concurrency: Annotated[int, typer.Option(min=1, max=1000, help="Guesses in flight at a time.")] = 50,
    parcels: Annotated[int, typer.Option(min=1, max=100, help="Parcels stored at each of the two lockers.")] = 40,
    db: Annotated[str, typer.Option(help="sqlite or postgres.")] = "sqlite",
    offline: Annotated[bool, typer.Option(help="Also guess against a terminal's offline check.")] = True,
    postgres_admin_url: Annotated[str, typer.Option(help="Where to create the scratch database.")] = (
        DEFAULT_POSTGRES_ADMIN
    ),
) -> None:
    """Random pickup codes against one locker of a real server while another locker serves legitimate pickups."""
    if db not in ("sqlite", "postgres"):
        raise typer.BadParameter("use sqlite or postgres", param_hint="--db")
    plan = GuessingPlan(codes, concurrency, parcels, db, postgres_admin_url)
    outcome = asyncio.run(run_code_guessing(plan, lambda line: console.print(f"[dim]… {line}[/]")))
    report_online(outcome)
    if offline:
        console.print(f"[dim]… sending {codes} random codes to a terminal's offline check[/]")
        report_offline(run_offline_code_guessing(codes, parcels))


def report_online(outcome: GuessingOutcome) -> None:
    plan = outcome.plan
    table = Table(title=f"bench codes: {plan.codes:,} random codes against one locker ({plan.db}, "
                        f"{plan.concurrency} in flight, {plan.parcels} parcels stored there)")  # fmt: skip
    table.add_column("answer at the attacked locker")
    table.add_column("count", justify="right")
    for status, label in ((200, "opened (a success)"), (404, "not found (a code checked)"),
                          (429, "locked out (429 with Retry-After)")):  # fmt: skip
        table.add_row(label, f"{outcome.answers[status]:,}")
    for status, count in sorted(outcome.answers.items()):
        if status not in (200, 404, 429):
            table.add_row(f"[red]HTTP {status}[/]", f"{count:,}")
    console.print(table)
    s, before = summarise(outcome.legitimate_latencies), summarise(outcome.baseline_latencies)
    console.print(
        f"{outcome.seconds:.1f} s, {outcome.codes_per_second:,.0f} codes/s; {outcome.lockout_alarms} lockout alarm(s); "
        f"429 without Retry-After: {outcome.retry_after_missing}"
    )
    console.print(
        f"server CPU during the attack: {outcome.server_cpu_seconds:.1f} s "
        f"({outcome.server_cpu_ms_per_code:.2f} ms per code answered)"
    )
    console.print(
        f"legitimate pickups at the other locker: {outcome.legitimate_opened} opened "
        f"({outcome.legitimate_during_attack} during the attack), {len(outcome.legitimate_failed)} failed; "
        f"latency p50 {s.p50_ms:.1f} ms, p99 {s.p99_ms:.1f} ms, max {s.max_ms:.1f} ms "
        f"(before the attack: {before.count} pickups, p50 {before.p50_ms:.1f} ms, max {before.max_ms:.1f} ms)"
    )
    during = summarise(outcome.during_attack_latencies)
    console.print(
        f"of them started during the attack: {during.count}, latency p50 {during.p50_ms:.1f} ms, "
        f"p99 {during.p99_ms:.1f} ms"
    )
    for failure in outcome.legitimate_failed[:5]:
        console.print(f"[red]failed[/] {failure}")


def report_offline(outcome: OfflineGuessingOutcome) -> None:
    answers = outcome.answers
    console.print(
        f"offline check: {outcome.codes:,} random codes in {outcome.seconds:.1f} s: {answers['opened']} opened, "
        f"{answers['not_found']:,} not found, {answers['locked_out']:,} locked out; "
        f"{outcome.lockout_alarms} lockout alarm(s) queued; {outcome.legitimate_opened}/{outcome.parcels} right "
        "codes opened at another terminal"
    )
