"""Alarms: things an operator must look at (forced door, lockout, door left open, out of order)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from parcellocker.domain.errors import Conflict


class AlarmAlreadyAcknowledged(Conflict):
    code = "alarm_already_acknowledged"


class AlarmKind(StrEnum):
    FORCED_DOOR = "forced_door"
    DOOR_LEFT_OPEN = "door_left_open"
    OUT_OF_ORDER = "out_of_order"
    LOCKOUT = "lockout"
    LOCKER_OFFLINE = "locker_offline"


@dataclass(frozen=True, slots=True)
class Alarm:
    id: str
    locker_id: str
    kind: AlarmKind
    at: datetime
    message: str
    compartment_number: int | None = None
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None

    def acknowledged(self, at: datetime, by: str) -> Alarm:
        """This alarm as seen to by `by` (an actor) at `at`; an alarm is acknowledged once."""
        if self.acknowledged_at is not None:
            raise AlarmAlreadyAcknowledged(
                f"this alarm was already acknowledged by {self.acknowledged_by} "
                f"at {self.acknowledged_at:%Y-%m-%d %H:%M} UTC"
            )
        return dataclasses.replace(self, acknowledged_at=at, acknowledged_by=by)
