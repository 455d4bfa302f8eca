"""Alarms: things an operator must look at (forced door, lockout, door left open, out of order)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


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
