"""What a terminal reports when a door opens or closes, and what follows from it."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass

from parcellocker.domain.accounts import Principal
from parcellocker.domain.alarms import Alarm, AlarmKind
from parcellocker.domain.audit import AuditRecord
from parcellocker.domain.codes import generate_pickup_code, hash_pickup_code, locker_code_key_purpose
from parcellocker.domain.compartment import Compartment, DoorState, PendingAction
from parcellocker.domain.errors import Conflict, InvalidInput, NotFound
from parcellocker.domain.notices import Notice
from parcellocker.domain.shipment import Shipment
from parcellocker.service.context import Env
from parcellocker.service.permissions import require_terminal_of
from parcellocker.service.pickup_policies import terms_for
from parcellocker.service.ports import UnitOfWork
from parcellocker.service.recipient_messages import tell_recipient, waiting_parcel_secrets
from parcellocker.service.rental_doors import rental_door_closed

MAX_SEQ = 2**62


@dataclass(frozen=True, slots=True)
class ReportDoor:
    by: Principal
    locker_id: str
    compartment_number: int
    door: DoorState
    seq: int


@dataclass(frozen=True, slots=True)
class DoorEventApplied:
    seq: int
    compartment_number: int
    door: str
    outcome: str  # recorded | parcel_stored | parcel_dropped_off | parcel_picked_up | parcel_collected | forced_door
    # | rental_ended
    shipment_id: str | None = None
    shipment_state: str | None = None
    replayed: bool = False


async def report_door(cmd: ReportDoor, uow: UnitOfWork, env: Env) -> DoorEventApplied:
    require_terminal_of(cmd.by, cmd.locker_id)
    if not 0 <= cmd.seq < MAX_SEQ:
        raise InvalidInput("seq is a whole number from 0, counted up by the terminal for each event")
    compartment, prior = await uow.compartments.by_number_at_event(cmd.locker_id, cmd.compartment_number, cmd.seq)
    if prior is not None and "kind" in prior:  # applied as an offline pickup or an alarm (terminal_sync.py)
        raise Conflict(f"seq {cmd.seq} was applied before to an event of kind {prior['kind']}, not to a door change")
    if prior is not None:
        return DoorEventApplied(**{**prior, "replayed": True})
    if compartment is None:
        raise NotFound(f"locker {cmd.locker_id} has no compartment {cmd.compartment_number}")
    changed = compartment.door_reported(cmd.door)
    outcome, shipment = "recorded", None
    if cmd.door is DoorState.OPEN and changed and compartment.pending is None:
        outcome = "forced_door"
        await _raise_forced_door(uow, env, cmd, compartment)
    elif cmd.door is DoorState.CLOSED and compartment.pending is PendingAction.SERVICE:
        compartment.end_service()
    elif cmd.door is DoorState.CLOSED and compartment.pending is PendingAction.RENTAL:
        outcome = await rental_door_closed(uow, env, cmd.by, compartment)
    elif cmd.door is DoorState.CLOSED and compartment.pending is not None:
        shipment = await _shipment_in(uow, compartment)
        now = env.clock.now()
        if compartment.pending is PendingAction.DEPOSIT and shipment.is_dropoff:
            outcome = "parcel_dropped_off"
            shipment.drop_off(now, cmd.by.actor)
            compartment.fill(now, cmd.by.actor)
        elif compartment.pending is PendingAction.DEPOSIT:
            outcome = "parcel_stored"
            await _store(uow, env, cmd.by, compartment, shipment)
        elif compartment.pending is PendingAction.COLLECTION:
            outcome = "parcel_collected"
            shipment.collect(now, cmd.by.actor)
            compartment.empty(now, cmd.by.actor, "door closed after a collection")
        else:
            outcome = "parcel_picked_up"
            shipment.pick_up(now, cmd.by.actor)
            compartment.empty(now, cmd.by.actor, "door closed after pickup")
        await uow.shipments.save(shipment)
    await uow.compartments.save(compartment)
    applied = DoorEventApplied(
        cmd.seq,
        compartment.number,
        cmd.door.value,
        outcome,
        shipment.id if shipment else None,
        shipment.state.value if shipment else None,
    )
    await uow.terminal_events.record(cmd.locker_id, cmd.seq, asdict(applied), env.clock.now())
    return applied


async def _store(uow: UnitOfWork, env: Env, by: Principal, compartment: Compartment, shipment: Shipment) -> None:
    """The door closed on a deposit: the parcel is stored, its code issued and the recipient told. The deadline
    and the reminder follow the locker's and carrier's pickup policies."""
    now = env.clock.now()
    code, code_hash = _drawn_code(env, compartment.locker_id)
    terms = await terms_for(uow, env, shipment.locker_id, shipment.carrier_id)
    shipment.store(code_hash, now + terms.pickup_window, now, by.actor, reminder_before=terms.reminder_before)
    compartment.fill(now, by.actor)
    await tell_recipient(uow, env, shipment, Notice.PARCEL_STORED, waiting_parcel_secrets(env, shipment, code, terms))


def _drawn_code(env: Env, locker_id: str) -> tuple[str, str]:
    """A new pickup code and its hash. It is not looked up first: the store refuses a code live at the locker
    already (`shipments.save` raises PickupCodeTaken, a ConcurrencyConflict), and the use case, run again, draws
    another. With at least 10^6 codes and at most a locker's compartments' worth of them live, that happens to
    at most one parcel in a thousand even at a locker of 1,000 compartments, full; a read before every draw
    would cost every parcel a round trip to the database."""
    code = generate_pickup_code(env.policy.code_length)
    return code, hash_pickup_code(env.keys.derive(locker_code_key_purpose(locker_id)), code)


async def _shipment_in(uow: UnitOfWork, compartment: Compartment) -> Shipment:
    shipment = await uow.shipments.get(compartment.shipment_id) if compartment.shipment_id else None
    if shipment is None:
        raise Conflict(f"compartment {compartment.number} is waiting for a parcel that is not on record")
    return shipment


async def _raise_forced_door(uow: UnitOfWork, env: Env, cmd: ReportDoor, compartment: Compartment) -> None:
    now = env.clock.now()
    message = f"compartment {compartment.number} opened without a command"
    await uow.alarms.add(
        Alarm(str(uuid.uuid4()), cmd.locker_id, AlarmKind.FORCED_DOOR, now, message, compartment.number)
    )
    await uow.audit.append(AuditRecord(now, str(cmd.by.actor), "door.forced", compartment.id, {}))
