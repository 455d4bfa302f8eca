"""Whether a locker's terminal is connected: `online` when it says so on its link, `offline` when it says so or
when its link dies (the MQTT last will). Operators see the locker's status, and an alarm when it goes offline."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from parcellocker.domain.accounts import Principal
from parcellocker.domain.alarms import Alarm, AlarmKind
from parcellocker.domain.audit import AuditRecord
from parcellocker.domain.errors import InvalidInput
from parcellocker.domain.locker import LockerStatus
from parcellocker.service.context import Env
from parcellocker.service.permissions import require_terminal_of
from parcellocker.service.ports import UnitOfWork
from parcellocker.service.terminal_sync import link_records

PRESENCE = (LockerStatus.ONLINE, LockerStatus.OFFLINE)


@dataclass(frozen=True, slots=True)
class RecordLockerPresence:
    by: Principal
    locker_id: str
    status: LockerStatus
    at: datetime
    """When the link said so (the server's clock when the message arrived)."""


async def record_locker_presence(cmd: RecordLockerPresence, uow: UnitOfWork, env: Env) -> bool:
    """Keep the locker's new status; True when it changed. Going offline raises a `locker_offline` alarm; the
    same status said again changes nothing (a retained message is delivered again at every reconnection)."""
    require_terminal_of(cmd.by, cmd.locker_id)
    if cmd.status not in PRESENCE:
        raise InvalidInput("a terminal's link says online or offline")
    if not await link_records(uow).locker_presence.change_status(cmd.locker_id, cmd.status):
        return False
    actor = str(cmd.by.actor)
    await uow.audit.append(AuditRecord(env.clock.now(), actor, f"locker.{cmd.status.value}", cmd.locker_id, {}))
    if cmd.status is LockerStatus.OFFLINE:
        message = f"locker {cmd.locker_id} lost its link to the server"
        await uow.alarms.add(Alarm(str(uuid.uuid4()), cmd.locker_id, AlarmKind.LOCKER_OFFLINE, cmd.at, message))
    return True
