"""Guessing codes at a locker: wrong pickup codes and wrong drop-off codes count toward one lockout per locker
(domain/lockout.py), so that switching screens gains a guesser nothing."""

from __future__ import annotations

import uuid

from parcellocker.domain.accounts import Principal
from parcellocker.domain.alarms import Alarm, AlarmKind
from parcellocker.domain.audit import AuditRecord
from parcellocker.domain.errors import LockedOut
from parcellocker.domain.lockout import Lockout
from parcellocker.service.context import Env
from parcellocker.service.ports import UnitOfWork


def lockout_key(locker_id: str) -> str:
    """The one guessing record of a locker's codes."""
    return f"pickup:{locker_id}"


async def unlocked_record(uow: UnitOfWork, env: Env, locker_id: str) -> Lockout:
    """The locker's guessing record; LockedOut while the locker makes people wait."""
    lockout = await uow.lockouts.get(lockout_key(locker_id))
    if (wait := lockout.retry_after(env.clock.now())) is not None:
        raise LockedOut(f"too many wrong codes at this locker; try again in {wait} seconds", wait)
    return lockout


async def forgive(uow: UnitOfWork, lockout: Lockout) -> None:
    """A right code: the wrong tries before it are forgotten."""
    if lockout.failures:
        lockout.record_success()
        await uow.lockouts.save(lockout)


async def count_wrong_code(uow: UnitOfWork, env: Env, by: Principal, locker_id: str, lockout: Lockout) -> int:
    """Count a wrong try and commit it (it is kept although the request fails); how many tries are left. Raises
    LockedOut, with an alarm for the operator, when this try locks the locker out."""
    now = env.clock.now()
    policy = env.policy.pickup_lockout
    locked = lockout.record_failure(now, policy)
    await uow.lockouts.save(lockout)
    if locked:
        wait = lockout.retry_after(now) or 1
        await uow.alarms.add(
            Alarm(
                str(uuid.uuid4()),
                locker_id,
                AlarmKind.LOCKOUT,
                now,
                f"{policy.max_failures} wrong codes (pickup or drop-off): locker waits {wait} s before the next try",
            )
        )
        await uow.audit.append(AuditRecord(now, str(by.actor), "locker.locked_out", locker_id, {"seconds": str(wait)}))
        await uow.commit()
        raise LockedOut(f"too many wrong codes at this locker; try again in {wait} seconds", wait)
    await uow.commit()
    return lockout.remaining_tries(now, policy)
