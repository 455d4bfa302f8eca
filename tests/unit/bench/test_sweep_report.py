"""The sweep's table replaces only what is between its markers; the chart is a PNG."""

from __future__ import annotations

from pathlib import Path

from parcellocker.bench.sweep_report import (
    TABLE_END,
    TABLE_START,
    SweepRow,
    draw_chart,
    sweep_table,
    write_between_markers,
)

ROWS = [
    SweepRow("sqlite", 10, 1, 512.4, 12.0, 20.5, 31.25, "2026-12-10", "abc1234"),
    SweepRow("postgres", 10, 1, 901.6, 8.0, 15.0, 22.0, "2026-12-10", "abc1234"),
    SweepRow("postgres", 100, 2, 1040.0, 70.0, 95.0, 140.0, "2026-12-10", "abc1234"),
]


def test_table_has_one_row_per_run_with_every_column() -> None:
    lines = sweep_table(ROWS).splitlines()
    assert lines[0] == "| db | clients | workers | ops/s | p50 ms | p95 ms | p99 ms | date | commit |"
    assert lines[2] == "| sqlite | 10 | 1 | 512 | 12.0 | 20.5 | 31.2 | 2026-12-10 | abc1234 |"
    assert lines[4] == "| postgres | 100 | 2 | 1,040 | 70.0 | 95.0 | 140.0 | 2026-12-10 | abc1234 |"
    assert len(lines) == 2 + len(ROWS)


def test_a_rerun_replaces_the_table_and_keeps_the_rest(tmp_path: Path) -> None:
    document = tmp_path / "PERFORMANCE.md"
    document.write_text(f"# Performance\n\nintro\n\n{TABLE_START}\nnot yet measured\n{TABLE_END}\n\n## History\nold\n")
    write_between_markers(document, sweep_table(ROWS[:1]))
    write_between_markers(document, sweep_table(ROWS))
    text = document.read_text()
    assert "not yet measured" not in text
    assert text.count(TABLE_START) == 1 and text.count("| sqlite | 10 |") == 1
    assert text.startswith("# Performance\n\nintro\n") and text.endswith("## History\nold\n")
    assert "| postgres | 100 |" in text


def test_markers_are_added_under_the_title_when_missing(tmp_path: Path) -> None:
    document = tmp_path / "PERFORMANCE.md"
    document.write_text("# Performance\nhistory\n")
    write_between_markers(document, "table")
    assert document.read_text() == f"# Performance\n\n{TABLE_START}\ntable\n{TABLE_END}\n\nhistory\n"


def test_chart_is_a_png_file(tmp_path: Path) -> None:
    chart = tmp_path / "charts" / "performance.png"
    draw_chart(ROWS, chart)
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert chart.stat().st_size > 5000
