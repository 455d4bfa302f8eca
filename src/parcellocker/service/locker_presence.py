"""Whether a locker's terminal is connected, on either link; operators see the locker's status, and an alarm when it
goes offline.

Over MQTT the terminal says `online` on its status topic and its last will says `offline` when its link dies. Over
HTTP nothing is said: each request of the terminal is a sighting, kept at most every few seconds, and a periodic
check of the server takes offline a locker whose terminal was not seen for longer than the window
(`Policy.link_silence`). A locker is online when its MQTT link says so or when it was seen on the HTTP link within
the window: MQTT saying online clears the last HTTP sighting (so the check leaves that locker alone), and MQTT
saying offline leaves online a locker seen on the HTTP link within the window.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from parcellocker.domain.accounts import Principal
from parcellocker.domain.alarms import Alarm, AlarmKind
from parcellocker.domain.audit import AuditRecord
from parcellocker.domain.errors import InvalidInput
from parcellocker.domain.events import SYSTEM
from parcellocker.domain.locker import LockerStatus
from parcellocker.service.context import Env, Policy
from parcellocker.service.permissions import require_terminal_of
from parcellocker.service.ports import UnitOfWork
from parcellocker.service.terminal_sync import SilentLocker, link_records

PRESENCE = (LockerStatus.ONLINE, LockerStatus.OFFLINE)
MAX_SIGHTING_REFRESH = timedelta(seconds=5)


def sighting_refresh(policy: Policy) -> timedelta:
    """How old the kept sighting of a terminal may grow before one of its requests keeps a new one: a few seconds,
    and a small part of the window."""
    return min(MAX_SIGHTING_REFRESH, policy.link_silence / 4)


def silent_before(now: datetime, policy: Policy) -> datetime:
    """A terminal whose kept sighting is older than this was not seen for longer than the window (a sighting is
    kept at most every `sighting_refresh`, so the one kept may be up to that much older than the last)."""
    return now - policy.link_silence - sighting_refresh(policy)


@dataclass(frozen=True, slots=True)
class RecordLockerPresence:
    by: Principal
    locker_id: str
    status: LockerStatus
    at: datetime
    """When the link said so (the server's clock when the message arrived)."""


async def record_locker_presence(cmd: RecordLockerPresence, uow: UnitOfWork, env: Env) -> bool:
    """Keep the locker's new status as its MQTT link says it; True when it changed. Going offline raises a
    `locker_offline` alarm; the same status said again changes nothing (a retained message is delivered again at
    every reconnection)."""
    require_terminal_of(cmd.by, cmd.locker_id)
    if cmd.status not in PRESENCE:
        raise InvalidInput("a terminal's link says online or offline")
    presence = link_records(uow).locker_presence
    if cmd.status is LockerStatus.ONLINE:
        await presence.forget_sighting(cmd.locker_id)
        changed = await presence.change_status(cmd.locker_id, cmd.status)
    else:
        seen_since = silent_before(cmd.at, env.policy)
        changed = await presence.change_status(cmd.locker_id, cmd.status, unless_seen_since=seen_since)
    if not changed:
        return False
    actor = str(cmd.by.actor)
    await uow.audit.append(AuditRecord(env.clock.now(), actor, f"locker.{cmd.status.value}", cmd.locker_id, {}))
    if cmd.status is LockerStatus.OFFLINE:
        message = f"locker {cmd.locker_id} lost its link to the server"
        await uow.alarms.add(Alarm(str(uuid.uuid4()), cmd.locker_id, AlarmKind.LOCKER_OFFLINE, cmd.at, message))
    return True


@dataclass(frozen=True, slots=True)
class RecordTerminalSeen:
    by: Principal
    locker_id: str


async def record_terminal_seen(cmd: RecordTerminalSeen, uow: UnitOfWork, env: Env) -> bool:
    """Keep that the locker's terminal was seen on the HTTP link now, unless a sighting of the last few seconds is
    kept already. An offline locker comes online (audited); True when it did."""
    require_terminal_of(cmd.by, cmd.locker_id)
    now = env.clock.now()
    presence = link_records(uow).locker_presence
    if not await presence.seen(cmd.locker_id, now, unless_seen_since=now - sighting_refresh(env.policy)):
        return False
    await uow.audit.append(AuditRecord(now, str(cmd.by.actor), "locker.online", cmd.locker_id, {"link": "http"}))
    return True


@dataclass(frozen=True, slots=True)
class TakeSilentLockersOffline:
    """The server's periodic check; it acts as the system, for no caller."""


async def take_silent_lockers_offline(cmd: TakeSilentLockersOffline, uow: UnitOfWork, env: Env) -> list[SilentLocker]:
    """Every online locker whose terminal was not seen on the HTTP link for longer than the window goes offline,
    each with a `locker_offline` alarm and an audit entry, once (a concurrent check finds it offline already)."""
    now = env.clock.now()
    silent = await link_records(uow).locker_presence.take_silent_offline(silent_before(now, env.policy))
    for locker in silent:
        seen = locker.last_seen_at
        details = {"link": "http", "last_seen_at": seen.isoformat()}
        await uow.audit.append(AuditRecord(now, str(SYSTEM), "locker.offline", locker.locker_id, details))
        message = f"locker {locker.locker_id} went silent: its terminal was last seen at {seen:%Y-%m-%d %H:%M:%S} UTC"
        await uow.alarms.add(Alarm(str(uuid.uuid4()), locker.locker_id, AlarmKind.LOCKER_OFFLINE, now, message))
    return silent
