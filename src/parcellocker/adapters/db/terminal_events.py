"""Which events of a terminal were applied, with the reply given, so each is applied exactly once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select

from parcellocker.adapters.db.tables import terminal_events
from parcellocker.adapters.db.transaction import Transaction
from parcellocker.service.ports import TerminalEventLog

te = terminal_events.c


class SqlTerminalEventLog(TerminalEventLog):
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    async def applied(self, locker_id: str, seq: int) -> Any | None:
        statement = select(te.reply).where(te.locker_id == locker_id, te.seq == seq)
        return (await self._tx.execute(statement)).scalar()

    async def record(self, locker_id: str, seq: int, reply: Any, at: datetime) -> None:
        """The same event applied meanwhile by a concurrent delivery raises ConcurrencyConflict."""
        await self._tx.execute(insert(terminal_events).values(locker_id=locker_id, seq=seq, reply=reply, applied_at=at))
