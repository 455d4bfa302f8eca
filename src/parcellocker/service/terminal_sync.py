"""What a locker's terminal and the server keep in step over the link: the codes the terminal may check offline,
the events it reports (each applied once, by its `seq`), and the commands queued for it.

The use cases here need a `TerminalLinkUnitOfWork`: the usual unit of work plus the terminal link's own records.
"""

from __future__ import annotations

import abc
import base64
import hashlib
import uuid
from dataclasses import asdict, dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from parcellocker.domain.accounts import Principal
from parcellocker.domain.alarms import Alarm, AlarmKind
from parcellocker.domain.audit import AuditRecord
from parcellocker.domain.codes import locker_code_key_purpose
from parcellocker.domain.compartment import Compartment, CompartmentState, DoorState, PendingAction
from parcellocker.domain.errors import InvalidInput, NotFound
from parcellocker.domain.locker import LockerStatus
from parcellocker.domain.shipment import ShipmentState
from parcellocker.service import board_faults
from parcellocker.service.context import Env
from parcellocker.service.door_events import MAX_SEQ, ReportDoor, report_door
from parcellocker.service.permissions import require_terminal_of
from parcellocker.service.ports import UnitOfWork


@dataclass(frozen=True, slots=True)
class LiveCode:
    """A parcel waiting in a compartment of the locker, with the hash of its pickup code."""

    compartment_number: int
    code_hash: str
    deadline: datetime | None
    shipment_id: str


@dataclass(frozen=True, slots=True)
class TerminalCommand:
    id: int
    locker_id: str
    kind: str
    body: dict[str, Any]
    created_at: datetime
    created_by: str
    expires_at: datetime | None = None
    acknowledged_at: datetime | None = None
    outcome: str | None = None
    detail: str | None = None


class LiveCodeIndex(abc.ABC):
    @abc.abstractmethod
    async def for_locker(self, locker_id: str) -> list[LiveCode]:
        """Every stored parcel of the locker that has a pickup code, by compartment number."""


class TerminalEventHistory(abc.ABC):
    @abc.abstractmethod
    async def last_seq(self, locker_id: str) -> int | None:
        """The highest `seq` applied for the locker's terminal, or None before its first event."""


class TerminalCommandQueue(abc.ABC):
    @abc.abstractmethod
    async def add(
        self, locker_id: str, kind: str, body: dict[str, Any], by: str, at: datetime, expires_at: datetime | None
    ) -> TerminalCommand: ...

    @abc.abstractmethod
    async def get(self, locker_id: str, command_id: int) -> TerminalCommand | None: ...

    @abc.abstractmethod
    async def pending(self, locker_id: str, after: int, now: datetime, limit: int) -> list[TerminalCommand]:
        """Commands not acknowledged yet and not expired at `now`, with an id above `after`, oldest first."""

    @abc.abstractmethod
    async def acknowledge(self, command: TerminalCommand) -> None:
        """Keep the acknowledgement (`acknowledged_at`, `outcome`, `detail`) of a command."""


@dataclass(frozen=True, slots=True)
class SilentLocker:
    """A locker taken offline because its terminal was not seen on the HTTP link for too long."""

    locker_id: str
    last_seen_at: datetime


class LockerPresence(abc.ABC):
    @abc.abstractmethod
    async def change_status(
        self, locker_id: str, status: LockerStatus, *, unless_seen_since: datetime | None = None
    ) -> bool:
        """Give the locker `status` unless it has it already (or, with `unless_seen_since`, unless its terminal
        was seen on the HTTP link since then): True when it changed, False when it did not or there is no such
        locker. Of two concurrent changes to the same status, one only is True."""

    @abc.abstractmethod
    async def forget_sighting(self, locker_id: str) -> None:
        """Clear when the locker's terminal was last seen on the HTTP link: another link tells its presence now."""

    @abc.abstractmethod
    async def seen(self, locker_id: str, at: datetime, *, unless_seen_since: datetime) -> bool:
        """Keep that the locker's terminal was seen at `at` on the HTTP link, unless a sighting since
        `unless_seen_since` is kept already; an offline locker comes online. True when it came online (of two
        concurrent sightings, one only)."""

    @abc.abstractmethod
    async def take_silent_offline(self, seen_before: datetime) -> list[SilentLocker]:
        """Every online locker whose terminal was last seen on the HTTP link before `seen_before`, now offline.
        Of two concurrent calls, each locker is in the answer of one only."""


class TerminalLinkUnitOfWork(UnitOfWork):
    """A unit of work that also holds the terminal link's records."""

    live_codes: LiveCodeIndex
    terminal_event_history: TerminalEventHistory
    terminal_commands: TerminalCommandQueue
    locker_presence: LockerPresence


def link_records(uow: UnitOfWork) -> TerminalLinkUnitOfWork:
    if not isinstance(uow, TerminalLinkUnitOfWork):
        raise TypeError("the terminal link's use cases need a TerminalLinkUnitOfWork")
    return uow


def qr_public_key(env: Env) -> str:
    """The raw Ed25519 public key that checks QR tokens, base64url."""
    raw = env.keys.verify_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return base64.urlsafe_b64encode(raw).decode()


# Saying hello: where the terminal's numbering stands on the server.


@dataclass(frozen=True, slots=True)
class GreetTerminal:
    by: Principal
    locker_id: str


@dataclass(frozen=True, slots=True)
class LinkGreeting:
    locker_id: str
    last_seq: int | None
    qr_public_key: str
    server_time: datetime


async def greet_terminal(cmd: GreetTerminal, uow: UnitOfWork, env: Env) -> LinkGreeting:
    """A terminal (re)connecting learns the last `seq` applied for it, so a terminal whose store was replaced
    numbers its events after it instead of having them taken for replays."""
    require_terminal_of(cmd.by, cmd.locker_id)
    last_seq = await link_records(uow).terminal_event_history.last_seq(cmd.locker_id)
    return LinkGreeting(cmd.locker_id, last_seq, qr_public_key(env), env.clock.now())


# The code sheet: what the terminal needs to check codes and QR tokens offline.


@dataclass(frozen=True, slots=True)
class ReadCodeSheet:
    by: Principal
    locker_id: str


@dataclass(frozen=True, slots=True)
class CodeSheet:
    locker_id: str
    locker_key: str
    """The locker's code key (base64url): codes are hashed as HMAC-SHA256(locker key, code)."""
    qr_public_key: str
    codes: list[LiveCode]
    generated_at: datetime
    version: str
    """A digest of the codes: equal versions, equal sheets."""


async def read_code_sheet(cmd: ReadCodeSheet, uow: UnitOfWork, env: Env) -> CodeSheet:
    require_terminal_of(cmd.by, cmd.locker_id)
    now = env.clock.now()
    live = await link_records(uow).live_codes.for_locker(cmd.locker_id)
    codes = [code for code in live if code.deadline is None or code.deadline > now]
    locker_key = base64.urlsafe_b64encode(env.keys.derive(locker_code_key_purpose(cmd.locker_id))).decode()
    digest = hashlib.sha256(repr([asdict(code) for code in codes]).encode()).hexdigest()[:32]
    return CodeSheet(cmd.locker_id, locker_key, qr_public_key(env), codes, now, digest)


# Events other than door changes: pickups done offline and alarms, each applied once by its seq.


class TerminalEventKind(StrEnum):
    DOOR = "door"
    PICKUP_OFFLINE = "pickup_offline"
    ALARM = "alarm"


class TerminalAlarm(StrEnum):
    FORCED_DOOR = "forced_door"
    DOOR_LEFT_OPEN = "door_left_open"
    LOCK_DID_NOT_OPEN = "lock_did_not_open"
    LOCKOUT = "lockout"
    BOARD_FAULTED = "board_faulted"
    """A board stopped answering (or answers garbage): its free compartments are not offered (board_faults.py)."""
    BOARD_RECOVERED = "board_recovered"
    """It answers again: those compartments are offered again. Raises no alarm."""


_ALARM_KINDS = {
    TerminalAlarm.FORCED_DOOR: AlarmKind.FORCED_DOOR,
    TerminalAlarm.DOOR_LEFT_OPEN: AlarmKind.DOOR_LEFT_OPEN,
    TerminalAlarm.LOCK_DID_NOT_OPEN: AlarmKind.OUT_OF_ORDER,
    TerminalAlarm.LOCKOUT: AlarmKind.LOCKOUT,
    TerminalAlarm.BOARD_FAULTED: AlarmKind.OUT_OF_ORDER,
}


@dataclass(frozen=True, slots=True)
class ApplyTerminalEvent:
    """One event of the terminal's outbox. `body` by kind:
    door: compartment, state ("open"/"closed");
    pickup_offline: compartment, shipment_id, via ("code"/"qr");
    alarm: alarm (TerminalAlarm), compartment (or None), message, door_seq (forced_door: the seq of the door
    opening it goes with, whose own forced-door alarm it does not repeat), board (board_faulted/board_recovered)."""

    by: Principal
    locker_id: str
    seq: int
    kind: TerminalEventKind
    at: datetime
    body: dict[str, Any]


async def apply_terminal_event(cmd: ApplyTerminalEvent, uow: UnitOfWork, env: Env) -> dict[str, Any]:
    """Apply the event unless its seq was applied before; the reply names the kind, the seq and the `outcome`, and
    says `replayed: true` (with the first outcome) for a seq seen before."""
    require_terminal_of(cmd.by, cmd.locker_id)
    if cmd.kind is TerminalEventKind.DOOR:
        door = ReportDoor(cmd.by, cmd.locker_id, _number(cmd.body), _door_state(cmd.body), cmd.seq)
        return {"kind": cmd.kind.value, **asdict(await report_door(door, uow, env))}
    if not 0 <= cmd.seq < MAX_SEQ:
        raise InvalidInput("seq is a whole number from 0, counted up by the terminal for each event")
    if cmd.at.tzinfo is None:
        raise InvalidInput("the time of an event must say its time zone")
    prior: Any = await uow.terminal_events.applied(cmd.locker_id, cmd.seq)
    if prior is not None:  # a door change's record (door_events.py) names no kind
        return {"kind": TerminalEventKind.DOOR.value, **prior, "replayed": True}
    if cmd.kind is TerminalEventKind.PICKUP_OFFLINE:
        outcome = await _apply_offline_pickup(uow, env, cmd)
    else:
        outcome = await _apply_alarm(uow, env, cmd)
    reply = {"kind": cmd.kind.value, "seq": cmd.seq, "outcome": outcome, "replayed": False}
    await uow.terminal_events.record(cmd.locker_id, cmd.seq, reply, env.clock.now())
    return reply


async def _apply_offline_pickup(uow: UnitOfWork, env: Env, cmd: ApplyTerminalEvent) -> str:
    """The terminal opened a compartment for a pickup while the server was unreachable. The compartment waits for
    its door to close, exactly as after a pickup checked online: the door-closed event that follows completes the
    pickup (picked_up, compartment free), once."""
    compartment = await _compartment(uow, cmd.locker_id, _number(cmd.body))
    shipment_id = str(cmd.body.get("shipment_id", ""))
    via = "qr" if cmd.body.get("via") == "qr" else "code"
    shipment = await uow.shipments.get(shipment_id) if shipment_id else None
    actor, now = str(cmd.by.actor), env.clock.now()
    details = {"shipment": shipment_id, "by": via, "offline": "true", "at_terminal": cmd.at.isoformat()}
    if shipment is None or shipment.state is not ShipmentState.STORED or shipment.compartment_id != compartment.id:
        await uow.audit.append(AuditRecord(now, actor, "pickup.offline_not_waiting_here", compartment.id, details))
        return "not_waiting_here"
    if compartment.pending is not PendingAction.PICKUP:
        compartment.open_for_pickup(cmd.at, cmd.by.actor)
        await uow.compartments.save(compartment)
    await uow.audit.append(AuditRecord(now, actor, "compartment.opened_for_pickup", compartment.id, details))
    return "pickup_opened"


async def _apply_alarm(uow: UnitOfWork, env: Env, cmd: ApplyTerminalEvent) -> str:
    try:
        alarm = TerminalAlarm(str(cmd.body.get("alarm")))
    except ValueError:
        raise InvalidInput(f"alarm must be one of {', '.join(a.value for a in TerminalAlarm)}") from None
    if alarm in (TerminalAlarm.BOARD_FAULTED, TerminalAlarm.BOARD_RECOVERED):
        return await _apply_board_alarm(uow, env, cmd, alarm)
    number = cmd.body.get("compartment")
    compartment = None if number is None else await _compartment(uow, cmd.locker_id, _number(cmd.body))
    if alarm is TerminalAlarm.FORCED_DOOR and await _already_alarmed(uow, cmd, compartment):
        return "already_alarmed"
    message = str(cmd.body.get("message") or alarm.value.replace("_", " "))[:500]
    await uow.alarms.add(
        Alarm(str(uuid.uuid4()), cmd.locker_id, _ALARM_KINDS[alarm], cmd.at, message, _number_of(compartment))
    )
    subject = compartment.id if compartment is not None else cmd.locker_id
    details = {"at_terminal": cmd.at.isoformat()}
    await uow.audit.append(AuditRecord(env.clock.now(), str(cmd.by.actor), f"alarm.{alarm.value}", subject, details))
    if alarm is TerminalAlarm.LOCK_DID_NOT_OPEN and compartment is not None:
        await _keep_out_of_allocation(uow, env, cmd, compartment)
    return "alarm_raised"


async def _apply_board_alarm(uow: UnitOfWork, env: Env, cmd: ApplyTerminalEvent, alarm: TerminalAlarm) -> str:
    board, now, actor = board_faults.board_of(cmd.body), env.clock.now(), cmd.by.actor
    if alarm is TerminalAlarm.BOARD_RECOVERED:
        await board_faults.board_recovered(uow, cmd.locker_id, board, cmd.at, now, actor)
        return "board_recovered"
    message = str(cmd.body.get("message") or board_faults.silent_board_reason(board))
    await board_faults.board_faulted(uow, cmd.locker_id, board, cmd.at, now, actor, message)
    return "alarm_raised"


async def _already_alarmed(uow: UnitOfWork, cmd: ApplyTerminalEvent, compartment: Compartment | None) -> bool:
    """The door opening this alarm goes with raised a forced-door alarm itself when it was applied."""
    door_seq = cmd.body.get("door_seq")
    if not isinstance(door_seq, int) or compartment is None:
        return False
    opening: Any = await uow.terminal_events.applied(cmd.locker_id, door_seq)
    return (
        isinstance(opening, dict)
        and opening.get("outcome") == "forced_door"
        and opening.get("compartment_number") == compartment.number
    )


async def _keep_out_of_allocation(uow: UnitOfWork, env: Env, cmd: ApplyTerminalEvent, compartment: Compartment) -> None:
    """A free compartment whose lock does not open is not given to the next courier. One that holds a parcel or
    is being filled stays as it is: the pickup or the courier's report settles it."""
    if compartment.state is CompartmentState.FREE:
        compartment.take_out_of_order(env.clock.now(), cmd.by.actor, "lock did not open")
        await uow.compartments.save(compartment)


async def _compartment(uow: UnitOfWork, locker_id: str, number: int) -> Compartment:
    compartment = await uow.compartments.by_number(locker_id, number)
    if compartment is None:
        raise NotFound(f"locker {locker_id} has no compartment {number}")
    return compartment


def _number(body: dict[str, Any]) -> int:
    number = body.get("compartment")
    if not isinstance(number, int) or isinstance(number, bool) or not 1 <= number <= 100_000:
        raise InvalidInput("compartment is the number shown on the door")
    return number


def _number_of(compartment: Compartment | None) -> int | None:
    return None if compartment is None else compartment.number


def _door_state(body: dict[str, Any]) -> DoorState:
    try:
        return DoorState(str(body.get("state")))
    except ValueError:
        raise InvalidInput("state is open or closed") from None
