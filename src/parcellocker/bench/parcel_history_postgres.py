"""The history of parcels on PostgreSQL, copied by the database itself: INSERT ... SELECT from the template's own
rows, one statement per table for a batch of copies, instead of building every row in Python (2-3 ms a parcel).

A batch first numbers its copies in a temporary table (generate_series): each copy's shipment id, locker,
compartment number, terminal sequence offset and how far it is moved back in time, placed exactly as
parcel_history.py places them. Each table's statement then joins those copies with the template's rows of that
table (read back from the database by their keys) and changes what parcel_history.py changes in each copy: ids,
tracking number, locker, compartment, sequence numbers, event ids, every time moved. Only the audit records are
still built in Python, because each holds the hash of the one before (domain/audit.py): the log still verifies.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from parcellocker.adapters.db.tables import alarms, audit_log, notifications, shipments, transitions
from parcellocker.adapters.db.tables import terminal_events as terminal_events_table
from parcellocker.adapters.db.types import UtcDateTime
from parcellocker.bench.parcel_history import (
    ALARM_EVERY,
    OLDEST_FIRST_GAP,
    audit_rows_after,
    insert_rows,
)
from parcellocker.bench.parcel_template import TEMPLATE_LOCKER, ParcelTemplate
from parcellocker.domain.audit import AuditRecord

COPIES_PER_BATCH = 50_000  # parcels per transaction: about 600,000 rows
MAX_COPIES = 10**9  # tracking numbers HIST-000000000 to HIST-999999999

_COPIES = """
CREATE TEMPORARY TABLE history_copies (
    k bigint PRIMARY KEY, shipment_id text NOT NULL, locker_id text NOT NULL, number integer NOT NULL,
    seq_offset bigint NOT NULL, delta interval NOT NULL
) ON COMMIT DROP
"""
# Copy k: the (k // lockers)-th parcel of locker k % lockers, newest first; `per_day` a day in each locker.
_NUMBER_COPIES = """
INSERT INTO history_copies
SELECT k, gen_random_uuid()::text, ($3::text[])[k % $5 + 1], ($4::int[])[(k / $5) % $6 + 1], 2 * (k / $5) + 4,
       $7::interval - make_interval(secs => (k / $5) * 86400.0 / $6)
FROM generate_series($1::bigint, $2::bigint - 1) AS k
"""


def _copy(table: Table, template_rows: str, changed: Mapping[str, str], skipped: Sequence[str] = ()) -> str:
    """INSERT ... SELECT of `table` for one template row `t` (found by `template_rows`): for each copy, every column
    as in the template row, a time moved by the copy's delta, or as `changed` says (SQL over `t` and the copy `c`).
    One template row a statement, in the copies' order: the rows come out without sorting, and each copy's rows of
    a table are numbered in the template's order, as when built in Python."""
    names, values = [], []
    for column in table.columns:
        if column.name in skipped:
            continue
        names.append(column.name)
        if column.name in changed:
            values.append(changed[column.name])
        elif isinstance(column.type, UtcDateTime):
            values.append(f"t.{column.name} + c.delta")
        else:
            values.append(f"t.{column.name}")
    return (
        f"INSERT INTO {table.name} ({', '.join(names)}) SELECT {', '.join(values)} "
        f"FROM history_copies AS c CROSS JOIN {table.name} AS t WHERE {template_rows} ORDER BY c.k"
    )


_COMPARTMENT = "c.locker_id || '/' || c.number"
_SHIPMENTS = _copy(
    shipments,
    "t.id = $1",
    {"id": "c.shipment_id", "tracking_number": "'HIST-' || lpad(c.k::text, 9, '0')", "locker_id": "c.locker_id"},
)
_TRANSITIONS = _copy(
    transitions,
    "t.id = $1",
    {
        "subject_id": f"CASE WHEN t.subject = 'shipment' THEN c.shipment_id ELSE {_COMPARTMENT} END",
        "event_id": "gen_random_uuid()::text",
        "actor": f"replace(t.actor, '{TEMPLATE_LOCKER}', c.locker_id)",
    },
    skipped=("id", "xact"),  # numbered by the database, as when written by the code
)
_NOTIFICATIONS = _copy(notifications, "t.id = $1", {"id": "gen_random_uuid()::text",
                                                               "shipment_id": "c.shipment_id"})  # fmt: skip
_TERMINAL_EVENTS = _copy(
    terminal_events_table,
    f"t.locker_id = '{TEMPLATE_LOCKER}' AND t.seq = $1",
    {
        "locker_id": "c.locker_id",
        "seq": "t.seq + c.seq_offset",
        "reply": "(t.reply::jsonb || jsonb_build_object('seq', t.seq + c.seq_offset, 'shipment_id', c.shipment_id,"
        " 'compartment_number', c.number))::json",
    },
)
_ALARMS = _copy(
    alarms,
    f"t.id = $1 AND c.k % {ALARM_EVERY} = {ALARM_EVERY - 1}",
    {"id": "gen_random_uuid()::text", "locker_id": "c.locker_id", "compartment_number": "c.number"},
)
_AUDIT_TIMES = "SELECT c.delta FROM history_copies AS c ORDER BY c.k"
_LAST_AUDIT_ENTRY = "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1"


async def add_history_on_postgres(
    engine: AsyncEngine, template: ParcelTemplate, locker_ids: Sequence[str], start: int, stop: int, now: datetime
) -> None:
    """What parcel_history.add_history inserts, copies `start` to `stop` - 1, built by PostgreSQL."""
    if stop > MAX_COPIES:
        raise ValueError(f"at most {MAX_COPIES:,} parcels of history")
    size = template.shipment["deposited_size"]
    numbers = [c["number"] for c in template.compartments if c["size"] == size]
    newest_delta = now - OLDEST_FIRST_GAP - template.ended_at
    transition_ids = [row["id"] for row in (*template.shipment_transitions, *template.compartment_transitions)]
    for first in range(start, stop, COPIES_PER_BATCH):
        last = min(stop, first + COPIES_PER_BATCH)
        async with engine.connect() as connection:
            raw = await _driver(connection)
            async with raw.transaction():  # the temporary table lives until the commit
                await raw.execute(_COPIES)
                await raw.execute(_NUMBER_COPIES, first, last, list(locker_ids), numbers, len(locker_ids),
                                  len(numbers), newest_delta)  # fmt: skip
                await raw.execute(_SHIPMENTS, template.shipment["id"])
                for transition_id in transition_ids:
                    await raw.execute(_TRANSITIONS, transition_id)
                for row in template.notifications:
                    await raw.execute(_NOTIFICATIONS, row["id"])
                for row in template.terminal_events:
                    await raw.execute(_TERMINAL_EVENTS, row["seq"])
                await raw.execute(_ALARMS, template.alarm["id"])
                deltas: list[timedelta] = [row[0] for row in await raw.fetch(_AUDIT_TIMES)]
                records = [
                    AuditRecord(row["at"] + delta, row["actor"], row["action"], row["subject"], dict(row["details"]))
                    for delta in deltas
                    for row in template.audit
                ]
                latest = await raw.fetchrow(_LAST_AUDIT_ENTRY)
                rows = audit_rows_after(None if latest is None else (latest[0], latest[1]), records)
                await insert_rows(connection, audit_log, rows)  # COPY on this same connection


async def _driver(connection: AsyncConnection) -> Any:
    raw = (await connection.get_raw_connection()).driver_connection
    assert raw is not None
    return raw
