"""Alarms for operators."""

from __future__ import annotations

from sqlalchemy import bindparam, insert, select

from parcellocker.adapters.db.tables import alarms
from parcellocker.adapters.db.transaction import Transaction
from parcellocker.domain.alarms import Alarm, AlarmKind
from parcellocker.service.ports import AlarmRepository

a = alarms.c
_ADD = insert(alarms)
_ALL = select(alarms).order_by(a.at, a.id)
_OF_LOCKER = _ALL.where(a.locker_id == bindparam("locker_id"))


class SqlAlarmRepository(AlarmRepository):
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    async def add(self, alarm: Alarm) -> None:
        await self._tx.execute(
            _ADD,
            {
                "id": alarm.id,
                "locker_id": alarm.locker_id,
                "kind": alarm.kind.value,
                "at": alarm.at,
                "message": alarm.message,
                "compartment_number": alarm.compartment_number,
                "acknowledged_at": alarm.acknowledged_at,
                "acknowledged_by": alarm.acknowledged_by,
            },
        )

    async def for_locker(self, locker_id: str | None) -> list[Alarm]:
        """The alarms of one locker (of every locker when None), oldest first."""
        if locker_id is None:
            rows = await self._tx.execute(_ALL)
        else:
            rows = await self._tx.execute(_OF_LOCKER, {"locker_id": locker_id})
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
            for row in rows
        ]
