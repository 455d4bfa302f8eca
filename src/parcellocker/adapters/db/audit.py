"""The audit log: entries queued during a unit of work are chained to the last one and written at commit."""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC

from sqlalchemy import func, insert, select

from parcellocker.adapters.db.tables import audit_log
from parcellocker.adapters.db.transaction import Transaction
from parcellocker.domain.audit import GENESIS_HASH, AuditEntry, AuditRecord, chain
from parcellocker.service.ports import AuditLog

al = audit_log.c
# The PostgreSQL advisory lock under which one transaction at a time extends the chain.
AUDIT_CHAIN_LOCK = zlib.crc32(b"parcellocker.audit_log")
_LOCK_CHAIN = select(func.pg_advisory_xact_lock(AUDIT_CHAIN_LOCK))
_LAST = select(al.seq, al.hash).order_by(al.seq.desc()).limit(1)
_ADD = insert(audit_log)
_ALL = select(al.seq, al.at, al.actor, al.action, al.subject, al.details, al.prev_hash, al.hash).order_by(al.seq)


class SqlAuditLog(AuditLog):
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx
        self._queued: list[AuditRecord] = []

    async def append(self, record: AuditRecord) -> None:
        if record.at.tzinfo is None:
            raise ValueError("an audit record needs an aware datetime")
        # Hashed as stored: in UTC, so the hash can be checked again from the row.
        self._queued.append(replace(record, at=record.at.astimezone(UTC), details=dict(record.details)))

    async def write_queued(self) -> None:
        """Chain and write the queued records; called by the unit of work just before it commits.

        On PostgreSQL concurrent transactions take turns under a transaction-scoped advisory lock, taken as late
        as possible, so the chain never forks; on SQLite the unit of work already holds the only write lock.
        """
        if not self._queued:
            return
        if self._tx.on_postgresql:
            await self._tx.execute(_LOCK_CHAIN)
        last = (await self._tx.execute(_LAST)).first()
        seq, prev_hash = (last.seq, last.hash) if last is not None else (0, GENESIS_HASH)
        rows = []
        for record in self._queued:
            seq += 1
            entry = chain(seq, record, prev_hash)
            prev_hash = entry.hash
            rows.append(
                {
                    "seq": entry.seq,
                    "at": record.at,
                    "actor": record.actor,
                    "action": record.action,
                    "subject": record.subject,
                    "details": dict(record.details),
                    "prev_hash": entry.prev_hash,
                    "hash": entry.hash,
                }
            )
        await self._tx.execute(_ADD, rows)
        self._queued.clear()

    def discard_queued(self) -> None:
        self._queued.clear()

    async def entries(self) -> AsyncIterator[AuditEntry]:
        """Every written entry in seq order, streamed rather than loaded at once."""
        result = await self._tx.stream(_ALL)
        async for row in result:
            record = AuditRecord(row.at, row.actor, row.action, row.subject, dict(row.details))
            yield AuditEntry(row.seq, record, row.prev_hash, row.hash)
