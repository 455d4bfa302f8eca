"""Alarms for operators."""

from __future__ import annotations

from sqlalchemy import insert, select

from parcellocker.adapters.db.tables import alarms
from parcellocker.adapters.db.transaction import Transaction
from parcellocker.domain.alarms import Alarm, AlarmKind
from parcellocker.service.ports import AlarmRepository

a = alarms.c


class SqlAlarmRepository(AlarmRepository):
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    async def add(self, alarm: Alarm) -> None:
        await self._tx.execute(
            insert(alarms).values(
                id=alarm.id,
                locker_id=alarm.locker_id,
                kind=alarm.kind.value,
                at=alarm.at,
                message=alarm.message,
                compartment_number=alarm.compartment_number,
                acknowledged_at=alarm.acknowledged_at,
                acknowledged_by=alarm.acknowledged_by,
            )
        )

    async def for_locker(self, locker_id: str | None) -> list[Alarm]:
        """The alarms of one locker (of every locker when None), oldest first."""
        statement = select(alarms).order_by(a.at, a.id)
        if locker_id is not None:
            statement = statement.where(a.locker_id == locker_id)
        return [
            Alarm(
                id=row.id,
                locker_id=row.locker_id,
                kind=AlarmKind(row.kind),
                at=row.at,
                message=row.message,
                compartment_number=row.compartment_number,
                acknowledged_at=row.acknowledged_at,
                acknowledged_by=row.acknowledged_by,
            )
            for row in await self._tx.execute(statement)
        ]
