"""The history PostgreSQL builds itself (parcel_history_postgres.py) is shaped exactly like the one built in Python
(parcel_history.py): the same rows per parcel, placed in the same locker, compartment and time, the same values
once ids and times are taken back to the template's; and the audit log still verifies."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from parcellocker.adapters.db.engine import make_engine
from parcellocker.adapters.db.tables import alarms, audit_log, notifications, shipments, terminal_events, transitions
from parcellocker.adapters.db.unit_of_work import SqlUnitOfWork
from parcellocker.bench.parcel_history import ALARM_EVERY, OLDEST_FIRST_GAP, add_history, add_lockers
from parcellocker.bench.parcel_history_postgres import add_history_on_postgres
from parcellocker.bench.parcel_template import ParcelTemplate, record_parcel_template
from parcellocker.domain.audit import verify_chain
from parcellocker.security.keys import ServerKeys

LOCKERS = 3
IN_PYTHON = 120  # copies 0-119 built in Python, 120-239 by PostgreSQL


def _normalised(row: dict[str, Any], delta: timedelta, *ignored: str) -> dict[str, Any]:
    """A row with its times taken back by `delta` and the columns that differ by design left out."""
    return {
        key: value - delta if isinstance(value, datetime) else value for key, value in row.items() if key not in ignored
    }


async def _copy(connection: AsyncConnection, k: int, ended_at: datetime) -> dict[str, Any]:
    """Copy `k`'s rows, by its tracking number; its compartment's transitions until it was picked up (`ended_at`)."""

    async def rows(statement: Any) -> list[dict[str, Any]]:
        return [dict(row._mapping) for row in await connection.execute(statement)]

    t, n = transitions.c, notifications.c
    [shipment] = await rows(select(shipments).where(shipments.c.tracking_number == f"HIST-{k:09d}"))
    of_shipment = await rows(select(transitions).where(t.subject_id == shipment["id"]).order_by(t.id))
    messages = await rows(select(notifications).where(n.shipment_id == shipment["id"]).order_by(n.template, n.channel))
    in_locker = await rows(select(terminal_events).where(terminal_events.c.locker_id == shipment["locker_id"]))
    events = sorted((e for e in in_locker if e["reply"]["shipment_id"] == shipment["id"]), key=lambda e: e["seq"])
    compartment = f"{shipment['locker_id']}/{events[0]['reply']['compartment_number']}"
    during = (t.subject_id == compartment, t.at > shipment["created_at"], t.at <= ended_at)
    of_compartment = await rows(select(transitions).where(*during).order_by(t.id))
    assert of_shipment and messages and of_compartment
    return {"shipment": shipment, "of_shipment": of_shipment, "of_compartment": of_compartment,
            "messages": messages, "events": events, "compartment": compartment}  # fmt: skip


def _expected_place(template: ParcelTemplate, k: int, now: datetime) -> tuple[str, int, timedelta]:
    numbers = [c["number"] for c in template.compartments if c["size"] == template.shipment["deposited_size"]]
    j = k // LOCKERS
    ended = now - OLDEST_FIRST_GAP - timedelta(days=1) * j / len(numbers)
    return f"SCALE-{k % LOCKERS:05d}", numbers[j % len(numbers)], ended - template.ended_at


def _shape(template: ParcelTemplate, copy: dict[str, Any], delta: timedelta) -> dict[str, Any]:
    """What is left of a copy once its own ids, locker, compartment and times are taken back to the template's."""
    ids = ("id", "xact", "event_id", "subject_id", "actor")
    unplaced = ("seq", "shipment_id", "compartment_number")  # the copy's own
    return {
        "shipment": _normalised(copy["shipment"], delta, "id", "tracking_number", "locker_id"),
        "of_shipment": [_normalised(t, delta, *ids) for t in copy["of_shipment"]],
        "of_compartment": [_normalised(t, delta, *ids) for t in copy["of_compartment"]],
        "messages": [_normalised(n, delta, "id", "shipment_id") for n in copy["messages"]],
        "events": [
            {
                **_normalised(e, delta, "locker_id", "seq", "reply"),
                "reply": {key: v for key, v in e["reply"].items() if key not in unplaced},
            }
            for e in copy["events"]
        ],
    }


@pytest.mark.postgres
async def test_postgres_builds_copies_shaped_like_the_python_ones(fresh_database: Any) -> None:
    engine = make_engine(await fresh_database("postgres"))
    try:
        template = await record_parcel_template(engine, ServerKeys.from_secret(secrets.token_bytes(32)))
        locker_ids = await add_lockers(engine, template, LOCKERS)
        now = datetime.now(UTC)
        await add_history(engine, template, locker_ids, 0, IN_PYTHON, now)
        await add_history_on_postgres(engine, template, locker_ids, IN_PYTHON, 2 * IN_PYTHON, now)
        async with engine.connect() as connection:
            shapes = []
            for k in (IN_PYTHON - 1, IN_PYTHON, 2 * IN_PYTHON - 1):
                locker, number, delta = _expected_place(template, k, now)
                copy = await _copy(connection, k, template.ended_at + delta)
                assert copy["shipment"]["locker_id"] == locker and copy["compartment"] == f"{locker}/{number}"
                assert copy["shipment"]["created_at"] == template.shipment["created_at"] + delta
                assert [e["seq"] for e in copy["events"]] == [
                    e["seq"] + 2 * (k // LOCKERS) + 4 for e in template.terminal_events
                ]
                assert all(
                    t["actor"].find("SCALE-00000") < 0 or locker == "SCALE-00000" for t in copy["of_compartment"]
                )
                shapes.append(_shape(template, copy, delta))
            assert shapes[1] == shapes[0] and shapes[2] == shapes[0]  # PostgreSQL's copies as Python's
            counts = {}
            for table in (shipments, transitions, notifications, terminal_events, alarms, audit_log):
                counts[table.name] = len((await connection.execute(select(table))).all())
        per_parcel = len(template.shipment_transitions) + len(template.compartment_transitions)
        assert counts["shipments"] == 1 + 2 * IN_PYTHON
        assert counts["notifications"] == len(template.notifications) * (1 + 2 * IN_PYTHON)
        assert counts["alarms"] == 1 + 2 * IN_PYTHON // ALARM_EVERY
        assert counts["transitions"] >= per_parcel * 2 * IN_PYTHON
        async with SqlUnitOfWork(engine) as uow:
            entries = [entry async for entry in uow.audit.entries()]
        assert len(entries) == counts["audit_log"] and verify_chain(entries) is None
    finally:
        await engine.dispose()
