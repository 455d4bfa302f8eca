"""Guessing codes at a locker: wrong pickup, drop-off, rental and voucher codes count toward one lockout per locker
(domain/lockout.py), so that switching screens gains a guesser nothing.

The lockouts a unit of work reads or engages are remembered by the process (Env.lockout_memory): while one lasts,
the locker's code tries (CodeTry commands) are refused before a unit of work opens, so that a flood of codes at
one locker costs the others little. The database stays the authority; see docs/reliability/random-codes.md."""

from __future__ import annotations

import uuid
from datetime import datetime

from parcellocker.domain.accounts import Principal
from parcellocker.domain.alarms import Alarm, AlarmKind
from parcellocker.domain.audit import AuditRecord
from parcellocker.domain.errors import LockedOut
from parcellocker.domain.lockout import Lockout, seconds_to_wait
from parcellocker.service.context import Env, Prechecked
from parcellocker.service.permissions import require_terminal_of
from parcellocker.service.ports import UnitOfWork


def lockout_key(locker_id: str) -> str:
    """The one guessing record of a locker's codes."""
    return f"pickup:{locker_id}"


class CodeTry(Prechecked):
    """A command of a locker's terminal that tries a code there, its use case checking the locker's lockout right
    after the terminal: refused at once while this process knows the locker is locked out."""

    __slots__ = ()
    by: Principal
    locker_id: str

    def turn_of(self) -> str | None:
        return self.locker_id

    def precheck(self, env: Env) -> None:
        require_terminal_of(self.by, self.locker_id)
        refuse_known_lockout(env, self.locker_id)


def refuse_known_lockout(env: Env, locker_id: str) -> None:
    """LockedOut, without the database, while this process knows the locker makes people wait."""
    if env.lockout_memory is None:
        return
    now = env.clock.now()
    if (wait := seconds_to_wait(env.lockout_memory.locked_until(locker_id, now), now)) is not None:
        raise _locked_out(wait)


async def unlocked_record(uow: UnitOfWork, env: Env, locker_id: str) -> Lockout:
    """The locker's guessing record; LockedOut while the locker makes people wait."""
    refuse_known_lockout(env, locker_id)
    lockout = await uow.lockouts.get(lockout_key(locker_id))
    now = env.clock.now()
    if (wait := lockout.retry_after(now)) is not None:
        _remember(env, locker_id, lockout, now)
        raise _locked_out(wait)
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
                f"{policy.max_failures} wrong codes (pickup, drop-off, rental or voucher): locker waits {wait} s "
                "before the next try",
            )
        )
        await uow.audit.append(AuditRecord(now, str(by.actor), "locker.locked_out", locker_id, {"seconds": str(wait)}))
        await uow.commit()
        _remember(env, locker_id, lockout, now)
        raise _locked_out(wait)
    await uow.commit()
    return lockout.remaining_tries(now, policy)


def _remember(env: Env, locker_id: str, lockout: Lockout, now: datetime) -> None:
    if env.lockout_memory is not None and lockout.locked_until is not None:
        env.lockout_memory.remember(locker_id, lockout.locked_until, now)


def _locked_out(wait: int) -> LockedOut:
    return LockedOut(f"too many wrong codes at this locker; try again in {wait} seconds", wait)
