"""What the kiosk is told when it cannot be served, with the HTTP status the local API answers."""

from __future__ import annotations

from typing import Any


class KioskError(Exception):
    status = 400
    code = "refused"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class BadInput(KioskError):
    status = 422
    code = "invalid_input"


class PickupNotFound(KioskError):
    """Says only "not found", never whether the code exists."""

    status = 404
    code = "pickup_code_not_found"


class TooManyTries(KioskError):
    status = 429
    code = "locked_out"

    def __init__(self, message: str, retry_after_seconds: int) -> None:
        super().__init__(message, retry_after_seconds=retry_after_seconds)
        self.retry_after_seconds = retry_after_seconds


class ServerUnreachable(KioskError):
    status = 503
    code = "server_unreachable"


class DoorDidNotOpen(KioskError):
    status = 502
    code = "door_did_not_open"


class NotReady(KioskError):
    status = 503
    code = "not_ready"


class RefusedByServer(KioskError):
    """The server said no; its own status and code are passed on."""

    def __init__(self, status: int, code: str, message: str, details: dict[str, Any]) -> None:
        super().__init__(message, **details)
        self.status = status
        self.code = code


class ReopenRefused(KioskError):
    """A compartment is not opened again: the terminal or the server cannot be sure it is still the person's."""

    status = 409
    code = "reopen_refused"
