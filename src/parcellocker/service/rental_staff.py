"""Staff (an operator, or a company's reception for its own rentals) looking at rentals, taking a compartment back,
and collecting what a renter left behind."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from parcellocker.domain.accounts import Principal, Role
from parcellocker.domain.audit import AuditRecord
from parcellocker.domain.compartment import DoorState
from parcellocker.domain.errors import Conflict, NotFound
from parcellocker.domain.rental import Rental, RentalState
from parcellocker.service.context import Env
from parcellocker.service.permissions import require_role
from parcellocker.service.ports import UnitOfWork
from parcellocker.service.rental_compartments import release_compartment
from parcellocker.service.rental_payments import cancel_unpaid
from parcellocker.service.terminal_commands import OPENING_LIFETIME, CommandKind
from parcellocker.service.terminal_sync import TerminalCommand, link_records


@dataclass(frozen=True, slots=True)
class GetRental:
    by: Principal
    rental_id: str


async def get_rental(cmd: GetRental, uow: UnitOfWork, env: Env) -> Rental:
    return await _visible(uow, cmd.by, cmd.rental_id)


@dataclass(frozen=True, slots=True)
class ListRentals:
    by: Principal
    locker_id: str | None = None
    states: Collection[RentalState] | None = None
    limit: int = 200


async def list_rentals(cmd: ListRentals, uow: UnitOfWork, env: Env) -> list[Rental]:
    """Operators see every rental; a company those it booked or assigned."""
    require_role(cmd.by, Role.OPERATOR, Role.COMPANY)
    account_id = cmd.by.id if cmd.by.role is Role.COMPANY else None
    return await uow.rentals.listed(locker_id=cmd.locker_id, account_id=account_id, states=cmd.states, limit=cmd.limit)


@dataclass(frozen=True, slots=True)
class TakeBack:
    by: Principal
    rental_id: str


async def take_back(cmd: TakeBack, uow: UnitOfWork, env: Env) -> Rental:
    """End a rental now, whatever its window: one not yet paid or never opened is cancelled, one handed over ends
    and its compartment is free again (refused while its door is open). Its code stops working at once. What was
    paid is not refunded here."""
    rental = await _visible(uow, cmd.by, cmd.rental_id)
    now, actor = env.clock.now(), cmd.by.actor
    if rental.state is RentalState.AWAITING_PAYMENT:
        await cancel_unpaid(uow, env, rental, actor, "taken back by staff before it was paid")
    elif rental.state is RentalState.BOOKED:
        rental.cancel(now, actor, "taken back by staff before its first opening")
        await uow.rentals.save(rental)
        await release_compartment(uow, env, rental, actor, "rental taken back")
    elif rental.handed_over:
        compartment = await uow.compartments.get(rental.compartment_id)
        if compartment is not None and compartment.door is DoorState.OPEN:
            raise Conflict(f"the door of compartment {compartment.number} is open; take it back once it is closed")
        rental.end(now, actor, "taken back by staff")
        await uow.rentals.save(rental)
        await release_compartment(uow, env, rental, actor, "rental taken back")
    else:
        raise Conflict(f"this rental is {rental.state.value} already")
    await uow.audit.append(AuditRecord(now, str(actor), "rental.taken_back", rental.id, {}))
    return rental


@dataclass(frozen=True, slots=True)
class CollectRental:
    by: Principal
    rental_id: str


@dataclass(frozen=True, slots=True)
class CollectionOpened:
    rental: Rental
    command: TerminalCommand
    """The terminal's open_compartment command, followed like any other (GET …/commands/{id})."""


async def collect_rental(cmd: CollectRental, uow: UnitOfWork, env: Env) -> CollectionOpened:
    """Open a rented compartment from afar for the staff to take its contents out: one left for them past its end,
    or one in use that staff empty. The rental ends when the door closes again."""
    rental = await _visible(uow, cmd.by, cmd.rental_id)
    if not rental.handed_over:
        raise Conflict(f"rental {rental.id} has no compartment with anything in it ({rental.state.value})")
    compartment = await uow.compartments.get(rental.compartment_id)
    assert compartment is not None
    now, actor = env.clock.now(), cmd.by.actor
    compartment.open_for_renter(rental.id, now, actor)
    rental.open_last_time(now, actor, "opened for the staff to collect the contents")
    await uow.compartments.save(compartment)
    await uow.rentals.save(rental)
    body = {"compartment": compartment.number}
    command = await link_records(uow).terminal_commands.add(
        rental.locker_id, CommandKind.OPEN_COMPARTMENT.value, body, str(actor), now, now + OPENING_LIFETIME
    )
    details = {"rental": rental.id, "command": str(command.id)}
    await uow.audit.append(AuditRecord(now, str(actor), "rental.collection_opened", compartment.id, details))
    return CollectionOpened(rental, command)


async def _visible(uow: UnitOfWork, by: Principal, rental_id: str) -> Rental:
    require_role(by, Role.OPERATOR, Role.COMPANY)
    rental = await uow.rentals.get(rental_id)
    if rental is None or (by.role is Role.COMPANY and rental.account_id != by.id):
        raise NotFound(f"there is no rental {rental_id}")
    return rental
