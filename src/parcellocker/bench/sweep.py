"""`parcellocker bench sweep`: `bench api` for each database and number of clients, one after the other."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from parcellocker.bench.api_load import LoadPlan, run_api_load
from parcellocker.bench.latency import summarise
from parcellocker.bench.sweep_report import SweepRow


async def run_sweep(plans: list[LoadPlan], progress: Callable[[str], None]) -> list[SweepRow]:
    rows = []
    commit = current_commit()
    for plan in plans:
        progress(f"bench api: {plan.db}, {plan.clients} clients, {plan.seconds:g} s")
        outcome = await run_api_load(plan, progress)
        failures = sum(outcome.log.failures.values())
        if failures:
            progress(f"{failures} operation(s) failed: {dict(outcome.log.failures)}")
        s = summarise(outcome.log.all)
        date = datetime.now(UTC).strftime("%Y-%m-%d")
        rows.append(SweepRow(plan.db, plan.clients, plan.workers, outcome.operations_per_second, s.p50_ms, s.p95_ms,
                             s.p99_ms, date, commit))  # fmt: skip
    return rows


def current_commit() -> str:
    """The short commit of the code measured ("unknown" outside a git checkout)."""
    try:
        found = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=Path(__file__).parent,
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return found.stdout.strip() or "unknown"
