"""The HTTP link of a locker's terminal: it says hello, fetches its code sheet, reports events (each applied once by
its seq) and long-polls for the commands queued for it; operators queue commands and read their outcome."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request

from parcellocker.api.deps import CallDep, PrincipalDep, ServicesDep, TerminalSightingsDep
from parcellocker.api.schemas.errors import error_responses
from parcellocker.api.schemas.lockers import LockerIdPath
from parcellocker.api.schemas.terminal_link import (
    CodeSheetPublic,
    CommandAcknowledgementCreate,
    LinkGreetingPublic,
    TerminalCommandCreate,
    TerminalCommandPublic,
    TerminalEventCreate,
    TerminalEventPublic,
)
from parcellocker.service.terminal_commands import (
    AcknowledgeCommand,
    QueueCommand,
    ReadCommand,
    ReadPendingCommands,
    acknowledge_command,
    queue_command,
    read_command,
    read_pending_commands,
)
from parcellocker.service.terminal_sync import (
    ApplyTerminalEvent,
    CodeSheet,
    GreetTerminal,
    LinkGreeting,
    ReadCodeSheet,
    TerminalCommand,
    apply_terminal_event,
    greet_terminal,
    read_code_sheet,
)
from parcellocker.wakeups import woken_within

RECHECK_SECONDS = 1.0
"""A waiting long-poll looks at the queue again this often, for commands queued by another server process."""

router = APIRouter(prefix="/lockers/{locker_id}", tags=["terminal link"])


class CommandBell:
    """Wakes the long-polls of a locker's terminal in this process as soon as a command is queued for it."""

    def __init__(self) -> None:
        self._bells: dict[str, asyncio.Event] = {}
        self.listeners: list[Callable[[str], None]] = []
        """Also told of each command queued (the MQTT bridge publishes it)."""

    def bell(self, locker_id: str) -> asyncio.Event:
        """Take the bell before looking at the queue, so a command queued in between still rings it."""
        return self._bells.setdefault(locker_id, asyncio.Event())

    def ring(self, locker_id: str) -> None:
        bell = self._bells.pop(locker_id, None)
        if bell is not None:
            bell.set()
        for listener in self.listeners:
            listener(locker_id)


def get_command_bell(request: Request) -> CommandBell:
    bell: CommandBell = request.app.state.command_bell
    return bell


CommandBellDep = Annotated[CommandBell, Depends(get_command_bell)]
CommandIdPath = Annotated[int, Path(ge=1, description="The command's id.")]


@router.get(
    "/link",
    response_model=LinkGreetingPublic,
    responses=error_responses(401, 403),
    summary="Say hello: the last event seq applied, the QR public key (terminal)",
)
async def read_link_greeting(locker_id: LockerIdPath, services: ServicesDep, principal: PrincipalDep) -> Any:
    greeting: LinkGreeting = await services.read(greet_terminal, GreetTerminal(principal, locker_id))
    return LinkGreetingPublic.from_domain(greeting).model_dump(mode="json")


@router.get(
    "/codes",
    response_model=CodeSheetPublic,
    responses=error_responses(401, 403),
    summary="The code sheet for offline pickups (terminal)",
)
async def read_codes(locker_id: LockerIdPath, services: ServicesDep, principal: PrincipalDep) -> Any:
    """The locker's code key, the QR public key, and every live (compartment, code hash, deadline, shipment)."""
    sheet: CodeSheet = await services.read(read_code_sheet, ReadCodeSheet(principal, locker_id))
    return CodeSheetPublic.from_domain(sheet).model_dump(mode="json")


@router.post(
    "/events",
    response_model=TerminalEventPublic,
    responses=error_responses(400, 401, 403, 404, 409, 422),
    summary="Report an event: a pickup done offline or an alarm (terminal)",
)
async def create_terminal_event(
    locker_id: LockerIdPath,
    event_in: TerminalEventCreate,
    call: CallDep,
) -> Any:
    """Each `seq` is applied once, whatever the kind: sending it again answers the first outcome with
    `replayed: true`. Door changes go to `door-events` (or here, as kind `door`), numbered in the same sequence."""
    command = ApplyTerminalEvent(call.principal, locker_id, event_in.seq, event_in.kind, event_in.at, event_in.body())
    return await call.run(apply_terminal_event, command, _event_public)


@router.get(
    "/commands",
    response_model=list[TerminalCommandPublic],
    responses=error_responses(401, 403, 422),
    summary="Commands waiting for this terminal, waiting up to `wait` s for one (terminal)",
)
async def read_commands(
    request: Request,
    locker_id: LockerIdPath,
    services: ServicesDep,
    principal: PrincipalDep,
    bell: CommandBellDep,
    sightings: TerminalSightingsDep,
    after: Annotated[int, Query(ge=0, description="Only commands with a higher id.")] = 0,
    wait: Annotated[float, Query(ge=0, le=60, description="Seconds to wait for a command (long poll).")] = 0,
) -> Any:
    """Unacknowledged, unexpired commands, oldest first; an empty list once `wait` s passed without one. The
    terminal counts as seen for as long as it waits (and no longer once it went away)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    while True:
        if await request.is_disconnected():  # the terminal is gone: no one to answer, and not seen any more
            return []
        await sightings.seen(principal)  # no statement unless its kept sighting is a few seconds old
        ringing = bell.bell(locker_id)
        commands: list[TerminalCommand] = await services.read(
            read_pending_commands, ReadPendingCommands(principal, locker_id, after)
        )
        remaining = deadline - loop.time()
        if commands or remaining <= 0:
            return [TerminalCommandPublic.from_domain(command).model_dump(mode="json") for command in commands]
        await woken_within(ringing, min(remaining, RECHECK_SECONDS))


@router.post(
    "/commands",
    status_code=201,
    response_model=TerminalCommandPublic,
    responses=error_responses(401, 403, 404, 422),
    summary="Queue a command for the locker's terminal (operator)",
)
async def create_command(
    locker_id: LockerIdPath,
    command_in: TerminalCommandCreate,
    call: CallDep,
    bell: CommandBellDep,
) -> Any:
    """`open_compartment` (expires after 2 minutes unless told otherwise), `sync_codes`, `set_config`."""
    expires_in = None if command_in.expires_in_seconds is None else timedelta(seconds=command_in.expires_in_seconds)
    command = QueueCommand(call.principal, locker_id, command_in.kind, command_in.body(), expires_in)
    body = await call.run(queue_command, command, _command_public)
    bell.ring(locker_id)
    return body


@router.get(
    "/commands/{command_id}",
    response_model=TerminalCommandPublic,
    responses=error_responses(401, 403, 404),
    summary="A command and its outcome (operator)",
)
async def read_one_command(
    locker_id: LockerIdPath, command_id: CommandIdPath, services: ServicesDep, principal: PrincipalDep
) -> Any:
    command: TerminalCommand = await services.read(read_command, ReadCommand(principal, locker_id, command_id))
    return _command_public(command)


@router.post(
    "/commands/{command_id}/ack",
    response_model=TerminalCommandPublic,
    responses=error_responses(401, 403, 404, 422),
    summary="Acknowledge a command with its outcome (terminal)",
)
async def create_command_acknowledgement(
    locker_id: LockerIdPath,
    command_id: CommandIdPath,
    ack_in: CommandAcknowledgementCreate,
    call: CallDep,
) -> Any:
    """The first acknowledgement is kept; acknowledging again changes nothing."""
    command = AcknowledgeCommand(call.principal, locker_id, command_id, ack_in.outcome, ack_in.detail)
    return await call.run(acknowledge_command, command, _command_public)


def _event_public(applied: dict[str, Any]) -> dict[str, Any]:
    return TerminalEventPublic.model_validate(applied).model_dump(mode="json")


def _command_public(command: TerminalCommand) -> dict[str, Any]:
    return TerminalCommandPublic.from_domain(command).model_dump(mode="json")
