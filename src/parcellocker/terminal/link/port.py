"""The `Link` port: how the terminal talks with the server, whatever carries it (HTTP or MQTT).

Events go up, each with the terminal's own `seq`, and are applied by the server once however often they are sent;
commands come down and are acknowledged; the code sheet is fetched for offline pickups; pickups, deposits,
drop-offs and collections made at the kiosk are asked of the server while it can be reached.

Errors: `LinkDown` when the server cannot be reached or fails (try again later; pickups fall back to the
terminal's own check), `LinkRefused` when it answered no (the request itself is at fault or not allowed).
"""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class LinkError(Exception):
    """Base of every failure of the link."""


class LinkDown(LinkError):
    """The server could not be reached, did not answer in time, or failed on its side."""


class LinkRefused(LinkError):
    """The server answered with an error: `status` (HTTP-like), `code` and `message` as it said them."""

    def __init__(self, status: int, code: str, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.details = details or {}

    @property
    def retry_later(self) -> bool:
        """Not the request's fault: the terminal's key is refused or the server asks to wait."""
        return self.status in (401, 403, 429)


class EventKind(StrEnum):
    DOOR = "door"
    """body: compartment, state (open/closed)."""
    PICKUP_OFFLINE = "pickup_offline"
    """body: compartment, shipment_id, via (code/qr): the terminal opened it for a pickup it checked itself."""
    ALARM = "alarm"
    """body: alarm (forced_door/door_left_open/lock_did_not_open/lockout), compartment, message, door_seq."""


@dataclass(frozen=True, slots=True)
class OutboxEvent:
    seq: int
    kind: EventKind
    at: datetime
    body: dict[str, Any]


@dataclass(frozen=True, slots=True)
class EventReceipt:
    seq: int
    outcome: str
    replayed: bool


@dataclass(frozen=True, slots=True)
class Greeting:
    last_seq: int | None
    """The highest seq the server has applied for this terminal."""
    qr_public_key: bytes


@dataclass(frozen=True, slots=True)
class SheetCode:
    compartment: int
    code_hash: str
    deadline: datetime | None
    shipment_id: str


@dataclass(frozen=True, slots=True)
class CodeSheet:
    """What the terminal needs to check pickups itself: the locker's code key, the QR public key, live codes."""

    locker_key: bytes
    qr_public_key: bytes
    codes: list[SheetCode]
    version: str


@dataclass(frozen=True, slots=True)
class Command:
    id: int
    kind: str
    body: dict[str, Any] = field(default_factory=dict)
    expires_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class CompartmentToOpen:
    """The server's answer to a pickup or deposit: the compartment to open now, for which parcel."""

    compartment: int
    shipment_id: str
    tracking_number: str


@dataclass(frozen=True, slots=True)
class ParcelToCollect:
    """A parcel of the signed-in courier's carrier waiting in a compartment of this locker to be taken out: expired,
    redirected to another locker, or dropped off by its sender."""

    shipment_id: str
    tracking_number: str
    compartment: int
    expired_at: datetime
    """Since when it waits: when it expired, was redirected, or was dropped off."""
    state: str = "expired"
    """"expired", "redirected" or "dropped_off"."""
    kind: str = "delivery"
    """"delivery", or "send" / "return" for a parcel its sender dropped off."""


class Link(abc.ABC):
    @abc.abstractmethod
    async def greet(self) -> Greeting: ...

    @abc.abstractmethod
    async def send_event(self, event: OutboxEvent) -> EventReceipt:
        """Deliver one event; the receipt is the server's acknowledgement of its seq."""

    @abc.abstractmethod
    async def fetch_code_sheet(self) -> CodeSheet: ...

    @abc.abstractmethod
    async def next_commands(self, after: int, wait: float) -> list[Command]:
        """Commands with an id above `after` not acknowledged yet, waiting up to `wait` s for one."""

    @abc.abstractmethod
    async def acknowledge_command(self, command_id: int, outcome: str, detail: str | None) -> None: ...

    @abc.abstractmethod
    async def pick_up(self, *, code: str | None = None, qr_token: str | None = None) -> CompartmentToOpen:
        """Ask the server to check a pickup code or QR token (LinkRefused 404/429 for a wrong one)."""

    @abc.abstractmethod
    async def sign_in_courier(self, courier_id: str, pin: str) -> str:
        """A courier's session token for deposits."""

    @abc.abstractmethod
    async def deposit(self, courier_token: str, tracking_number: str, reachable: bool = False) -> CompartmentToOpen:
        """`reachable`: ask for a compartment within reach of a person in a wheelchair or of short stature (sent
        only when true)."""

    @abc.abstractmethod
    async def report_deposit_problem(
        self, courier_token: str, tracking_number: str, problem: str
    ) -> CompartmentToOpen: ...

    @abc.abstractmethod
    async def reopen_after_pickup(self, shipment_id: str, compartment: int) -> None:
        """Ask the server whether the compartment of a pickup just completed may be opened again (LinkRefused 409
        `reopen_refused` when not: too late, or the compartment is no longer free and idle); the opening is then
        expected by the server."""

    @abc.abstractmethod
    async def parcels_to_collect(self, courier_token: str) -> list[ParcelToCollect]:
        """The parcels of the courier's carrier waiting in this locker to be collected."""

    @abc.abstractmethod
    async def collect(self, courier_token: str, tracking_number: str) -> CompartmentToOpen:
        """Open the compartment of a parcel on the courier's collection list (LinkRefused 409 for a parcel that is
        not to be collected, 404 for one the courier's carrier does not have)."""

    @abc.abstractmethod
    async def drop_off(self, code: str, reachable: bool = False) -> CompartmentToOpen:
        """Ask the server to check a sender's drop-off code and give a compartment (LinkRefused 404 for a wrong code,
        429 when the locker makes people wait, 409 `locker_full`). `reachable`: within reach (sent only when true)."""

    @abc.abstractmethod
    async def report_dropoff_problem(self, code: str, problem: str) -> CompartmentToOpen:
        """The sender's parcel does not fit, or the door did not open: another compartment."""

    @abc.abstractmethod
    async def close(self) -> None:
        """Release the connection."""
