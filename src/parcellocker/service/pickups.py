"""Use case of a recipient at a locker: a code or QR token opens the compartment holding the parcel."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from parcellocker.domain.accounts import Principal
from parcellocker.domain.audit import AuditRecord
from parcellocker.domain.codes import hash_pickup_code, locker_code_key_purpose, normalise_entered_code
from parcellocker.domain.compartment import Compartment, CompartmentState
from parcellocker.domain.errors import (
    Conflict,
    IllegalTransition,
    InvalidInput,
    NotFound,
    PickupCodeNotFound,
)
from parcellocker.domain.shipment import REOPEN_WINDOW, Shipment
from parcellocker.security.qr_tokens import looks_like_qr_token, read_qr_token
from parcellocker.service.context import Env
from parcellocker.service.deposits import CompartmentOpened
from parcellocker.service.permissions import require_terminal_of
from parcellocker.service.ports import UnitOfWork
from parcellocker.service.wrong_codes import (
    CodeTry,
    count_wrong_code,
    forgive,
    lockout_key,
    refuse_known_lockout,
    unlocked_record,
)


@dataclass(frozen=True, slots=True)
class PickUpParcel(CodeTry):
    by: Principal  # the locker's terminal, acting for the person in front of it
    locker_id: str
    code: str | None = None
    qr_token: str | None = None


class WrongPickupCode(PickupCodeNotFound):
    """Says only "not found", plus how many tries are left before the locker makes people wait."""

    def __init__(self, remaining_tries: int) -> None:
        super().__init__("no parcel waits here for this code; check the code in your message")
        self.remaining_tries = remaining_tries


async def pick_up_parcel(cmd: PickUpParcel, uow: UnitOfWork, env: Env) -> CompartmentOpened:
    require_terminal_of(cmd.by, cmd.locker_id)
    now = env.clock.now()
    # A lockout this process knows is refused before anything is read (as unlocked_record would). The parcel is then
    # looked up before the lockout record, so that a right code's lookup brings the record along (one round trip
    # less); nothing is decided on what it found, a refused input included, before the lockout is checked.
    refuse_known_lockout(env, cmd.locker_id)
    shipment = await _find(uow, env, cmd)
    lockout = await unlocked_record(uow, env, cmd.locker_id)
    if isinstance(shipment, InvalidInput):
        raise shipment
    if shipment is None or not shipment.can_be_picked_up(now):
        raise WrongPickupCode(await count_wrong_code(uow, env, cmd.by, cmd.locker_id, lockout))
    assert shipment.compartment_id is not None
    compartment = await uow.compartments.get(shipment.compartment_id)
    assert compartment is not None
    compartment.open_for_pickup(now, cmd.by.actor)
    await forgive(uow, lockout)
    await uow.compartments.save(compartment)
    await uow.audit.append(
        AuditRecord(
            now,
            str(cmd.by.actor),
            "compartment.opened_for_pickup",
            compartment.id,
            {"shipment": shipment.id, "by": "qr" if cmd.qr_token else "code"},
        )
    )
    return CompartmentOpened(shipment, compartment)


async def _find(uow: UnitOfWork, env: Env, cmd: PickUpParcel) -> Shipment | InvalidInput | None:
    """The parcel of the code or of the QR token; the refusal of an input that is neither (not raised: the lockout
    is checked first)."""
    if (cmd.code is None) == (cmd.qr_token is None):
        return InvalidInput("give either the pickup code or the QR token")
    if cmd.qr_token is not None:
        if not looks_like_qr_token(cmd.qr_token):
            return None
        claim = read_qr_token(env.keys.verify_key, cmd.qr_token, env.clock.now())
        if claim is None or claim.locker_id != cmd.locker_id:
            return None
        return await uow.shipments.get(claim.shipment_id)
    assert cmd.code is not None
    try:
        entered = normalise_entered_code(cmd.code)
    except InvalidInput as refused:
        return refused
    locker_key = env.keys.derive(locker_code_key_purpose(cmd.locker_id))
    code_hash = hash_pickup_code(locker_key, entered)
    return await uow.shipments.by_pickup_code(cmd.locker_id, code_hash, lockout_key=lockout_key(cmd.locker_id))


REOPEN_HISTORY = 20
"""How many of a compartment's newest transitions are searched for the deposit of the parcel just picked up: after
it come the door closing on it, the pickup's opening and closing and a few reopenings, far fewer than this."""

REOPEN_GRACE = timedelta(seconds=5)
"""Added to the domain's window on the server: the terminal counts the window from the door's close it saw, the
server from when that close reached it, and the request to reopen takes a moment to arrive."""


class ReopenRefused(Conflict):
    code = "reopen_refused"


@dataclass(frozen=True, slots=True)
class ReopenAfterPickup:
    by: Principal  # the locker's terminal, for the person who has just taken their parcel out
    locker_id: str
    shipment_id: str
    compartment_number: int


async def reopen_after_pickup(cmd: ReopenAfterPickup, uow: UnitOfWork, env: Env) -> Compartment:
    """Open a compartment again for the person who picked a parcel up from it moments ago and forgot something.

    Refused unless the shipment was picked up at this locker within the reopen window, and the compartment is
    free, closed and has no opening under way: then nobody else's parcel is in it or on its way into it. The
    terminal says which compartment it opened for that pickup, and the server checks in the compartment's history
    that the last deposit into it was of that shipment (no other carrier's compartment opens this way). The
    opening is then expected, so no forced-door alarm."""
    require_terminal_of(cmd.by, cmd.locker_id)
    now = env.clock.now()
    shipment = await uow.shipments.get(cmd.shipment_id)
    if shipment is None or shipment.locker_id != cmd.locker_id:
        raise NotFound(f"no parcel {cmd.shipment_id} was picked up at locker {cmd.locker_id}")
    if not shipment.may_reopen_after_pickup(now, REOPEN_WINDOW + REOPEN_GRACE):
        raise ReopenRefused(
            f"parcel {shipment.tracking_number} was not picked up in the last {REOPEN_WINDOW.seconds} seconds"
        )
    compartment = await uow.compartments.by_number(cmd.locker_id, cmd.compartment_number)
    if compartment is None:
        raise NotFound(f"locker {cmd.locker_id} has no compartment {cmd.compartment_number}")
    try:
        compartment.open_again_after_pickup(now, cmd.by.actor)
    except IllegalTransition as error:
        raise ReopenRefused(error.message) from None
    if not await _last_filled_for(uow, compartment, shipment.id):
        raise ReopenRefused(f"compartment {compartment.number} is not the one parcel {shipment.tracking_number} was in")
    await uow.compartments.save(compartment)
    details = {"shipment": shipment.id}
    await uow.audit.append(
        AuditRecord(now, str(cmd.by.actor), "compartment.reopened_after_pickup", compartment.id, details)
    )
    return compartment


async def _last_filled_for(uow: UnitOfWork, compartment: Compartment, shipment_id: str) -> bool:
    """Was the last deposit into the compartment (its last move from free to reserved) that of `shipment_id`?"""
    for transition in reversed(await uow.history.of_subject("compartment", compartment.id, newest=REOPEN_HISTORY)):
        if transition.from_state == CompartmentState.FREE and transition.to_state == CompartmentState.RESERVED:
            return transition.details.get("shipment_id") == shipment_id
    return False
