"""A compartment: one door of a locker, its lock, its door sensor and what it holds."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from parcellocker.domain.errors import IllegalTransition
from parcellocker.domain.events import Actor, Transition
from parcellocker.domain.sizes import Size


class CompartmentState(StrEnum):
    FREE = "free"
    RESERVED = "reserved"
    OCCUPIED = "occupied"
    OUT_OF_ORDER = "out_of_order"


class DoorState(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class PendingAction(StrEnum):
    """Why the door was last opened on purpose; settled when it closes again."""

    DEPOSIT = "deposit"
    PICKUP = "pickup"
    SERVICE = "service"
    """Opened on an operator's command: nothing is stored or taken when it closes."""
    COLLECTION = "collection"
    """Opened for a courier to take an expired or redirected parcel out."""


@dataclass(slots=True)
class Compartment:
    id: str
    locker_id: str
    number: int
    size: Size
    board: int
    channel: int
    state: CompartmentState = CompartmentState.FREE
    door: DoorState = DoorState.CLOSED
    shipment_id: str | None = None
    pending: PendingAction | None = None
    out_of_order_reason: str | None = None
    version: int = 0
    reachable: bool = False
    """Within reach of a person in a wheelchair (see cabinet.py); worked out when the locker is set up."""
    reserved_for_carrier_id: str | None = None
    """The carrier whose share of the locker this compartment is in (carrier_shares.py): only that carrier's parcels
    go in it. None: it is in the pool every carrier shares. (Not the RESERVED state, which is a deposit under way.)"""
    events: list[Transition] = field(default_factory=list)

    def serves(self, carrier_id: str | None) -> bool:
        """May a parcel of `carrier_id` be put in it? Pool compartments serve every carrier, a share only its own;
        a parcel of no carrier (None) only goes in the pool."""
        return self.reserved_for_carrier_id is None or self.reserved_for_carrier_id == carrier_id

    def reserve_for_carrier(self, carrier_id: str | None) -> None:
        """Put it in `carrier_id`'s share (None: back in the pool). A parcel in it or on its way stays where it is;
        only the compartments given to later parcels follow the share."""
        self.reserved_for_carrier_id = carrier_id

    def reserve_for_deposit(
        self, shipment_id: str, at: datetime, actor: Actor, reason: str = "opened for a deposit"
    ) -> None:
        """Opened for a parcel to go in: a courier's deposit, or a sender's drop-off (`reason` says which)."""
        self._require(CompartmentState.FREE, "reserve it for a deposit")
        self.shipment_id = shipment_id
        self.pending = PendingAction.DEPOSIT
        self._move(CompartmentState.RESERVED, at, actor, reason, shipment_id=shipment_id)

    def release(self, at: datetime, actor: Actor, reason: str) -> None:
        """A deposit did not happen here (parcel did not fit, courier gave up): free again."""
        self._require(CompartmentState.RESERVED, "release it")
        self.shipment_id = None
        self.pending = None
        self._move(CompartmentState.FREE, at, actor, reason)

    def fill(self, at: datetime, actor: Actor) -> None:
        """The door closed on a deposit: the parcel is inside."""
        self._require(CompartmentState.RESERVED, "store a parcel in it")
        self.pending = None
        self._move(CompartmentState.OCCUPIED, at, actor, "door closed on a deposit")

    def open_for_pickup(self, at: datetime, actor: Actor) -> None:
        self._require(CompartmentState.OCCUPIED, "open it for a pickup")
        self.pending = PendingAction.PICKUP
        self.events.append(Transition("compartment", self.id, self.state, self.state, at, actor, "opened for a pickup"))

    def open_for_collection(self, at: datetime, actor: Actor) -> None:
        """A courier takes the parcel out (it expired, or goes to another locker); free once the door closes. An
        opening for service waiting gives way to it."""
        self._require(CompartmentState.OCCUPIED, "open it for a collection")
        if self.pending not in (None, PendingAction.SERVICE, PendingAction.COLLECTION):
            raise IllegalTransition(f"compartment {self.number} is open for a {self.pending} right now")
        self.pending = PendingAction.COLLECTION
        self.events.append(
            Transition("compartment", self.id, self.state, self.state, at, actor, "opened for a collection")
        )

    def open_for_service(self, at: datetime, actor: Actor) -> None:
        """An operator has the terminal open the door, so its opening is expected. A deposit or pickup under way
        keeps its own pending action, settled when the door closes as usual."""
        if self.pending is None:
            self.pending = PendingAction.SERVICE
        self.events.append(Transition("compartment", self.id, self.state, self.state, at, actor, "opened for service"))

    def open_again_after_pickup(self, at: datetime, actor: Actor) -> None:
        """The person who just took a parcel out forgot something: open the door again, expected (no forced-door
        alarm), settled like a service opening. Only while the compartment is free with nothing under way, so it
        can never hold, or be about to hold, someone else's parcel."""
        if self.state is not CompartmentState.FREE or self.pending is not None or self.door is not DoorState.CLOSED:
            raise IllegalTransition(
                f"compartment {self.number} cannot be opened again: it is "
                f"{self.state.value.replace('_', ' ')}{' with a door opening under way' if self.pending else ''}"
                f"{' and its door is open' if self.door is DoorState.OPEN else ''}"
            )
        self.pending = PendingAction.SERVICE
        self.events.append(
            Transition("compartment", self.id, self.state, self.state, at, actor, "opened again after a pickup")
        )

    def end_service(self) -> None:
        """The door closed after a service opening, or the opening did not happen."""
        if self.pending is PendingAction.SERVICE:
            self.pending = None

    def empty(self, at: datetime, actor: Actor, reason: str) -> None:
        """The parcel was taken out and the door closed: free again."""
        self._require(CompartmentState.OCCUPIED, "empty it")
        self.shipment_id = None
        self.pending = None
        self._move(CompartmentState.FREE, at, actor, reason)

    def take_out_of_order(self, at: datetime, actor: Actor, reason: str) -> None:
        if self.state is CompartmentState.OUT_OF_ORDER:
            return
        if self.state is CompartmentState.OCCUPIED:
            raise IllegalTransition(
                f"compartment {self.number} still holds a parcel; take the parcel out before closing it"
            )
        self.shipment_id = None
        self.pending = None
        self.out_of_order_reason = reason
        self._move(CompartmentState.OUT_OF_ORDER, at, actor, reason)

    def return_to_service(self, at: datetime, actor: Actor) -> None:
        self._require(CompartmentState.OUT_OF_ORDER, "return it to service")
        self.out_of_order_reason = None
        self._move(CompartmentState.FREE, at, actor, "returned to service")

    def door_reported(self, door: DoorState) -> bool:
        """Record what the sensor says; True when it changed."""
        changed = door is not self.door
        self.door = door
        return changed

    def _require(self, state: CompartmentState, doing: str) -> None:
        if self.state is not state:
            raise IllegalTransition(
                f"cannot {doing}: compartment {self.number} is {self.state.value.replace('_', ' ')}"
            )

    def _move(self, to: CompartmentState, at: datetime, actor: Actor, reason: str, **details: str) -> None:
        self.events.append(Transition("compartment", self.id, self.state, to, at, actor, reason, details))
        self.state = to
