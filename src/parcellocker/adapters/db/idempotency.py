"""Replies remembered under an Idempotency-Key, so a repeated request gets the first answer again."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, delete, insert, select

from parcellocker.adapters.db.tables import idempotency_keys
from parcellocker.adapters.db.transaction import Transaction
from parcellocker.adapters.db.writes import Write
from parcellocker.service.ports import IdempotencyStore, StoredReply

ik = idempotency_keys.c
_GET = select(ik.fingerprint, ik.body).where(ik.scope == bindparam("scope"), ik.key == bindparam("key"))
_ADD = insert(idempotency_keys)
_FORGET_BEFORE = delete(idempotency_keys).where(ik.created_at < bindparam("cutoff"))


class SqlIdempotencyStore(IdempotencyStore):
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    async def get(self, scope: str, key: str) -> StoredReply | None:
        row = (await self._tx.execute(_GET, {"scope": scope, "key": key})).first()
        return None if row is None else StoredReply(row.fingerprint, row.body)

    async def add(self, scope: str, key: str, reply: StoredReply, at: datetime) -> None:
        """A key stored meanwhile by a concurrent request raises ConcurrencyConflict (the retry replays it)."""
        values = {"scope": scope, "key": key, "fingerprint": reply.fingerprint, "body": reply.body, "created_at": at}
        await self._tx.write(Write(_ADD, values, row=("idempotency_keys", scope, key)))

    async def forget_before(self, cutoff: datetime) -> int:
        return (await self._tx.execute(_FORGET_BEFORE, {"cutoff": cutoff})).rowcount
