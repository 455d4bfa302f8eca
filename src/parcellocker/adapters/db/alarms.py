"""Alarms for operators."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, insert, select, update

from parcellocker.adapters.db.tables import alarms
from parcellocker.adapters.db.transaction import Transaction
from parcellocker.adapters.db.writes import Write
from parcellocker.domain.alarms import Alarm, AlarmKind
from parcellocker.domain.errors import ConcurrencyConflict
from parcellocker.service.ports import AlarmRepository

a = alarms.c
_ADD = insert(alarms)
_ALL = select(alarms).order_by(a.at, a.id)
_OF_LOCKER = _ALL.where(a.locker_id == bindparam("locker_id"))
_ONE = select(alarms).where(a.id == bindparam("alarm_id"))
_LATEST = select(alarms).order_by(a.at.desc(), a.id.desc()).limit(bindparam("limit"))
_LATEST_OPEN = _LATEST.where(a.acknowledged_at.is_(None))
# Only an alarm nobody acknowledged yet: of two operators acknowledging at once, the second changes no row.
_ACKNOWLEDGE = update(alarms).where(a.id == bindparam("match_id"), a.acknowledged_at.is_(None))


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
        return [_alarm(row) for row in rows]

    async def get(self, alarm_id: str) -> Alarm | None:
        row = (await self._tx.execute(_ONE, {"alarm_id": alarm_id})).first()
        return None if row is None else _alarm(row)

    async def latest(self, limit: int, *, open_only: bool = False) -> list[Alarm]:
        rows = await self._tx.execute(_LATEST_OPEN if open_only else _LATEST, {"limit": limit})
        return [_alarm(row) for row in rows]

    async def acknowledge(self, alarm: Alarm) -> None:
        stale = ConcurrencyConflict(f"alarm {alarm.id} was acknowledged meanwhile")
        values = {
            "match_id": alarm.id,
            "acknowledged_at": alarm.acknowledged_at,
            "acknowledged_by": alarm.acknowledged_by,
        }
        await self._tx.write(Write(_ACKNOWLEDGE, values, row=("alarms", alarm.id), stale=stale))


def _alarm(row: Any) -> Alarm:
    return Alarm(
        id=row.id,
        locker_id=row.locker_id,
        kind=AlarmKind(row.kind),
        at=row.at,
        message=row.message,
        compartment_number=row.compartment_number,
        acknowledged_at=row.acknowledged_at,
        acknowledged_by=row.acknowledged_by,
    )
