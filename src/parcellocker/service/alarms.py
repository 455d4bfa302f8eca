"""Use cases of operators about alarms: the feed of them, and acknowledging one (audited)."""

from __future__ import annotations

from dataclasses import dataclass

from parcellocker.domain.accounts import Principal, Role
from parcellocker.domain.alarms import Alarm
from parcellocker.domain.audit import AuditRecord
from parcellocker.domain.errors import InvalidInput, NotFound
from parcellocker.domain.locker import Locker
from parcellocker.service.context import Env
from parcellocker.service.permissions import require_role
from parcellocker.service.ports import UnitOfWork

MAX_FEED = 500


@dataclass(frozen=True, slots=True)
class ListAlarms:
    by: Principal
    locker_id: str | None = None  # None: every locker


async def list_alarms(cmd: ListAlarms, uow: UnitOfWork, env: Env) -> list[Alarm]:
    require_role(cmd.by, Role.OPERATOR)
    return await uow.alarms.for_locker(cmd.locker_id)


@dataclass(frozen=True, slots=True)
class ReadAlarmFeed:
    by: Principal
    limit: int = 100
    open_only: bool = False


@dataclass(frozen=True, slots=True)
class AlarmFeed:
    alarms: list[Alarm]
    """Newest first."""
    lockers: dict[str, Locker]
    """The lockers they were raised at (without their compartments), for their names and time zones."""


async def read_alarm_feed(cmd: ReadAlarmFeed, uow: UnitOfWork, env: Env) -> AlarmFeed:
    require_role(cmd.by, Role.OPERATOR)
    if not 1 <= cmd.limit <= MAX_FEED:
        raise InvalidInput(f"the alarm feed shows 1 to {MAX_FEED} alarms at a time")
    alarms = await uow.alarms.latest(cmd.limit, open_only=cmd.open_only)
    lockers: dict[str, Locker] = {}
    for locker_id in dict.fromkeys(alarm.locker_id for alarm in alarms):
        locker = await uow.lockers.get(locker_id, with_compartments=False)
        if locker is not None:
            lockers[locker_id] = locker
    return AlarmFeed(alarms, lockers)


@dataclass(frozen=True, slots=True)
class AcknowledgeAlarm:
    by: Principal
    alarm_id: str


async def acknowledge_alarm(cmd: AcknowledgeAlarm, uow: UnitOfWork, env: Env) -> Alarm:
    """An operator has seen to the alarm; refused if someone already acknowledged it."""
    require_role(cmd.by, Role.OPERATOR)
    alarm = await uow.alarms.get(cmd.alarm_id)
    if alarm is None:
        raise NotFound(f"there is no alarm {cmd.alarm_id}")
    now, actor = env.clock.now(), str(cmd.by.actor)
    acknowledged = alarm.acknowledged(now, actor)
    await uow.alarms.acknowledge(acknowledged)
    details = {"kind": alarm.kind.value, "locker": alarm.locker_id}
    await uow.audit.append(AuditRecord(now, actor, "alarm.acknowledged", alarm.id, details))
    return acknowledged
