"""Alarms an operator must look at."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from parcellocker.domain.alarms import Alarm, AlarmKind


class AlarmPublic(BaseModel):
    id: str
    locker_id: str
    kind: AlarmKind
    at: datetime
    message: str
    compartment: int | None
    acknowledged_at: datetime | None
    acknowledged_by: str | None

    @classmethod
    def from_domain(cls, alarm: Alarm) -> AlarmPublic:
        return cls(
            id=alarm.id,
            locker_id=alarm.locker_id,
            kind=alarm.kind,
            at=alarm.at,
            message=alarm.message,
            compartment=alarm.compartment_number,
            acknowledged_at=alarm.acknowledged_at,
            acknowledged_by=alarm.acknowledged_by,
        )
