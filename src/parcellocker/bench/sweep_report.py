"""The sweep's results as a markdown table between two marker comments of a document (a rerun replaces it), and
as a PNG chart of throughput and latency against clients, one line per database."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

TABLE_START = "<!-- bench sweep: start -->"
TABLE_END = "<!-- bench sweep: end -->"


@dataclass(frozen=True, slots=True)
class SweepRow:
    db: str
    clients: int
    workers: int
    ops_per_second: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    date: str
    commit: str


def sweep_table(rows: list[SweepRow]) -> str:
    lines = [
        "| db | clients | workers | ops/s | p50 ms | p95 ms | p99 ms | date | commit |",
        "|---|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r.db} | {r.clients} | {r.workers} | {r.ops_per_second:,.0f} | {r.p50_ms:.1f} | {r.p95_ms:.1f} "
            f"| {r.p99_ms:.1f} | {r.date} | {r.commit} |"
        )
    return "\n".join(lines)


def write_between_markers(document: Path, content: str) -> None:
    """Put `content` between the markers of `document`, replacing what was there; the markers are added at the top
    (after the first heading) when the document has none."""
    text = document.read_text() if document.exists() else ""
    block = f"{TABLE_START}\n{content}\n{TABLE_END}"
    if TABLE_START in text and TABLE_END in text:
        before, rest = text.split(TABLE_START, 1)
        after = rest.split(TABLE_END, 1)[1]
        document.write_text(before + block + after)
        return
    lines = text.splitlines(keepends=True)
    at = 1 if lines and lines[0].startswith("# ") else 0
    document.write_text("".join(lines[:at]) + ("\n" if at else "") + block + "\n\n" + "".join(lines[at:]))


def draw_chart(rows: list[SweepRow], path: Path) -> None:
    """Throughput against clients (left) and p50/p99 against clients (right), one line per database."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    figure, (throughput, latency) = pyplot.subplots(1, 2, figsize=(11, 4.2))
    for db in sorted({r.db for r in rows}):
        mine = sorted((r for r in rows if r.db == db), key=lambda r: r.clients)
        clients = [r.clients for r in mine]
        throughput.plot(clients, [r.ops_per_second for r in mine], marker="o", label=db)
        latency.plot(clients, [r.p50_ms for r in mine], marker="o", label=f"{db} p50")
        latency.plot(clients, [r.p99_ms for r in mine], marker="s", linestyle="--", label=f"{db} p99")
    throughput.set(title="Throughput", xlabel="clients", ylabel="operations/s")
    latency.set(title="Latency", xlabel="clients", ylabel="ms")
    for axes in (throughput, latency):
        axes.grid(True, alpha=0.3)
        axes.legend()
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    pyplot.close(figure)
