"""`parcellocker bench scaling`: how the cost of the server's reads grows with lockers and with parcels ever stored.

For each number of lockers, a scratch database is migrated, one parcel goes through the real use cases
(parcel_template.py), the lockers are copied from its locker, and a history of parcels is added in steps
(parcel_history.py); at each step every probe (scaling_queries.py) is timed and its plan written.
"""

from __future__ import annotations

import asyncio
import secrets
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from parcellocker.adapters.db import migrate
from parcellocker.adapters.db.engine import make_engine
from parcellocker.bench.databases import DEFAULT_POSTGRES_ADMIN, scratch_database
from parcellocker.bench.latency import percentile
from parcellocker.bench.parcel_history import add_history, add_lockers
from parcellocker.bench.parcel_history_postgres import add_history_on_postgres
from parcellocker.bench.parcel_template import record_parcel_template
from parcellocker.bench.query_plans import explain
from parcellocker.bench.scaling_queries import probes, time_probe
from parcellocker.security.keys import ServerKeys


@dataclass(frozen=True, slots=True)
class ScalingPlan:
    db: str
    lockers: list[int]
    history: list[int]
    repetitions: int = 50
    plans_dir: Path | None = None
    revision: str = "head"
    """The schema to measure: an older revision shows the plans before an index was added."""
    postgres_admin_url: str = DEFAULT_POSTGRES_ADMIN


@dataclass(frozen=True, slots=True)
class ProbeResult:
    lockers: int
    history: int
    probe: str
    p50_ms: float
    p99_ms: float
    plan: str


@dataclass(slots=True)
class ScalingOutcome:
    plan: ScalingPlan
    results: list[ProbeResult] = field(default_factory=list)


async def run_scaling(plan: ScalingPlan, progress: Callable[[str], None]) -> ScalingOutcome:
    outcome = ScalingOutcome(plan)
    for locker_count in plan.lockers:
        with tempfile.TemporaryDirectory(prefix="parcellocker-scaling-") as folder:
            async with scratch_database(plan.db, Path(folder), plan.postgres_admin_url) as url:
                await asyncio.to_thread(migrate.upgrade, url, plan.revision)
                engine = make_engine(url)
                try:
                    await _one_site(plan, locker_count, engine, outcome, progress)
                finally:
                    await engine.dispose()
    return outcome


async def _one_site(plan: ScalingPlan, locker_count: int, engine: AsyncEngine, outcome: ScalingOutcome,
                    progress: Callable[[str], None]) -> None:  # fmt: skip
    progress(f"{plan.db}: {locker_count} locker(s) of 50 compartments, one parcel through the use cases")
    template = await record_parcel_template(engine, ServerKeys.from_secret(secrets.token_bytes(32)))
    locker_ids = await add_lockers(engine, template, locker_count)
    now, stored = datetime.now(UTC), 0
    watched = locker_ids[len(locker_ids) // 2]
    for history in sorted(plan.history):
        if history > stored:
            progress(f"{plan.db}: {locker_count} locker(s): adding parcels {stored:,} to {history:,} to the history")
            fill = add_history_on_postgres if plan.db == "postgres" else add_history
            began = time.perf_counter()
            await fill(engine, template, locker_ids, stored, history, now)
            took = time.perf_counter() - began
            progress(f"{plan.db}: {locker_count} locker(s): {history - stored:,} parcels added in {took:.1f} s")
            stored = history
        if plan.db == "postgres":
            await _analyze(engine)
        tracking_number = "HIST-000000001" if history > 1 else "TEMPLATE-1"
        plans = []
        for probe in probes(watched, tracking_number):
            times = sorted(await time_probe(engine, probe, plan.repetitions))
            explained = [await explain(engine, statement, parameters) for statement, parameters in probe.statements]
            result = ProbeResult(locker_count, history, probe.name, percentile(times, 0.5) * 1000,
                                 percentile(times, 0.99) * 1000, "\n\n".join(explained))  # fmt: skip
            outcome.results.append(result)
            plans.append(f"== {probe.name}: p50 {result.p50_ms:.2f} ms, p99 {result.p99_ms:.2f} ms\n{result.plan}\n")
        progress(f"{plan.db}: {locker_count} locker(s), {history:,} parcels in history: measured")
        if plan.plans_dir is not None:
            plan.plans_dir.mkdir(parents=True, exist_ok=True)
            name = f"{plan.db}-{plan.revision}-{locker_count}-lockers-{history}-history.txt"
            header = (
                f"# bench scaling: {plan.db}, schema {plan.revision}, {locker_count} lockers x 50 compartments, "
                f"{history:,} parcels in history, {plan.repetitions} repetitions (timings are noisy)\n\n"
            )
            (plan.plans_dir / name).write_text(header + "\n".join(plans))


async def _analyze(engine: AsyncEngine) -> None:
    """Fresh statistics after a bulk insert, as autovacuum would gather them soon after."""
    async with engine.connect() as connection:
        await connection.exec_driver_sql("ANALYZE")
        await connection.commit()
