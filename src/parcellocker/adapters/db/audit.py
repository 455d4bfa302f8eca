"""The audit log: records appended during a unit of work are chained (each entry holding the hash of the one
before) and written when it commits.

SQLite has one writer at a time, so there the records are chained inside the committing transaction itself.

On PostgreSQL, chaining inside each transaction would mean holding one lock across every commit (and its disk
flush), which makes all writers of audit records take turns: measured here, that capped deposits and pickups at
about 185 a second with the whole connection pool queued on the lock. So a transaction only queues its records
(table audit_queue) and commits, and then nudges the `AuditChainer`, which moves every queued record into the
chain in one short transaction under a transaction-scoped advisory lock, in the background. One such round serves
all records queued meanwhile. The advisory lock keeps rounds of different server processes apart, so the chain
can never fork. Reading the log (`entries`) first chains whatever is queued, so it always shows everything
committed before it began; records left queued by a process that died are chained then, or by the next round.
A round commits without waiting for the disk: it only rearranges records that are already durable, so if a
crash loses it, the records are still queued and the next round chains them again, identically.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
import zlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import replace
from datetime import UTC
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncEngine

from parcellocker.adapters.db.driver_statements import DriverConnection
from parcellocker.adapters.db.tables import audit_log, audit_queue
from parcellocker.adapters.db.transaction import Transaction
from parcellocker.adapters.db.writes import Write
from parcellocker.domain.audit import GENESIS_HASH, AuditEntry, AuditRecord, chain
from parcellocker.service.ports import AuditLog

log = logging.getLogger(__name__)
al, aq = audit_log.c, audit_queue.c
# The PostgreSQL advisory lock under which one round at a time extends the chain.
AUDIT_CHAIN_LOCK = zlib.crc32(b"parcellocker.audit_log")
ROUND_SIZE = 500  # queued records chained per round at most
ROUND_PAUSE = 0.2
"""Seconds from a commit to the round that chains its records, to gather others with them. A round is four round
trips whatever it chains, so under load the pause sets how many of them the chain costs: at 0.05 s a busy worker ran
~13 rounds a second, ~2 statements per parcel lifecycle of ~21. Nobody waits for it: the records are durable in the
queue from their commit, and reading the log chains what is queued first."""

_LAST = select(al.seq, al.hash).order_by(al.seq.desc()).limit(1)
_ADD = insert(audit_log)
_ALL = select(al.seq, al.at, al.actor, al.action, al.subject, al.details, al.prev_hash, al.hash).order_by(al.seq)
_QUEUE = insert(audit_queue)
_ANY_QUEUED = select(aq.id).limit(1)
# A round, in three statements: BEGIN and take the lock (and commit without waiting for the disk), in one round
# trip; take the oldest queued records out of the queue, with the chain's last entry; write them chained.
_BEGIN_ROUND = select(func.set_config("synchronous_commit", "off", True), func.pg_advisory_xact_lock(AUDIT_CHAIN_LOCK))
_TAKE_QUEUED = (
    delete(audit_queue)
    .where(aq.id.in_(select(aq.id).order_by(aq.id).limit(ROUND_SIZE).scalar_subquery()))
    .returning(
        aq.id,
        aq.at,
        aq.actor,
        aq.action,
        aq.subject,
        aq.details,
        _LAST.with_only_columns(al.seq).scalar_subquery().label("last_seq"),
        _LAST.with_only_columns(al.hash).scalar_subquery().label("last_hash"),
    )
)


class SqlAuditLog(AuditLog):
    def __init__(self, tx: Transaction, chainer: AuditChainer | None) -> None:
        """`chainer` is None on SQLite, where records are chained inside the committing transaction."""
        self._tx = tx
        self.chainer = chainer
        self._queued: list[AuditRecord] = []

    async def append(self, record: AuditRecord) -> None:
        if record.at.tzinfo is None:
            raise ValueError("an audit record needs an aware datetime")
        # Hashed as stored: in UTC, so the hash can be checked again from the row.
        self._queued.append(replace(record, at=record.at.astimezone(UTC), details=dict(record.details)))

    async def write_queued(self) -> bool:
        """Write what was appended; called by the unit of work just before it commits.

        True when the records went to the queue, for the chainer to chain once the transaction committed.
        """
        if not self._queued:
            return False
        records, self._queued = self._queued, []
        if self.chainer is None:
            await append_chained(self._tx, records)
            return False
        await self._tx.write(Write(_QUEUE, [_record_values(record) for record in records]))
        return True

    def discard_queued(self) -> None:
        self._queued.clear()

    async def entries(self) -> AsyncIterator[AuditEntry]:
        """Every entry in seq order (records still queued are chained first), streamed rather than loaded."""
        if self.chainer is not None and (await self._tx.execute(_ANY_QUEUED)).first() is not None:
            await self.chainer.settle()
        async for row in self._tx.rows(_ALL):
            record = AuditRecord(row.at, row.actor, row.action, row.subject, dict(row.details))
            yield AuditEntry(row.seq, record, row.prev_hash, row.hash)


async def append_chained(tx: Transaction, records: Sequence[AuditRecord]) -> None:
    """Chain `records` to the last entry and write them; the caller makes sure no one else does meanwhile."""
    last = (await tx.execute(_LAST)).first()
    await _write_chained(tx, records, *(last if last is not None else (0, GENESIS_HASH)))


async def _write_chained(tx: Transaction, records: Sequence[AuditRecord], last_seq: int, last_hash: str) -> None:
    seq, prev_hash, rows = last_seq, last_hash, []
    for record in records:
        seq += 1
        entry = chain(seq, record, prev_hash)
        rows.append({"seq": seq, **_record_values(record), "prev_hash": entry.prev_hash, "hash": entry.hash})
        prev_hash = entry.hash
    await tx.execute(_ADD, rows)


class AuditChainer:
    """Moves queued audit records into the chain (PostgreSQL), one round at a time, each round for all of them."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = weakref.ref(engine)  # weak: the registry below must not keep engines alive
        self._lock = asyncio.Lock()  # one round at a time in this process (the advisory lock: in the database)
        self._task: asyncio.Task[None] | None = None
        self._again = False

    def nudge(self) -> None:
        """Records were queued and committed: chain them soon, in the background."""
        if self._task is not None and not self._task.done():
            self._again = True  # the running task makes one more round
            return
        self._task = asyncio.get_running_loop().create_task(self._chain_soon(), name="parcellocker-audit-chainer")

    async def _chain_soon(self) -> None:
        """Chain after a short pause, and again while nudges keep coming: under load one round takes what many
        commits queued, instead of a round (five round trips) after nearly every commit."""
        while True:
            await asyncio.sleep(ROUND_PAUSE)
            self._again = False
            await self.settle()
            if not self._again:
                return

    async def settle(self) -> None:
        """Chain everything committed before this call. Never raises: what a failed round leaves queued is
        chained by a later one."""
        async with self._lock:
            try:
                while await self._round():
                    pass
            except Exception:
                log.exception("could not chain the queued audit records; a later round will")

    async def _round(self) -> bool:
        """Chain up to ROUND_SIZE queued records; True when more may be waiting."""
        engine = self._engine()
        if engine is None:
            return False
        # After the lock, each statement sees every round committed before.
        async with DriverConnection.transaction(engine, opening=_BEGIN_ROUND) as connection:
            tx = Transaction(connection)
            taken = sorted((await tx.execute(_TAKE_QUEUED)).all(), key=lambda row: row.id)
            if not taken:
                return False
            records = [AuditRecord(row.at, row.actor, row.action, row.subject, dict(row.details)) for row in taken]
            last_seq, last_hash = taken[0].last_seq, taken[0].last_hash
            await _write_chained(tx, records, last_seq or 0, last_hash or GENESIS_HASH)
        return len(taken) == ROUND_SIZE


_chainers: weakref.WeakKeyDictionary[Engine, tuple[asyncio.AbstractEventLoop, AuditChainer]] = (
    weakref.WeakKeyDictionary()
)


def audit_chainer(engine: AsyncEngine) -> AuditChainer | None:
    """The chainer of this PostgreSQL engine in the running event loop; None for SQLite."""
    if engine.dialect.name != "postgresql":
        return None
    loop = asyncio.get_running_loop()
    known = _chainers.get(engine.sync_engine)
    if known is None or known[0] is not loop:
        known = (loop, AuditChainer(engine))
        _chainers[engine.sync_engine] = known
    return known[1]


def _record_values(record: AuditRecord) -> dict[str, Any]:
    return {
        "at": record.at,
        "actor": record.actor,
        "action": record.action,
        "subject": record.subject,
        "details": dict(record.details),
    }
