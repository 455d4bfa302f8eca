"""The checks after a kill -9 run, once the load has settled: the database's own consistency (`parcellocker db
check`, adapters/db/consistency.py), the audit chain (`parcellocker audit verify`, run as the operator would), the
outbox drained and each message delivered, and every operation a client saw succeed found in the database."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from pathlib import Path

import sqlalchemy as sa
from api_clients import Lifecycle, mailbox_deliveries
from typer.testing import CliRunner

from parcellocker.adapters.db.consistency import STORED_MESSAGE, ConsistencyReport
from parcellocker.adapters.db.engine import make_engine
from parcellocker.adapters.db.tables import notifications, shipments, terminal_events
from parcellocker.cli.db_check import check_database
from parcellocker.cli.main import app

SETTLE = 120.0


async def settled(url: str, within: float = SETTLE) -> ConsistencyReport:
    """The consistency report once nothing is left to do (every message sent, every audit entry chained)."""
    deadline = time.monotonic() + within
    while True:
        report = await check_database(url)
        if not any(report.pending.values()) or time.monotonic() > deadline:
            return report
        await asyncio.sleep(0.25)


async def assert_operator_tools_agree(env: dict[str, str]) -> None:
    """`parcellocker db check` and `parcellocker audit verify` against the run's database both exit 0 (run in this
    process, on a thread of their own: a second Python process costs many seconds on a loaded machine)."""
    for arguments in (["db", "check"], ["audit", "verify"]):
        done = await asyncio.to_thread(CliRunner().invoke, app, arguments, env=env)
        assert done.exit_code == 0, f"parcellocker {' '.join(arguments)}:\n{done.output}"


async def assert_messages_delivered(url: str, mailbox: Path) -> Counter[str]:
    """Each "parcel stored" message of the outbox reached the mailbox stand-in; returns how often each was delivered
    (more than once only when the server died between sending one and recording it sent: at-least-once)."""
    engine = make_engine(url, pool_size=1)
    try:
        async with engine.connect() as connection:
            query = sa.select(notifications.c.id).where(notifications.c.template == STORED_MESSAGE)
            queued = {row.id for row in (await connection.execute(query)).all()}
    finally:
        await engine.dispose()
    delivered = Counter(message["id"] for message in mailbox_deliveries(mailbox))
    missing = queued - set(delivered)
    assert not missing, f"{len(missing)} message(s) in the outbox never reached the mailbox: {sorted(missing)[:5]}"
    strangers = set(delivered) - queued
    assert not strangers, f"the mailbox got messages the outbox does not have: {sorted(strangers)[:5]}"
    return delivered


async def assert_acknowledged_operations_kept(url: str, lifecycles: list[Lifecycle]) -> None:
    """Every operation a client saw succeed is in the database: a parcel picked up is picked up, a parcel stored is
    stored (or picked up since), every door event acknowledged is applied under its seq."""
    engine = make_engine(url, pool_size=1)
    try:
        async with engine.connect() as connection:
            states = dict((await connection.execute(sa.select(shipments.c.id, shipments.c.state))).all())
            applied = {(r.locker_id, r.seq) for r in await connection.execute(sa.select(terminal_events))}
    finally:
        await engine.dispose()
    lost = []
    for lifecycle in lifecycles:
        expected = {"announce": {"announced", "stored", "picked_up"}, "deposit": {"announced", "stored", "picked_up"},
                    "stored": {"stored", "picked_up"}, "pickup": {"stored", "picked_up"},
                    "picked_up": {"picked_up"}}  # fmt: skip
        last = lifecycle.done[-1] if lifecycle.done else None
        if last is not None and states.get(lifecycle.shipment_id) not in expected[last]:
            lost.append(f"{lifecycle.tracking_number}: {last} acknowledged, now {states.get(lifecycle.shipment_id)}")
        lost += [f"{lifecycle.locker_id} seq {seq} acknowledged, not applied"
                 for seq in lifecycle.seqs if (lifecycle.locker_id, seq) not in applied]  # fmt: skip
    assert not lost, "acknowledged but not in the database:\n" + "\n".join(lost[:20])


def describe(report: ConsistencyReport) -> str:
    lines = [f"{report.shipments} shipments, {report.transitions} transitions, {report.terminal_events} events"]
    lines += [str(inconsistency) for inconsistency in report.inconsistencies[:30]]
    return "\n".join(lines)
