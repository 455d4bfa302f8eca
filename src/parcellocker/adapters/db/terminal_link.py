"""The terminal link's records on SQL: live codes of a locker, the last event seq applied, and the command queue;
and the unit of work that holds them next to every other repository."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, insert, or_, select, update

from parcellocker.adapters.db.tables import compartments, lockers, shipments, terminal_commands, terminal_events
from parcellocker.adapters.db.transaction import Transaction
from parcellocker.adapters.db.types import UtcDateTime
from parcellocker.adapters.db.unit_of_work import SqlUnitOfWork
from parcellocker.domain.locker import LockerStatus
from parcellocker.domain.shipment import ShipmentState
from parcellocker.service.terminal_sync import (
    LiveCode,
    LiveCodeIndex,
    LockerPresence,
    SilentLocker,
    TerminalCommand,
    TerminalCommandQueue,
    TerminalEventHistory,
    TerminalLinkUnitOfWork,
)

s, c, te, tc = shipments.c, compartments.c, terminal_events.c, terminal_commands.c

_LIVE_CODES = (
    select(c.number, s.pickup_code_hash, s.pickup_deadline, s.id)
    .select_from(shipments.join(compartments, compartments.c.id == s.compartment_id))
    .where(
        s.locker_id == bindparam("locker_id"),
        s.state == ShipmentState.STORED.value,
        s.pickup_code_hash.is_not(None),
    )
    .order_by(c.number)
)
_LAST_SEQ = select(func.max(te.seq)).where(te.locker_id == bindparam("locker_id"))

_COMMAND_COLUMNS = (
    tc.id,
    tc.locker_id,
    tc.kind,
    tc.body,
    tc.created_at,
    tc.created_by,
    tc.expires_at,
    tc.acknowledged_at,
    tc.outcome,
    tc.detail,
)
_ADD_COMMAND = insert(terminal_commands).returning(tc.id)
_COMMAND = select(*_COMMAND_COLUMNS).where(tc.locker_id == bindparam("locker_id"), tc.id == bindparam("command_id"))
_PENDING = (
    select(*_COMMAND_COLUMNS)
    .where(
        tc.locker_id == bindparam("locker_id"),
        tc.id > bindparam("after"),
        tc.acknowledged_at.is_(None),
        tc.expires_at.is_(None) | (tc.expires_at > bindparam("now")),
    )
    .order_by(tc.id)
    .limit(bindparam("limit"))
)
_ACKNOWLEDGE = update(terminal_commands).where(
    tc.id == bindparam("command_id"), tc.locker_id == bindparam("match_locker_id"), tc.acknowledged_at.is_(None)
)
lk = lockers.c
_ONLINE, _OFFLINE = LockerStatus.ONLINE.value, LockerStatus.OFFLINE.value
_CHANGE_STATUS = (
    update(lockers)
    .where(lk.id == bindparam("locker_id"), lk.status != bindparam("unless_status"))
    .values(status=bindparam("new_status"))
)
_NOT_SEEN_SINCE = or_(lk.last_seen_at.is_(None), lk.last_seen_at < bindparam("seen_since", type_=UtcDateTime))
_CHANGE_STATUS_UNLESS_SEEN = _CHANGE_STATUS.where(_NOT_SEEN_SINCE)
_FORGET_SIGHTING = (
    update(lockers).where(lk.id == bindparam("locker_id"), lk.last_seen_at.is_not(None)).values(last_seen_at=None)
)
# A sighting of a locker that is online (or in maintenance) already: the common case, one statement.
_REFRESH_SIGHTING = (
    update(lockers)
    .where(lk.id == bindparam("locker_id"), lk.status != _OFFLINE, _NOT_SEEN_SINCE)
    .values(last_seen_at=bindparam("seen_at", type_=UtcDateTime))
)
_COME_ONLINE = (
    update(lockers)
    .where(lk.id == bindparam("locker_id"), lk.status == _OFFLINE)
    .values(status=_ONLINE, last_seen_at=bindparam("seen_at", type_=UtcDateTime))
)
# Conditional: of two checkers at once, the second finds the row offline already (PostgreSQL re-reads a row it
# waited for; SQLite runs one writer at a time).
_TAKE_SILENT_OFFLINE = (
    update(lockers)
    .where(
        lk.status == _ONLINE,
        lk.last_seen_at.is_not(None),
        lk.last_seen_at < bindparam("seen_before", type_=UtcDateTime),
    )
    .values(status=_OFFLINE)
    .returning(lk.id, lk.last_seen_at)
)


class SqlLiveCodeIndex(LiveCodeIndex):
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    async def for_locker(self, locker_id: str) -> list[LiveCode]:
        rows = await self._tx.execute(_LIVE_CODES, {"locker_id": locker_id})
        return [_live_code(row) for row in rows]


class SqlTerminalEventHistory(TerminalEventHistory):
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    async def last_seq(self, locker_id: str) -> int | None:
        last = (await self._tx.execute(_LAST_SEQ, {"locker_id": locker_id})).scalar()
        return None if last is None else int(last)


class SqlTerminalCommandQueue(TerminalCommandQueue):
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    async def add(
        self, locker_id: str, kind: str, body: dict[str, Any], by: str, at: datetime, expires_at: datetime | None
    ) -> TerminalCommand:
        values = {
            "locker_id": locker_id,
            "kind": kind,
            "body": body,
            "created_at": at,
            "created_by": by,
            "expires_at": expires_at,
        }
        command_id = (await self._tx.execute(_ADD_COMMAND, values)).scalar_one()
        return TerminalCommand(int(command_id), locker_id, kind, body, at, by, expires_at)

    async def get(self, locker_id: str, command_id: int) -> TerminalCommand | None:
        row = (await self._tx.execute(_COMMAND, {"locker_id": locker_id, "command_id": command_id})).first()
        return None if row is None else _command(row)

    async def pending(self, locker_id: str, after: int, now: datetime, limit: int) -> list[TerminalCommand]:
        parameters = {"locker_id": locker_id, "after": after, "now": now, "limit": limit}
        return [_command(row) for row in await self._tx.execute(_PENDING, parameters)]

    async def acknowledge(self, command: TerminalCommand) -> None:
        await self._tx.execute(
            _ACKNOWLEDGE,
            {
                "command_id": command.id,
                "match_locker_id": command.locker_id,
                "acknowledged_at": command.acknowledged_at,
                "outcome": command.outcome,
                "detail": command.detail,
            },
        )


class SqlLockerPresence(LockerPresence):
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    async def change_status(
        self, locker_id: str, status: LockerStatus, *, unless_seen_since: datetime | None = None
    ) -> bool:
        """One conditional UPDATE: of two concurrent changes to the same status, the second matches no row."""
        parameters = {"locker_id": locker_id, "new_status": status.value, "unless_status": status.value}
        if unless_seen_since is None:
            result = await self._tx.execute(_CHANGE_STATUS, parameters)
        else:
            result = await self._tx.execute(_CHANGE_STATUS_UNLESS_SEEN, {**parameters, "seen_since": unless_seen_since})
        return result.rowcount == 1

    async def forget_sighting(self, locker_id: str) -> None:
        await self._tx.execute(_FORGET_SIGHTING, {"locker_id": locker_id})

    async def seen(self, locker_id: str, at: datetime, *, unless_seen_since: datetime) -> bool:
        """One UPDATE when the locker is online; a second, conditional on its being offline, when the first
        changed nothing (the locker is offline, or was seen since `unless_seen_since` already)."""
        parameters = {"locker_id": locker_id, "seen_at": at, "seen_since": unless_seen_since}
        if (await self._tx.execute(_REFRESH_SIGHTING, parameters)).rowcount == 1:
            return False
        came_online = await self._tx.execute(_COME_ONLINE, {"locker_id": locker_id, "seen_at": at})
        return came_online.rowcount == 1

    async def take_silent_offline(self, seen_before: datetime) -> list[SilentLocker]:
        rows = await self._tx.execute(_TAKE_SILENT_OFFLINE, {"seen_before": seen_before})
        return sorted((SilentLocker(locker_id, last_seen_at) for locker_id, last_seen_at in rows), key=_by_locker)


def _by_locker(silent: SilentLocker) -> str:
    return silent.locker_id


def _live_code(row: Sequence[Any]) -> LiveCode:
    number, code_hash, deadline, shipment_id = row
    return LiveCode(number, code_hash, deadline, shipment_id)


def _command(row: Sequence[Any]) -> TerminalCommand:
    """A command from a row of _COMMAND_COLUMNS, read by position."""
    ident, locker_id, kind, body, created_at, created_by, expires_at, acknowledged_at, outcome, detail = row
    return TerminalCommand(
        int(ident), locker_id, kind, body, created_at, created_by, expires_at, acknowledged_at, outcome, detail
    )


class SqlTerminalLinkUnitOfWork(SqlUnitOfWork, TerminalLinkUnitOfWork):
    """SqlUnitOfWork with the terminal link's records on the same transaction."""

    async def __aenter__(self) -> SqlTerminalLinkUnitOfWork:
        await super().__aenter__()
        tx = Transaction(self._open())
        self.live_codes = SqlLiveCodeIndex(tx)
        self.terminal_event_history = SqlTerminalEventHistory(tx)
        self.terminal_commands = SqlTerminalCommandQueue(tx)
        self.locker_presence = SqlLockerPresence(tx)
        return self
