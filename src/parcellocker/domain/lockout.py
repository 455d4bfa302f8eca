"""Lockout against guessing: too many wrong codes at one locker make it wait, longer each time."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class LockoutPolicy:
    max_failures: int = 5
    window: timedelta = timedelta(minutes=10)
    first_delay: timedelta = timedelta(seconds=60)
    max_delay: timedelta = timedelta(hours=1)

    def delay_for(self, strike: int) -> timedelta:
        """The wait after the `strike`-th lockout (1-based), doubling up to `max_delay`."""
        delay = self.first_delay
        for _ in range(strike - 1):  # doubling step by step: 2**strike would overflow timedelta after ~42 strikes
            if delay >= self.max_delay:
                break
            delay *= 2
        return min(delay, self.max_delay)


def seconds_to_wait(locked_until: datetime | None, now: datetime) -> int | None:
    """Whole seconds (at least 1) from `now` until a lockout ends, or None when it is over or there is none."""
    if locked_until is None or now >= locked_until:
        return None
    return max(1, math.ceil((locked_until - now).total_seconds()))


@dataclass(slots=True)
class Lockout:
    """The guessing record of one locker (or one courier's PIN)."""

    key: str
    failures: list[datetime] = field(default_factory=list)
    locked_until: datetime | None = None
    strikes: int = 0
    last_strike_at: datetime | None = None

    def retry_after(self, now: datetime) -> int | None:
        """Seconds to wait before another try is allowed, or None when tries are allowed."""
        return seconds_to_wait(self.locked_until, now)

    def record_failure(self, now: datetime, policy: LockoutPolicy) -> bool:
        """Count a wrong try; True when it locks the key out (the caller raises an alarm)."""
        self._forget_old(now, policy)
        self.failures.append(now)
        if len(self.failures) < policy.max_failures:
            return False
        self.strikes += 1
        self.last_strike_at = now
        self.locked_until = now + policy.delay_for(self.strikes)
        self.failures.clear()
        return True

    def remaining_tries(self, now: datetime, policy: LockoutPolicy) -> int:
        self._forget_old(now, policy)
        return max(0, policy.max_failures - len(self.failures))

    def record_success(self) -> None:
        self.failures.clear()

    def _forget_old(self, now: datetime, policy: LockoutPolicy) -> None:
        self.failures = [at for at in self.failures if now - at < policy.window]
        # A long quiet spell forgives earlier strikes, so the delay does not grow forever.
        if self.last_strike_at is not None and now - self.last_strike_at > policy.max_delay * 4:
            self.strikes = 0
            self.last_strike_at = None
