"""Lockers and a history of parcels ever stored, inserted in bulk as copies of a real parcel's rows.

Each copy of the template (parcel_template.py) gets its own ids, tracking number, locker, compartment (of the
template's size, taken in turn), terminal sequence numbers and event ids, and its times moved back: every S
compartment of every locker takes one parcel a day, so a locker's history reaches further back the more
parcels it holds, as in service, and a window of the last days holds as many parcels whatever the history.
Every copy ended longer than the retention time ago, so its personal data is erased as in the template; its
audit record is chained to the one before (domain/audit.py), so the audit log still verifies.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from parcellocker.adapters.db.tables import (
    alarms,
    audit_log,
    compartments,
    lockers,
    notifications,
    shipments,
    transitions,
)
from parcellocker.adapters.db.tables import terminal_events as terminal_events_table
from parcellocker.bench.parcel_template import TEMPLATE_LOCKER, ParcelTemplate, Row
from parcellocker.domain.audit import GENESIS_HASH, AuditRecord, chain

ALARM_EVERY = 50  # parcels: a forced door, acknowledged, for every so many
PARCELS_PER_BATCH = 2000
ROWS_PER_INSERT = 5000
OLDEST_FIRST_GAP = timedelta(days=31)  # the newest copy ended this long ago: past the retention of personal data


def locker_id(index: int) -> str:
    return f"SCALE-{index:05d}"


async def add_lockers(engine: AsyncEngine, template: ParcelTemplate, count: int) -> list[str]:
    """Copies of the template locker and its compartments up to `count` lockers; their ids, the template's first."""
    ids = [locker_id(index) for index in range(count)]
    async with engine.begin() as connection:
        for start in range(1, count, 200):
            chunk = ids[start : start + 200]
            await insert_rows(connection, lockers, [{**template.locker, "id": ident, "name": ident} for ident in chunk])
            rows = [
                {**c, "id": f"{ident}/{c['number']}", "locker_id": ident}
                for ident in chunk
                for c in template.compartments
            ]
            await insert_rows(connection, compartments, rows)
    return ids


@dataclass(slots=True)
class _Placement:
    """Where and when copy number `k` of the parcel lived."""

    locker_id: str
    compartment_number: int
    seq_offset: int
    delta: timedelta


async def add_history(
    engine: AsyncEngine, template: ParcelTemplate, locker_ids: Sequence[str], start: int, stop: int, now: datetime
) -> None:
    """Insert copies `start` to `stop` - 1 of the template's parcel (0 the newest), spread over `locker_ids`, built
    in Python (on PostgreSQL, parcel_history_postgres.py has the database build the same copies, much faster)."""
    size = template.shipment["deposited_size"]
    numbers = [c["number"] for c in template.compartments if c["size"] == size]
    per_day = len(numbers)
    for first in range(start, stop, PARCELS_PER_BATCH):
        placements = []
        for k in range(first, min(stop, first + PARCELS_PER_BATCH)):
            j = k // len(locker_ids)  # the how-manieth parcel of its locker, newest first
            ended = now - OLDEST_FIRST_GAP - timedelta(days=1) * j / per_day
            placements.append(
                _Placement(locker_ids[k % len(locker_ids)], numbers[j % per_day], 2 * j + 4, ended - template.ended_at)
            )
        async with engine.begin() as connection:
            await _insert_copies(connection, template, first, placements)


async def _insert_copies(
    connection: AsyncConnection, template: ParcelTemplate, first: int, placements: list[_Placement]
) -> None:
    shipment_rows, transition_rows, notification_rows, event_rows, alarm_rows = [], [], [], [], []
    audit_records = []
    template_compartment = f"{TEMPLATE_LOCKER}/{template.terminal_events[0]['reply']['compartment_number']}"
    for k, place in enumerate(placements, start=first):
        shipment_id = str(uuid.uuid4())
        compartment_id = f"{place.locker_id}/{place.compartment_number}"
        moved = place.delta
        shipment_rows.append(
            {
                **_moved(template.shipment, moved),
                "id": shipment_id,
                "tracking_number": f"HIST-{k:09d}",
                "locker_id": place.locker_id,
            }
        )
        for row in template.shipment_transitions:
            transition_rows.append(_transition(row, moved, shipment_id, place.locker_id))
        for row in template.compartment_transitions:
            assert row["subject_id"] == template_compartment
            transition_rows.append(_transition(row, moved, compartment_id, place.locker_id))
        for row in template.notifications:
            notification_rows.append({**_moved(row, moved), "id": str(uuid.uuid4()), "shipment_id": shipment_id})
        for row in template.terminal_events:
            reply = {**row["reply"], "seq": row["seq"] + place.seq_offset, "shipment_id": shipment_id,
                     "compartment_number": place.compartment_number}  # fmt: skip
            event_rows.append({**_moved(row, moved), "locker_id": place.locker_id, "seq": reply["seq"], "reply": reply})
        if k % ALARM_EVERY == ALARM_EVERY - 1:
            alarm_rows.append({**_moved(template.alarm, moved), "id": str(uuid.uuid4()), "locker_id": place.locker_id,
                               "compartment_number": place.compartment_number})  # fmt: skip
        for row in template.audit:
            audit_records.append(
                AuditRecord(row["at"] + moved, row["actor"], row["action"], row["subject"], dict(row["details"]))
            )
    await insert_rows(connection, shipments, shipment_rows)
    await insert_rows(connection, transitions, transition_rows)
    await insert_rows(connection, notifications, notification_rows)
    await insert_rows(connection, terminal_events_table, event_rows)
    await insert_rows(connection, alarms, alarm_rows)
    await insert_rows(connection, audit_log, await chained_audit_rows(connection, audit_records))


def _moved(row: Row, by: timedelta) -> Row:
    return {key: value + by if isinstance(value, datetime) else value for key, value in row.items()}


def _transition(row: Row, moved: timedelta, subject_id: str, locker: str) -> Row:
    copied = _moved(row, moved)
    del copied["id"], copied["xact"]  # numbered by the database, as when written by the code
    copied.update(subject_id=subject_id, event_id=str(uuid.uuid4()))
    copied["actor"] = copied["actor"].replace(TEMPLATE_LOCKER, locker)
    return copied


async def chained_audit_rows(connection: AsyncConnection, records: list[AuditRecord]) -> list[Row]:
    """Audit rows after the last one in the log, each holding the hash of the one before."""
    last = (
        await connection.execute(select(audit_log.c.seq, audit_log.c.hash).order_by(audit_log.c.seq.desc()).limit(1))
    ).first()
    return audit_rows_after((last[0], last[1]) if last is not None else None, records)


def audit_rows_after(last: tuple[int, str] | None, records: list[AuditRecord]) -> list[Row]:
    """Audit rows after the entry `last` (its seq and hash; None: the log is empty), in time order, chained."""
    seq, prev_hash = last if last is not None else (0, GENESIS_HASH)
    rows = []
    for record in sorted(records, key=lambda r: r.at):
        seq += 1
        entry = chain(seq, record, prev_hash)
        rows.append({"seq": seq, "at": record.at.astimezone(UTC), "actor": record.actor, "action": record.action,
                     "subject": record.subject, "details": dict(record.details), "prev_hash": entry.prev_hash,
                     "hash": entry.hash})  # fmt: skip
        prev_hash = entry.hash
    return rows


async def insert_rows(connection: AsyncConnection, table: Table, rows: list[Row]) -> None:
    """Rows in bulk, each value converted by its column's type as SQLAlchemy would: COPY on PostgreSQL, one
    executemany per chunk on SQLite (SQLAlchemy's own executemany spends ~20 times longer per row)."""
    if not rows:
        return
    dialect = connection.dialect
    names = list(rows[0])
    processors = [table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names]
    raw = (await connection.get_raw_connection()).driver_connection
    assert raw is not None
    for chunk in _chunks(rows, ROWS_PER_INSERT):
        records = [
            tuple(
                value if convert is None else convert(value)
                for value, convert in zip(row.values(), processors, strict=True)
            )
            for row in chunk
        ]
        if dialect.name == "postgresql":
            await raw.copy_records_to_table(table.name, records=records, columns=names)
        else:
            sql = f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
            await raw.executemany(sql, records)


def _chunks(rows: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]
