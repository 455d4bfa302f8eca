"""The utilisation query reads only the window's transitions of a locker's compartments, through the index on
transitions (subject, subject_id, at, id), as PostgreSQL's EXPLAIN tells (docs/dashboard.md shows the plan)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
from sqlalchemy.dialects import postgresql

from parcellocker.adapters.db.transitions import _OF_LOCKER_COMPARTMENTS_SINCE

HISTORY = """
INSERT INTO lockers (id, name, address, timezone, status, inner_dimensions)
SELECT 'L-' || l, 'Locker ' || l, '', 'UTC', 'online', '{}' FROM generate_series(1, 10) l;
INSERT INTO compartments (id, locker_id, number, size, size_rank, board, channel, state, door, version)
SELECT 'L-' || l || '/' || n, 'L-' || l, n, 'S', 0, 0, n, 'free', 'closed', 0
FROM generate_series(1, 10) l, generate_series(1, 20) n;
INSERT INTO transitions (subject, subject_id, from_state, to_state, at, actor, reason, details, event_id)
SELECT 'compartment', 'L-' || l || '/' || n, 'free', 'occupied',
       now() - interval '90 days' + k * interval '6 hours' + n * interval '1 minute', 'terminal:t', 'r', '{}',
       gen_random_uuid()::text
FROM generate_series(1, 10) l, generate_series(1, 20) n, generate_series(0, 359) k;
ANALYZE;
"""


async def test_the_utilisation_query_reads_the_window_through_the_index(fresh_database: Any) -> None:
    url = await fresh_database("postgres")
    sql = str(_OF_LOCKER_COMPARTMENTS_SINCE.compile(dialect=postgresql.dialect()))
    for number, name in enumerate(("subject", "locker_id", "since"), start=1):
        sql = sql.replace(f"%({name})s", f"${number}")
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await connection.execute(HISTORY)  # 72,000 transitions: 90 days of 200 compartments
        since = (datetime.now(UTC) - timedelta(days=7)).replace(minute=0, second=0, microsecond=0)
        rows = await connection.fetch(f"EXPLAIN (COSTS OFF) {sql}", "compartment", "L-3", since)
    finally:
        await connection.close()
    plan = [row[0].strip().removeprefix("->").strip() for row in rows]
    scan = next(n for n, line in enumerate(plan) if "on transitions" in line)
    text = "\n".join(plan)
    assert plan[scan].startswith("Index Scan using ix_transitions_subject_subject_id_at_id on transitions"), text
    condition = plan[scan + 1]
    assert condition.startswith("Index Cond:") and "at >= " in condition, text  # the window, in the index
    assert not any(line.startswith("Filter:") for line in plan[scan + 1 :]), text  # no row read to be dropped
