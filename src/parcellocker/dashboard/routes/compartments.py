"""One compartment: what it holds and what happened to it, and what an operator may do to it (out of order and
back, open its door from afar) with the outcome of an opening as the terminal reports it."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import JSONResponse, Response

from parcellocker.dashboard import PREFIX
from parcellocker.dashboard.actions import carried_out
from parcellocker.dashboard.deps import Dashboard, DashboardDep, LockerId, PostedFormDep, SessionDep, text_field
from parcellocker.dashboard.pages import local_time
from parcellocker.dashboard.session import OperatorSession
from parcellocker.service.locker_grid import CompartmentCard, ReadCompartmentCard, read_compartment_card
from parcellocker.service.maintenance import (
    ReturnCompartmentToService,
    TakeCompartmentOutOfOrder,
    return_compartment_to_service,
    take_compartment_out_of_order,
)
from parcellocker.service.remote_openings import ReadRemoteOpening, RemoteOpening, read_remote_opening
from parcellocker.service.terminal_commands import CommandKind, CommandOutcome, QueueCommand, queue_command
from parcellocker.service.terminal_sync import TerminalCommand

router = APIRouter()

Number = Annotated[int, Path(ge=1, le=100_000)]


def page_of(locker_id: str, number: int) -> str:
    return f"{PREFIX}/lockers/{locker_id}/compartments/{number}"


@router.get("/lockers/{locker_id}/compartments/{number}")
async def read_compartment(
    request: Request,
    locker_id: LockerId,
    number: Number,
    dashboard: DashboardDep,
    session: SessionDep,
    command: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    """`command`: a remote opening of this compartment, whose outcome the page shows (and follows, with script)."""
    query = ReadCompartmentCard(session.principal, locker_id, number)
    card: CompartmentCard = await dashboard.services.read(read_compartment_card, query)
    opening = None
    if command is not None:
        found = await _opening(dashboard, session, locker_id, command)
        if found.compartment_number == number:
            opening = {"id": command, **progress_of(found, dashboard.services.env.clock.now())}
    context = {"card": card, "locker": card.locker, "cell": card.cell, "opening": opening, "section": "lockers"}
    return dashboard.page(request, "compartment.html", context, session)


@router.get("/lockers/{locker_id}/openings/{command_id}")
async def read_opening_progress(
    locker_id: LockerId, command_id: Annotated[int, Path(ge=1)], dashboard: DashboardDep, session: SessionDep
) -> JSONResponse:
    """How a remote opening is getting on, for the page's script: {status, text, finished}."""
    found = await _opening(dashboard, session, locker_id, command_id)
    progress = progress_of(found, dashboard.services.env.clock.now())
    return JSONResponse(progress, headers={"Cache-Control": "no-store"})


@router.post("/lockers/{locker_id}/compartments/{number}/out-of-order")
async def create_out_of_order(
    locker_id: LockerId, number: Number, form: PostedFormDep, dashboard: DashboardDep, session: SessionDep
) -> Response:
    command = TakeCompartmentOutOfOrder(session.principal, locker_id, number, text_field(form, "reason"))
    return await carried_out(
        page_of(locker_id, number),
        dashboard.services.run(take_compartment_out_of_order, command, lambda done: done),
        lambda compartment: f"Compartment {compartment.number} is out of order: no parcel will be put in it.",
    )


@router.post("/lockers/{locker_id}/compartments/{number}/return-to-service")
async def create_return_to_service(
    locker_id: LockerId, number: Number, form: PostedFormDep, dashboard: DashboardDep, session: SessionDep
) -> Response:
    command = ReturnCompartmentToService(session.principal, locker_id, number)
    return await carried_out(
        page_of(locker_id, number),
        dashboard.services.run(return_compartment_to_service, command, lambda done: done),
        lambda compartment: f"Compartment {compartment.number} is back in service.",
    )


@router.post("/lockers/{locker_id}/compartments/{number}/open")
async def create_opening(
    locker_id: LockerId, number: Number, form: PostedFormDep, dashboard: DashboardDep, session: SessionDep
) -> Response:
    """Queues the terminal's `open_compartment` command (audited), then shows how it gets on."""
    command = QueueCommand(session.principal, locker_id, CommandKind.OPEN_COMPARTMENT, {"compartment": number})

    async def queued() -> TerminalCommand:
        done: TerminalCommand = await dashboard.services.run(queue_command, command, lambda done: done)
        dashboard.command_queued(locker_id)
        return done

    return await carried_out(
        page_of(locker_id, number),
        queued(),
        lambda _: f"The terminal was asked to open compartment {number}.",
        then=lambda done: f"{page_of(locker_id, number)}?command={done.id}",
    )


async def _opening(dashboard: Dashboard, session: OperatorSession, locker_id: str, command_id: int) -> RemoteOpening:
    query = ReadRemoteOpening(session.principal, locker_id, command_id)
    found: RemoteOpening = await dashboard.services.read(read_remote_opening, query)
    return found


def progress_of(opening: RemoteOpening, now: datetime) -> dict[str, Any]:
    """Where a remote opening stands, in words for the operator."""
    command, timezone = opening.command, opening.timezone
    if command.acknowledged_at is None:
        if command.expires_at is not None and now >= command.expires_at:
            text = "The terminal did not take the command in time, so the door was not opened. Try again."
            return {"status": "expired", "text": text, "finished": True}
        return {"status": "waiting", "text": "Waiting for the terminal to open the door…", "finished": False}
    at = local_time(command.acknowledged_at, timezone, with_seconds=True)
    detail = f": {command.detail}" if command.detail else ""
    texts = {
        CommandOutcome.DONE.value: f"The terminal opened the door at {at}.",
        CommandOutcome.FAILED.value: f"The door did not open{detail} (reported at {at}).",
        CommandOutcome.EXPIRED.value: f"The command reached the terminal too late; the door was not opened ({at}).",
        CommandOutcome.INTERRUPTED.value: f"The terminal stopped while opening the door; it will not retry ({at}).",
    }
    outcome = command.outcome or "done"
    text = texts.get(outcome, f"The terminal said {outcome}{detail} ({at}).")
    return {"status": outcome, "text": text, "finished": True}
