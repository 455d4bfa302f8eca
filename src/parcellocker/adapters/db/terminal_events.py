"""Which events of a terminal were applied, with the reply given, so each is applied exactly once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select

from parcellocker.adapters.db.tables import terminal_events
from parcellocker.adapters.db.transaction import Transaction
from parcellocker.adapters.db.writes import Write
from parcellocker.service.ports import TerminalEventLog

te = terminal_events.c
_APPLIED = select(te.reply).where(te.locker_id == bindparam("locker_id"), te.seq == bindparam("seq"))
_RECORD = insert(terminal_events)


class SqlTerminalEventLog(TerminalEventLog):
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    async def applied(self, locker_id: str, seq: int) -> Any | None:
        return (await self._tx.execute(_APPLIED, {"locker_id": locker_id, "seq": seq})).scalar()

    async def record(self, locker_id: str, seq: int, reply: Any, at: datetime) -> None:
        """The same event applied meanwhile by a concurrent delivery raises ConcurrencyConflict."""
        values = {"locker_id": locker_id, "seq": seq, "reply": reply, "applied_at": at}
        await self._tx.write(Write(_RECORD, values, row=("terminal_events", locker_id, seq)))
