"""Sending from a locker, and returns (the `dropped_off` flow of DESIGN §3).

A carrier has a drop-off code issued for a parcel that its sender (or a customer returning it) will put into a
locker: the code goes to the sender by e-mail or SMS through the outbox, and is kept only as its HMAC. At the locker
the code opens a free compartment the parcel fits, claimed as race-safely as a courier's deposit and in the carrier's
share; the door closing on the parcel makes it `dropped_off` (service/door_events.py), on the collection list of
the carrier's couriers there. A wrong code counts toward the same lockout as wrong pickup codes.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import NoReturn

from parcellocker.domain.accounts import Principal, Role
from parcellocker.domain.codes import (
    generate_pickup_code,
    hash_pickup_code,
    locker_code_key_purpose,
    normalise_entered_code,
)
from parcellocker.domain.errors import Conflict, InvalidInput, PickupCodeNotFound
from parcellocker.domain.lockout import Lockout
from parcellocker.domain.notices import Notice
from parcellocker.domain.shipment import Recipient, Shipment, ShipmentKind
from parcellocker.domain.sizes import ParcelSpec
from parcellocker.service.context import Env
from parcellocker.service.deposits import (
    CompartmentOpened,
    DepositProblem,
    move_to_another_compartment,
    open_fitting_compartment,
)
from parcellocker.service.permissions import require_role, require_terminal_of
from parcellocker.service.pickups import WrongPickupCode
from parcellocker.service.ports import UnitOfWork
from parcellocker.service.recipient_messages import tell_recipient
from parcellocker.service.shipments import check_locker_fits
from parcellocker.service.wrong_codes import CodeTry, count_wrong_code, forgive, unlocked_record

MAX_VALIDITY = timedelta(days=90)
"""The longest a drop-off code may be issued for."""


class WrongDropoffCode(WrongPickupCode):
    """Says only "not found", like a wrong pickup code, with the tries left before the locker makes people wait:
    both count toward one lockout."""

    code = "dropoff_code_not_found"

    def __init__(self, remaining_tries: int) -> None:
        PickupCodeNotFound.__init__(
            self, "no parcel to send waits for this drop-off code here; check the code in your message"
        )
        self.remaining_tries = remaining_tries


@dataclass(frozen=True, slots=True)
class IssueDropoffCode:
    by: Principal
    tracking_number: str
    locker_id: str
    parcel: ParcelSpec
    sender: Recipient
    """Whom the code is sent to: the sender, or the customer returning the parcel."""
    kind: ShipmentKind = ShipmentKind.SEND
    valid_for: timedelta | None = None
    """How long the code works; the server's policy (`dropoff_code_validity`) when None."""


async def issue_dropoff_code(cmd: IssueDropoffCode, uow: UnitOfWork, env: Env) -> Shipment:
    """The shipment of a parcel to send or return from `locker_id`, `announced` with a fresh drop-off code, unique
    among the locker's live codes; the code is queued for the sender in the same unit of work."""
    require_role(cmd.by, Role.CARRIER)
    assert cmd.by.carrier_id is not None
    valid_for = cmd.valid_for if cmd.valid_for is not None else env.policy.dropoff_code_validity
    if not timedelta(0) < valid_for <= MAX_VALIDITY:
        raise InvalidInput(f"a drop-off code is valid for more than no time and at most {MAX_VALIDITY.days} days")
    await check_locker_fits(uow, cmd.locker_id, cmd.parcel)
    now = env.clock.now()
    code, code_hash = await _unused_code(uow, env, cmd.locker_id)
    shipment = Shipment.announce_dropoff(
        shipment_id=str(uuid.uuid4()),
        tracking_number=cmd.tracking_number,
        carrier_id=cmd.by.carrier_id,
        locker_id=cmd.locker_id,
        parcel=cmd.parcel,
        sender=cmd.sender,
        kind=cmd.kind,
        code_hash=code_hash,
        code_expires_at=now + valid_for,
        at=now,
        actor=cmd.by.actor,
    )
    await uow.shipments.add(shipment)
    await tell_recipient(uow, env, shipment, Notice.DROPOFF_CODE, {"code": code})
    return shipment


@dataclass(frozen=True, slots=True)
class DropOffParcel(CodeTry):
    by: Principal  # the locker's terminal, for the sender in front of it
    locker_id: str
    code: str
    reachable: bool = False
    """The sender asks for a compartment within reach (the kiosk's accessibility mode)."""


async def drop_off_parcel(cmd: DropOffParcel, uow: UnitOfWork, env: Env) -> CompartmentOpened:
    """The compartment to open for the parcel of this drop-off code; the same one when the code is typed again
    while it is open. `dropped_off` once its door closes."""
    require_terminal_of(cmd.by, cmd.locker_id)
    shipment = await _shipment_of_code(uow, env, cmd.by, cmd.locker_id, cmd.code)
    if shipment.deposit_in_progress:
        assert shipment.compartment_id is not None
        compartment = await uow.compartments.get(shipment.compartment_id)
        assert compartment is not None
        return CompartmentOpened(shipment, compartment)
    if cmd.reachable:
        shipment.ask_for_reachable_height()
    sizes = await uow.lockers.sizes(cmd.locker_id)
    assert sizes is not None
    fitting = shipment.parcel.fitting_sizes(sizes.inner_dimensions)
    return await open_fitting_compartment(uow, env, cmd.by, shipment, fitting)


@dataclass(frozen=True, slots=True)
class ReportDropoffProblem(CodeTry):
    by: Principal  # the locker's terminal
    locker_id: str
    code: str
    problem: DepositProblem


async def report_dropoff_problem(cmd: ReportDropoffProblem, uow: UnitOfWork, env: Env) -> CompartmentOpened:
    """The parcel does not fit its compartment (one of the next size up opens) or the door did not open (it goes
    out of order with an alarm, and another opens)."""
    require_terminal_of(cmd.by, cmd.locker_id)
    shipment = await _shipment_of_code(uow, env, cmd.by, cmd.locker_id, cmd.code)
    return await move_to_another_compartment(uow, env, cmd.by, shipment, cmd.problem)


async def _shipment_of_code(uow: UnitOfWork, env: Env, by: Principal, locker_id: str, code: str) -> Shipment:
    """The parcel whose drop-off code is `code` and still works here; a wrong code counts (WrongDropoffCode)."""
    lockout = await unlocked_record(uow, env, locker_id)
    try:
        entered = normalise_entered_code(code)
    except InvalidInput:
        raise InvalidInput("a drop-off code is 6 to 8 digits") from None
    code_hash = hash_pickup_code(env.keys.derive(locker_code_key_purpose(locker_id)), entered)
    shipment = await uow.shipments.by_dropoff_code(locker_id, code_hash)
    if shipment is None or not shipment.can_be_dropped_off(env.clock.now()):
        await _refuse(uow, env, by, locker_id, lockout)
    await forgive(uow, lockout)
    return shipment


async def _refuse(uow: UnitOfWork, env: Env, by: Principal, locker_id: str, lockout: Lockout) -> NoReturn:
    raise WrongDropoffCode(await count_wrong_code(uow, env, by, locker_id, lockout))


async def _unused_code(uow: UnitOfWork, env: Env, locker_id: str) -> tuple[str, str]:
    """A code no live pickup or drop-off code of the locker has (the database's unique index on drop-off codes
    catches a concurrent twin: the unit of work is then run again, with another code)."""
    key = env.keys.derive(locker_code_key_purpose(locker_id))
    for _ in range(50):
        code = generate_pickup_code(env.policy.code_length)
        code_hash = hash_pickup_code(key, code)
        if await uow.shipments.by_dropoff_code(locker_id, code_hash) is None and not (
            await uow.shipments.pickup_code_in_use(locker_id, code_hash)
        ):
            return code, code_hash
    raise Conflict(f"locker {locker_id} has too many live codes for {env.policy.code_length}-digit codes")
