"""`bench sweep` in a tiny configuration on SQLite writes its table and chart; `bench scaling` on SQLite measures
every query and shows the new indexes in the plans."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from parcellocker.bench.scaling import ScalingPlan, run_scaling
from parcellocker.bench.sweep_report import TABLE_END, TABLE_START
from parcellocker.cli.main import app


def test_a_tiny_sweep_on_sqlite_fills_the_table_and_draws_the_chart(tmp_path: Path) -> None:
    document, chart = tmp_path / "PERFORMANCE.md", tmp_path / "chart.png"
    document.write_text(f"# Performance\n\n{TABLE_START}\nnot yet measured\n{TABLE_END}\n\nhistory\n")
    arguments = ["bench", "sweep", "--db", "sqlite", "--clients", "1,2", "--seconds", "1", "--warmup", "0",
                 "--out", str(document), "--chart", str(chart)]  # fmt: skip
    result = CliRunner().invoke(app, arguments)
    assert result.exit_code == 0, result.output
    table = document.read_text().split(TABLE_START)[1].split(TABLE_END)[0]
    rows = [line for line in table.splitlines() if line.startswith("| sqlite |")]
    assert [row.split("|")[2].strip() for row in rows] == ["1", "2"]
    assert all(float(row.split("|")[4].replace(",", "")) > 0 for row in rows)  # operations/s
    assert chart.read_bytes()[:4] == b"\x89PNG"


async def test_scaling_on_sqlite_times_every_query_and_uses_the_new_indexes(tmp_path: Path) -> None:
    plan = ScalingPlan("sqlite", [2], [0, 200], repetitions=3, plans_dir=tmp_path)
    outcome = await run_scaling(plan, lambda line: None)
    assert len({r.probe for r in outcome.results}) == 11
    assert {(r.lockers, r.history) for r in outcome.results} == {(2, 0), (2, 200)}
    assert all(r.p50_ms > 0 for r in outcome.results)
    plans = {r.probe: r.plan for r in outcome.results if r.history == 200}
    assert "ix_shipments_tracking_number" in plans["shipment search by tracking number"]
    assert "ix_alarms_at_id" in plans["alarms feed"]
    assert "ix_alarms_open" in plans["alarms feed, open only"]  # only the open ones, not every alarm ever raised
    assert "ix_compartments_claim" in plans["allocation (deposit's claim)"]
    assert "(locker_id>? AND locker_id<?)" in plans["REST locker list (first page)"]  # the page's compartments only
    assert (tmp_path / "sqlite-head-2-lockers-200-history.txt").exists()
