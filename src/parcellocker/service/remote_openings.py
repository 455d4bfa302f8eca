"""Following a door an operator had opened from afar: the terminal's `open_compartment` command and its outcome."""

from __future__ import annotations

from dataclasses import dataclass

from parcellocker.domain.accounts import Principal, Role
from parcellocker.domain.errors import NotFound
from parcellocker.service.context import Env
from parcellocker.service.permissions import require_role
from parcellocker.service.ports import UnitOfWork
from parcellocker.service.terminal_commands import CommandKind
from parcellocker.service.terminal_sync import TerminalCommand, link_records


@dataclass(frozen=True, slots=True)
class RemoteOpening:
    command: TerminalCommand
    compartment_number: int
    timezone: str
    """The locker's, to tell the times in."""


@dataclass(frozen=True, slots=True)
class ReadRemoteOpening:
    by: Principal
    locker_id: str
    command_id: int


async def read_remote_opening(cmd: ReadRemoteOpening, uow: UnitOfWork, env: Env) -> RemoteOpening:
    require_role(cmd.by, Role.OPERATOR)
    command = await link_records(uow).terminal_commands.get(cmd.locker_id, cmd.command_id)
    locker = await uow.lockers.get(cmd.locker_id, with_compartments=False)
    if command is None or locker is None or command.kind != CommandKind.OPEN_COMPARTMENT:
        raise NotFound(f"locker {cmd.locker_id} has no opening {cmd.command_id}")
    return RemoteOpening(command, int(command.body["compartment"]), locker.timezone)
