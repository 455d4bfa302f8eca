"""Use case of a recipient at a locker: a code or QR token opens the compartment holding the parcel."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import NoReturn

from parcellocker.domain.accounts import Principal
from parcellocker.domain.alarms import Alarm, AlarmKind
from parcellocker.domain.audit import AuditRecord
from parcellocker.domain.codes import hash_pickup_code, locker_code_key_purpose, normalise_entered_code
from parcellocker.domain.errors import InvalidInput, LockedOut, PickupCodeNotFound
from parcellocker.domain.lockout import Lockout
from parcellocker.domain.shipment import Shipment
from parcellocker.security.qr_tokens import looks_like_qr_token, read_qr_token
from parcellocker.service.context import Env
from parcellocker.service.deposits import CompartmentOpened
from parcellocker.service.permissions import require_terminal_of
from parcellocker.service.ports import UnitOfWork


@dataclass(frozen=True, slots=True)
class PickUpParcel:
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
    lockout = await uow.lockouts.get(f"pickup:{cmd.locker_id}")
    if (wait := lockout.retry_after(now)) is not None:
        raise LockedOut(f"too many wrong codes at this locker; try again in {wait} seconds", wait)
    shipment = await _find(uow, env, cmd)
    if shipment is None or not shipment.can_be_picked_up(now):
        await _refuse(uow, env, cmd, lockout)
    assert shipment.compartment_id is not None
    compartment = await uow.compartments.get(shipment.compartment_id)
    assert compartment is not None
    compartment.open_for_pickup(now, cmd.by.actor)
    if lockout.failures:
        lockout.record_success()
        await uow.lockouts.save(lockout)
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


async def _find(uow: UnitOfWork, env: Env, cmd: PickUpParcel) -> Shipment | None:
    if (cmd.code is None) == (cmd.qr_token is None):
        raise InvalidInput("give either the pickup code or the QR token")
    if cmd.qr_token is not None:
        if not looks_like_qr_token(cmd.qr_token):
            return None
        claim = read_qr_token(env.keys.verify_key, cmd.qr_token, env.clock.now())
        if claim is None or claim.locker_id != cmd.locker_id:
            return None
        return await uow.shipments.get(claim.shipment_id)
    assert cmd.code is not None
    locker_key = env.keys.derive(locker_code_key_purpose(cmd.locker_id))
    code_hash = hash_pickup_code(locker_key, normalise_entered_code(cmd.code))
    return await uow.shipments.by_pickup_code(cmd.locker_id, code_hash)


async def _refuse(uow: UnitOfWork, env: Env, cmd: PickUpParcel, lockout: Lockout) -> NoReturn:
    """Count the wrong try (kept even though the pickup fails), alarm on a lockout, then refuse."""
    now = env.clock.now()
    policy = env.policy.pickup_lockout
    locked = lockout.record_failure(now, policy)
    await uow.lockouts.save(lockout)
    if locked:
        wait = lockout.retry_after(now) or 1
        await uow.alarms.add(
            Alarm(
                str(uuid.uuid4()),
                cmd.locker_id,
                AlarmKind.LOCKOUT,
                now,
                f"{policy.max_failures} wrong pickup codes: locker waits {wait} s before the next try",
            )
        )
        await uow.audit.append(
            AuditRecord(now, str(cmd.by.actor), "locker.locked_out", cmd.locker_id, {"seconds": str(wait)})
        )
        await uow.commit()
        raise LockedOut(f"too many wrong codes at this locker; try again in {wait} seconds", wait)
    await uow.commit()
    raise WrongPickupCode(lockout.remaining_tries(now, policy))
