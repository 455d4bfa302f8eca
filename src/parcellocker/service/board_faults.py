"""A lock-control board the terminal cannot talk to (silent, or answering garbage): its free compartments are not
offered while it is faulted, an alarm tells the operator, and they come back into service when it answers again.

Only compartments that were free are taken out: one being filled or holding a parcel stays as it is (its door
events, or the courier's "door did not open", settle it). Only compartments taken out for this reason come back.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from parcellocker.domain.alarms import Alarm, AlarmKind
from parcellocker.domain.audit import AuditRecord
from parcellocker.domain.compartment import Compartment, CompartmentState
from parcellocker.domain.errors import InvalidInput, NotFound
from parcellocker.domain.events import Actor
from parcellocker.service.ports import UnitOfWork

MAX_BOARD = 255


def silent_board_reason(board: int) -> str:
    return f"board {board} is not answering"


def board_of(body: dict[str, Any]) -> int:
    board = body.get("board")
    if not isinstance(board, int) or isinstance(board, bool) or not 0 <= board <= MAX_BOARD:
        raise InvalidInput(f"board is the address of a lock-control board, 0 to {MAX_BOARD}")
    return board


async def board_faulted(
    uow: UnitOfWork, locker_id: str, board: int, at: datetime, now: datetime, actor: Actor, message: str
) -> list[int]:
    """Take the board's free compartments out of order and raise an alarm; the numbers taken out."""
    reason = silent_board_reason(board)
    taken = []
    for compartment in await _compartments_of(uow, locker_id, board):
        if compartment.state is CompartmentState.FREE:
            compartment.take_out_of_order(now, actor, reason)
            await uow.compartments.save(compartment)
            taken.append(compartment.number)
    await uow.alarms.add(Alarm(str(uuid.uuid4()), locker_id, AlarmKind.OUT_OF_ORDER, at, message[:500]))
    details = {"board": str(board), "compartments": ",".join(map(str, taken)), "at_terminal": at.isoformat()}
    await uow.audit.append(AuditRecord(now, str(actor), "alarm.board_faulted", locker_id, details))
    return taken


async def board_recovered(
    uow: UnitOfWork, locker_id: str, board: int, at: datetime, now: datetime, actor: Actor
) -> list[int]:
    """Return to service the board's compartments taken out because it was silent; the numbers returned."""
    reason = silent_board_reason(board)
    returned = []
    for compartment in await _compartments_of(uow, locker_id, board):
        if compartment.state is CompartmentState.OUT_OF_ORDER and compartment.out_of_order_reason == reason:
            compartment.return_to_service(now, actor)
            await uow.compartments.save(compartment)
            returned.append(compartment.number)
    details = {"board": str(board), "compartments": ",".join(map(str, returned)), "at_terminal": at.isoformat()}
    await uow.audit.append(AuditRecord(now, str(actor), "board.recovered", locker_id, details))
    return returned


async def _compartments_of(uow: UnitOfWork, locker_id: str, board: int) -> list[Compartment]:
    locker = await uow.lockers.get(locker_id)
    if locker is None:
        raise NotFound(f"no locker {locker_id}")
    return [compartment for compartment in locker.compartments if compartment.board == board]
