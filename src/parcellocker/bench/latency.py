"""Collecting latencies and summarising them as percentiles."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of already sorted values (0 < fraction ≤ 1)."""
    if not sorted_values:
        return float("nan")
    rank = max(1, round(fraction * len(sorted_values) + 0.4999))
    return sorted_values[min(rank, len(sorted_values)) - 1]


@dataclass(frozen=True, slots=True)
class Summary:
    count: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float


def summarise(seconds: list[float]) -> Summary:
    values = sorted(seconds)
    return Summary(
        len(values),
        percentile(values, 0.50) * 1000,
        percentile(values, 0.95) * 1000,
        percentile(values, 0.99) * 1000,
        (values[-1] if values else float("nan")) * 1000,
    )


@dataclass(slots=True)
class LatencyLog:
    """Latencies by operation name, and failures by operation and reason; apart from them, waits that are not
    operations (a recipient waiting for the message with the code), by what was waited for."""

    by_operation: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    failures: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    waits: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))

    def record(self, operation: str, seconds: float) -> None:
        self.by_operation[operation].append(seconds)

    def record_wait(self, waited_for: str, seconds: float) -> None:
        self.waits[waited_for].append(seconds)

    def fail(self, operation: str, reason: str) -> None:
        self.failures[f"{operation}: {reason}"] += 1

    @property
    def all(self) -> list[float]:
        return [value for values in self.by_operation.values() for value in values]
