"""Commands for a locker's terminal: queued by operators, fetched by the terminal and acknowledged by it with
their outcome."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Any

from parcellocker.domain.accounts import Principal, Role
from parcellocker.domain.audit import AuditRecord
from parcellocker.domain.errors import InvalidInput, NotFound
from parcellocker.service.context import Env
from parcellocker.service.permissions import require_role, require_terminal_of
from parcellocker.service.ports import UnitOfWork
from parcellocker.service.terminal_sync import TerminalCommand, TerminalLinkUnitOfWork, link_records


class CommandKind(StrEnum):
    OPEN_COMPARTMENT = "open_compartment"
    """body: compartment. Opened for service: the door opening is expected, nothing is stored or picked up."""
    SYNC_CODES = "sync_codes"
    """Fetch the code sheet now."""
    SET_CONFIG = "set_config"
    """body: settings, a mapping of some of CONFIG_LIMITS to numbers; kept by the terminal across restarts."""


class CommandOutcome(StrEnum):
    DONE = "done"
    FAILED = "failed"
    EXPIRED = "expired"
    INTERRUPTED = "interrupted"
    """The terminal stopped while carrying it out; it is not tried again."""


CONFIG_LIMITS: dict[str, tuple[float, float]] = {
    "poll_interval": (0.05, 10.0),
    "left_open_after": (1.0, 3600.0),
    "opening_grace": (1.0, 600.0),
    "code_sync_interval": (5.0, 86400.0),
}
"""The settings a `set_config` command may change, with their smallest and largest values (seconds)."""

OPENING_LIFETIME = timedelta(minutes=2)
"""A door opened from afar is opened only soon after it was asked for, never when a terminal comes back later."""
MAX_PENDING = 20


@dataclass(frozen=True, slots=True)
class QueueCommand:
    by: Principal
    locker_id: str
    kind: CommandKind
    body: dict[str, Any] = dataclasses.field(default_factory=dict)
    expires_in: timedelta | None = None
    """None: open_compartment commands expire after OPENING_LIFETIME, the others never."""


async def queue_command(cmd: QueueCommand, uow: UnitOfWork, env: Env) -> TerminalCommand:
    """A sync_codes command still waiting is given back instead of queueing a second one."""
    require_role(cmd.by, Role.OPERATOR)
    links = link_records(uow)
    if not await uow.lockers.exists(cmd.locker_id):
        raise NotFound(f"there is no locker {cmd.locker_id}")
    now = env.clock.now()
    if cmd.kind is CommandKind.SYNC_CODES:
        waiting = await links.terminal_commands.pending(cmd.locker_id, 0, now, MAX_PENDING)
        if same := next((c for c in waiting if c.kind == CommandKind.SYNC_CODES), None):
            return same
    body = await _checked_body(uow, env, cmd)
    lifetime = cmd.expires_in or (OPENING_LIFETIME if cmd.kind is CommandKind.OPEN_COMPARTMENT else None)
    if lifetime is not None and lifetime <= timedelta(0):
        raise InvalidInput("a command must live for some time before it expires")
    expires_at = None if lifetime is None else now + lifetime
    command = await links.terminal_commands.add(cmd.locker_id, cmd.kind.value, body, str(cmd.by.actor), now, expires_at)
    await uow.audit.append(
        AuditRecord(now, str(cmd.by.actor), "terminal.command_queued", cmd.locker_id, {"command": str(command.id)})
    )
    return command


async def ask_terminal_to_sync_codes(uow: UnitOfWork, env: Env, locker_id: str, by: str) -> None:
    """Have the locker's terminal fetch its code sheet soon, because a code died or a deadline moved (its periodic
    sync would catch up only later); a sync already waiting is enough. A unit of work without the terminal link's
    records (the in-memory one of the use-case tests) has no terminal to tell."""
    if not isinstance(uow, TerminalLinkUnitOfWork):
        return
    now = env.clock.now()
    waiting = await uow.terminal_commands.pending(locker_id, 0, now, MAX_PENDING)
    if not any(command.kind == CommandKind.SYNC_CODES for command in waiting):
        await uow.terminal_commands.add(locker_id, CommandKind.SYNC_CODES.value, {}, by, now, None)


async def _checked_body(uow: UnitOfWork, env: Env, cmd: QueueCommand) -> dict[str, Any]:
    """The command's body, checked; an opening is expected by the compartment from now on (no forced-door alarm)."""
    if cmd.kind is CommandKind.OPEN_COMPARTMENT:
        number = cmd.body.get("compartment")
        if not isinstance(number, int) or isinstance(number, bool):
            raise InvalidInput("open_compartment needs the compartment number")
        compartment = await uow.compartments.by_number(cmd.locker_id, number)
        if compartment is None:
            raise NotFound(f"locker {cmd.locker_id} has no compartment {number}")
        compartment.open_for_service(env.clock.now(), cmd.by.actor)
        await uow.compartments.save(compartment)
        return {"compartment": number}
    if cmd.kind is CommandKind.SET_CONFIG:
        return {"settings": checked_settings(cmd.body.get("settings"))}
    return {}


def checked_settings(settings: Any) -> dict[str, float]:
    """The settings of a set_config command, each known and within its limits."""
    if not isinstance(settings, dict) or not settings:
        raise InvalidInput(f"set_config needs settings: some of {', '.join(CONFIG_LIMITS)}")
    checked: dict[str, float] = {}
    for name, value in settings.items():
        if name not in CONFIG_LIMITS:
            raise InvalidInput(f"{name!r} cannot be set; settable: {', '.join(CONFIG_LIMITS)}")
        low, high = CONFIG_LIMITS[name]
        if not isinstance(value, int | float) or isinstance(value, bool) or not low <= value <= high:
            raise InvalidInput(f"{name} is a number of seconds from {low:g} to {high:g}")
        checked[name] = float(value)
    return checked


@dataclass(frozen=True, slots=True)
class ReadPendingCommands:
    by: Principal
    locker_id: str
    after: int = 0


async def read_pending_commands(cmd: ReadPendingCommands, uow: UnitOfWork, env: Env) -> list[TerminalCommand]:
    require_terminal_of(cmd.by, cmd.locker_id)
    return await link_records(uow).terminal_commands.pending(cmd.locker_id, cmd.after, env.clock.now(), MAX_PENDING)


@dataclass(frozen=True, slots=True)
class AcknowledgeCommand:
    by: Principal
    locker_id: str
    command_id: int
    outcome: CommandOutcome
    detail: str | None = None


async def acknowledge_command(cmd: AcknowledgeCommand, uow: UnitOfWork, env: Env) -> TerminalCommand:
    """The first acknowledgement of a command is kept; a repeated one changes nothing."""
    require_terminal_of(cmd.by, cmd.locker_id)
    queue = link_records(uow).terminal_commands
    command = await queue.get(cmd.locker_id, cmd.command_id)
    if command is None:
        raise NotFound(f"locker {cmd.locker_id} has no command {cmd.command_id}")
    if command.acknowledged_at is not None:
        return command
    detail = None if cmd.detail is None else cmd.detail[:500]
    acknowledged = dataclasses.replace(
        command, acknowledged_at=env.clock.now(), outcome=cmd.outcome.value, detail=detail
    )
    await queue.acknowledge(acknowledged)
    if command.kind == CommandKind.OPEN_COMPARTMENT and cmd.outcome is not CommandOutcome.DONE:
        compartment = await uow.compartments.by_number(cmd.locker_id, int(command.body["compartment"]))
        if compartment is not None and compartment.pending is not None:
            compartment.end_service()  # the door was not opened: an opening now would be forced again
            await uow.compartments.save(compartment)
    return acknowledged


@dataclass(frozen=True, slots=True)
class ReadCommand:
    by: Principal
    locker_id: str
    command_id: int


async def read_command(cmd: ReadCommand, uow: UnitOfWork, env: Env) -> TerminalCommand:
    require_role(cmd.by, Role.OPERATOR)
    command = await link_records(uow).terminal_commands.get(cmd.locker_id, cmd.command_id)
    if command is None:
        raise NotFound(f"locker {cmd.locker_id} has no command {cmd.command_id}")
    return command
