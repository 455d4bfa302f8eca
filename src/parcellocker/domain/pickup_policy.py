"""How long a parcel waits for its recipient: the pickup window, the one extension and the reminder before the
deadline, set for the whole server, and overridden per locker and per carrier.

A carrier's policy overrides its locker's, which overrides the server's, one setting at a time: the carrier has
promised its senders and recipients a service ("a week to pick it up"), which holds at every locker it delivers
to; a locker's policy is the site's own rule for the carriers that promised nothing about that setting.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from parcellocker.domain.errors import InvalidInput

MAX_PICKUP_WINDOW = timedelta(days=60)
MAX_EXTENSION = timedelta(days=30)


class PolicySubject(StrEnum):
    """Whose policy: a locker's or a carrier's."""

    LOCKER = "locker"
    CARRIER = "carrier"


@dataclass(frozen=True, slots=True)
class PickupTerms:
    """What holds for one parcel."""

    pickup_window: timedelta
    """From storing to the pickup deadline."""
    extension: timedelta
    """What the one extension adds to the deadline."""
    reminder_before: timedelta
    """How long before the deadline the recipient is reminded (not at all if the deadline is set closer)."""

    def __post_init__(self) -> None:
        _check("the pickup window", self.pickup_window, MAX_PICKUP_WINDOW)
        _check("an extension", self.extension, MAX_EXTENSION)
        _check("the reminder's lead", self.reminder_before, MAX_PICKUP_WINDOW)


@dataclass(frozen=True, slots=True)
class PickupPolicy:
    """A locker's or carrier's settings; None leaves a setting to the next policy down."""

    pickup_window: timedelta | None = None
    extension: timedelta | None = None
    reminder_before: timedelta | None = None

    def __post_init__(self) -> None:
        if self.pickup_window is not None:
            _check("the pickup window", self.pickup_window, MAX_PICKUP_WINDOW)
        if self.extension is not None:
            _check("an extension", self.extension, MAX_EXTENSION)
        if self.reminder_before is not None:
            _check("the reminder's lead", self.reminder_before, MAX_PICKUP_WINDOW)
            if self.pickup_window is not None and self.reminder_before >= self.pickup_window:
                raise InvalidInput("the reminder must come before the deadline: make its lead shorter than the window")


def pickup_terms(
    defaults: PickupTerms, *, locker: PickupPolicy | None = None, carrier: PickupPolicy | None = None
) -> PickupTerms:
    """The terms for a parcel of `carrier` at `locker`: each setting from the carrier's policy if it sets it, else
    from the locker's, else the server's."""

    def chosen(name: str) -> timedelta:
        for policy in (carrier, locker):
            value: timedelta | None = getattr(policy, name, None)
            if value is not None:
                return value
        default: timedelta = getattr(defaults, name)
        return default

    return PickupTerms(chosen("pickup_window"), chosen("extension"), chosen("reminder_before"))


def _check(what: str, value: timedelta, most: timedelta) -> None:
    if value < timedelta(seconds=1):
        raise InvalidInput(f"{what} must be at least one second")
    if value > most:
        raise InvalidInput(f"{what} may be {most.days} days at most")
