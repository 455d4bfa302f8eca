"""What the scheduler does when its time comes, one batch per unit of work: remind recipients before the deadline,
expire parcels whose deadline passed, erase recipients' personal data some time after their shipment ended."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from parcellocker.domain.audit import AuditRecord
from parcellocker.domain.compartment import PendingAction
from parcellocker.domain.events import SYSTEM
from parcellocker.domain.notices import Notice
from parcellocker.security.sealing import unseal
from parcellocker.service.context import Env
from parcellocker.service.pickup_policies import terms_for
from parcellocker.service.ports import UnitOfWork
from parcellocker.service.recipient_messages import SEAL_PURPOSE, tell_recipient, waiting_parcel_secrets

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class CalendarBatch:
    """At most `limit` shipments in one unit of work."""

    limit: int = 100


async def send_reminders(cmd: CalendarBatch, uow: UnitOfWork, env: Env) -> int:
    """Queue the reminder of each parcel whose reminder is due: once per deadline (an extended deadline has a
    reminder of its own). It repeats the code, with a fresh QR token and, if not used yet, the extension link.
    Returns how many shipments were dealt with."""
    now = env.clock.now()
    due = await uow.calendar.due_reminders(now, cmd.limit)
    for shipment in due:
        shipment.remind(now)
        await uow.shipments.save(shipment)
        sealed = await uow.outbox.latest_payload(shipment.id, Notice.PARCEL_STORED)
        if sealed is None:  # cannot happen for a parcel stored by this server: its code went out with that message
            log.warning("no reminder for shipment %s: its first message, with the code, is not on record", shipment.id)
            continue
        code = str(unseal(env.keys.derive(SEAL_PURPOSE), sealed)["code"])
        terms = await terms_for(uow, env, shipment.locker_id, shipment.carrier_id)
        await tell_recipient(uow, env, shipment, Notice.REMINDER, waiting_parcel_secrets(env, shipment, code, terms))
    return len(due)


async def expire_parcels(cmd: CalendarBatch, uow: UnitOfWork, env: Env) -> int:
    """Each parcel whose deadline passed becomes `expired` (its code dies; it goes on its carrier's collection list
    at its locker), and its recipient is told. Returns how many were expired."""
    now = env.clock.now()
    due = await uow.calendar.due_expiries(now, cmd.limit)
    expired = 0
    for shipment in due:
        compartment = await uow.compartments.get(shipment.compartment_id) if shipment.compartment_id else None
        if compartment is not None and compartment.pending is PendingAction.PICKUP:
            continue  # opened for its pickup since the search: the door closing settles it
        shipment.expire(now, SYSTEM)
        await uow.shipments.save(shipment)
        if compartment is not None:
            # Its version moves on, so that a pickup checked against the deadline at this very moment loses the race.
            await uow.compartments.save(compartment)
        await tell_recipient(uow, env, shipment, Notice.EXPIRED)
        expired += 1
    return expired


async def erase_personal_data(cmd: CalendarBatch, uow: UnitOfWork, env: Env) -> int:
    """Erase the recipient's e-mail, phone and name from shipments that ended more than the retention time ago,
    and from their notifications; forget the Idempotency-Key replies (which may quote them) as old. Tracking
    number, states, times, locker and sizes stay for the carrier's history. Returns how many were erased."""
    now = env.clock.now()
    cutoff = now - env.policy.personal_data_retention
    ended = await uow.calendar.ended_before(cutoff, cmd.limit)
    for shipment in ended:
        shipment.erase_personal_data(now, SYSTEM)
        await uow.shipments.save(shipment)
        await uow.outbox.forget_personal_data(shipment.id)
    forgotten = await uow.idempotency.forget_before(cutoff)
    if ended or forgotten:
        details = {"shipments": str(len(ended)), "idempotency_replies": str(forgotten)}
        await uow.audit.append(AuditRecord(now, str(SYSTEM), "personal_data.erased", "shipments", details))
    return len(ended)
