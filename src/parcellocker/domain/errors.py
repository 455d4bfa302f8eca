"""Errors the domain raises when a rule is broken. Adapters map them to their own language (HTTP, CLI)."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the parcel locker was broken. `code` is a stable machine-readable name."""

    code = "domain_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    code = "not_found"


class Conflict(DomainError):
    code = "conflict"


class InvalidInput(DomainError):
    code = "invalid_input"


class IllegalTransition(Conflict):
    code = "illegal_transition"


class AlreadyExtended(IllegalTransition):
    """A pickup deadline is extended once at most."""

    code = "already_extended"


class DeadlinePassed(IllegalTransition):
    code = "deadline_passed"


class ParcelTooLarge(InvalidInput):
    code = "parcel_too_large"


class LockerFull(Conflict):
    """No free compartment of any size the parcel fits in is left (larger sizes were tried too)."""

    code = "locker_full"


class DuplicateTrackingNumber(Conflict):
    code = "duplicate_tracking_number"


class PickupCodeNotFound(NotFound):
    """Deliberately says nothing about whether the code exists."""

    code = "pickup_code_not_found"


class LockedOut(DomainError):
    code = "locked_out"

    def __init__(self, message: str, retry_after_seconds: int) -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds


class LockerBusy(DomainError):
    """Too many code tries at one locker at once: refused before it is checked, so it is no wrong code."""

    code = "locker_busy"

    def __init__(self, message: str, retry_after_seconds: int) -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds


class NotAuthenticated(DomainError):
    code = "not_authenticated"


class Forbidden(DomainError):
    code = "forbidden"


class ConcurrencyConflict(Conflict):
    """Someone else changed the same record first; the use case may be retried."""

    code = "concurrency_conflict"


class PickupCodeTaken(ConcurrencyConflict):
    """The pickup code drawn for a parcel is live at its locker already: the store keeps the live codes of a locker
    unique, so the parcel is not stored with it. Run again, the use case draws another code."""
