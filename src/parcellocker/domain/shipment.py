"""A shipment: one parcel on its way through a locker, and the state machine it follows (DESIGN §3)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from parcellocker.domain.errors import AlreadyExtended, DeadlinePassed, IllegalTransition, InvalidInput
from parcellocker.domain.events import Actor, Transition
from parcellocker.domain.sizes import ParcelSpec, Size


class ShipmentState(StrEnum):
    ANNOUNCED = "announced"
    STORED = "stored"
    PICKED_UP = "picked_up"
    EXPIRED = "expired"
    COLLECTED = "collected"
    RETURNED = "returned"
    CANCELLED = "cancelled"
    REDIRECTED = "redirected"
    DROPPED_OFF = "dropped_off"
    HANDED_TO_CARRIER = "handed_to_carrier"


class ShipmentKind(StrEnum):
    """Which way a parcel goes through the locker."""

    DELIVERY = "delivery"
    """A courier of its carrier deposits it; its recipient picks it up with a pickup code."""
    SEND = "send"
    """Its sender drops it off with a drop-off code; a courier of its carrier collects it and takes it away."""
    RETURN = "return"
    """A customer returns a parcel to the carrier: dropped off and collected like a sent one."""


DROPOFF_KINDS = frozenset({ShipmentKind.SEND, ShipmentKind.RETURN})
"""The kinds its sender puts into the locker (the `dropped_off` flow of DESIGN §3)."""

S = ShipmentState
ALLOWED_TRANSITIONS: dict[ShipmentState, frozenset[ShipmentState]] = {
    # A delivery is stored by a courier's deposit; a parcel to send or return is dropped off by its sender.
    S.ANNOUNCED: frozenset({S.STORED, S.CANCELLED, S.DROPPED_OFF}),
    S.STORED: frozenset({S.PICKED_UP, S.EXPIRED, S.REDIRECTED}),
    S.EXPIRED: frozenset({S.COLLECTED}),
    S.DROPPED_OFF: frozenset({S.COLLECTED}),
    S.COLLECTED: frozenset({S.RETURNED, S.HANDED_TO_CARRIER}),
    S.PICKED_UP: frozenset(),
    S.RETURNED: frozenset(),
    S.CANCELLED: frozenset(),
    # A redirected parcel waits in its compartment for a courier; collected, it is announced again for the locker
    # it was redirected to (the same shipment, so the tracking number on its label still finds it).
    S.REDIRECTED: frozenset({S.ANNOUNCED}),
    S.HANDED_TO_CARRIER: frozenset(),
}
REOPEN_WINDOW = timedelta(seconds=30)
"""After a pickup's door closed, the person may have it opened again this long, if they forgot something."""

FINAL_STATES = frozenset(state for state, targets in ALLOWED_TRANSITIONS.items() if not targets)
"""A shipment in one of these has ended: its recipient's personal data is erased some time after `ended_at`."""
# States in which a shipment may sit in a compartment.
IN_COMPARTMENT_STATES = frozenset({S.ANNOUNCED, S.STORED, S.EXPIRED, S.REDIRECTED, S.DROPPED_OFF})
# States in which a courier of its carrier takes the parcel out of its locker.
TO_BE_COLLECTED_STATES = frozenset({S.EXPIRED, S.REDIRECTED, S.DROPPED_OFF})
MAX_EXTENSIONS = 1
"""How many times a pickup deadline may be extended."""


@dataclass(frozen=True, slots=True)
class Recipient:
    email: str | None = None
    phone: str | None = None
    name: str | None = None
    language: str = "en"
    erased: bool = False
    """The personal data (e-mail, phone, name) was erased after the shipment ended; only the language is left."""

    def __post_init__(self) -> None:
        if self.erased:
            if self.email is not None or self.phone is not None or self.name is not None:
                raise InvalidInput("an erased recipient keeps no e-mail address, phone number or name")
            return
        if not self.email and not self.phone:
            raise InvalidInput("a recipient needs an e-mail address or a phone number to receive the code")
        if self.email is not None and ("@" not in self.email or len(self.email) > 254):
            raise InvalidInput(f"{self.email!r} is not an e-mail address")
        if self.phone is not None:
            digits = self.phone.removeprefix("+").replace(" ", "").replace("-", "")
            if not (digits.isascii() and digits.isdigit()) or not 6 <= len(digits) <= 15:
                raise InvalidInput(f"{self.phone!r} is not a phone number (use international form, +48…)")

    def without_personal_data(self) -> Recipient:
        return Recipient(language=self.language, erased=True)


@dataclass(slots=True)
class Shipment:
    id: str
    tracking_number: str
    carrier_id: str
    locker_id: str
    parcel: ParcelSpec
    recipient: Recipient
    created_at: datetime
    state: ShipmentState = ShipmentState.ANNOUNCED
    compartment_id: str | None = None
    deposited_size: Size | None = None
    pickup_code_hash: str | None = None
    pickup_deadline: datetime | None = None
    stored_at: datetime | None = None
    picked_up_at: datetime | None = None
    version: int = 0
    reachable_height: bool = False
    """The recipient needs a compartment within reach (cabinet.py): said by the carrier or a courier's deposit."""
    extensions: int = 0
    """How many times the pickup deadline was extended (at most MAX_EXTENSIONS)."""
    remind_at: datetime | None = None
    """When the recipient is to be reminded of the current pickup deadline; None once reminded, or when no reminder
    is due for it (not stored, or the deadline was set too close to it for one)."""
    redirect_to_locker_id: str | None = None
    """Redirected: the locker the parcel goes to once a courier has collected it."""
    ended_at: datetime | None = None
    """When it reached a final state."""
    personal_data_erased_at: datetime | None = None
    kind: ShipmentKind = ShipmentKind.DELIVERY
    dropoff_code_hash: str | None = None
    """A parcel to send or return: the HMAC of the code its sender types at the locker (codes.py), until it is in."""
    dropoff_code_expires_at: datetime | None = None
    """When that code stops opening a door."""
    events: list[Transition] = field(default_factory=list)

    @classmethod
    def announce(
        cls,
        *,
        shipment_id: str,
        tracking_number: str,
        carrier_id: str,
        locker_id: str,
        parcel: ParcelSpec,
        recipient: Recipient,
        at: datetime,
        actor: Actor,
        reachable_height: bool = False,
    ) -> Shipment:
        shipment = cls(
            id=shipment_id,
            tracking_number=_checked_tracking_number(tracking_number),
            carrier_id=carrier_id,
            locker_id=locker_id,
            parcel=parcel,
            recipient=recipient,
            created_at=at,
            reachable_height=reachable_height,
        )
        shipment.events.append(
            Transition("shipment", shipment_id, None, ShipmentState.ANNOUNCED, at, actor, "announced by carrier")
        )
        return shipment

    @classmethod
    def announce_dropoff(
        cls,
        *,
        shipment_id: str,
        tracking_number: str,
        carrier_id: str,
        locker_id: str,
        parcel: ParcelSpec,
        sender: Recipient,
        kind: ShipmentKind,
        code_hash: str,
        code_expires_at: datetime,
        at: datetime,
        actor: Actor,
    ) -> Shipment:
        """A parcel its sender (or a customer returning it) will put into the locker with the drop-off code whose
        hash is `code_hash`, good until `code_expires_at`. `sender` is whom the locker's messages go to."""
        if kind not in DROPOFF_KINDS:
            raise InvalidInput(f"a parcel dropped off at a locker is sent or returned, not a {kind.value}")
        if code_expires_at <= at:
            raise InvalidInput("a drop-off code must be valid for some time")
        shipment = cls(
            id=shipment_id,
            tracking_number=_checked_tracking_number(tracking_number),
            carrier_id=carrier_id,
            locker_id=locker_id,
            parcel=parcel,
            recipient=sender,
            created_at=at,
            kind=kind,
            dropoff_code_hash=code_hash,
            dropoff_code_expires_at=code_expires_at,
        )
        reason = "return announced by carrier" if kind is ShipmentKind.RETURN else "drop-off announced by carrier"
        shipment.events.append(Transition("shipment", shipment_id, None, ShipmentState.ANNOUNCED, at, actor, reason))
        return shipment

    @property
    def deposit_in_progress(self) -> bool:
        """A compartment is open for the parcel to go in (a courier's deposit, or its sender's drop-off)."""
        return self.state is ShipmentState.ANNOUNCED and self.compartment_id is not None

    @property
    def is_dropoff(self) -> bool:
        """Put into the locker by its sender (to send or return), not by a courier."""
        return self.kind in DROPOFF_KINDS

    def can_be_dropped_off(self, at: datetime) -> bool:
        """A parcel to send or return whose drop-off code still works at `at`."""
        return (
            self.is_dropoff
            and self.state is ShipmentState.ANNOUNCED
            and self.dropoff_code_hash is not None
            and (self.dropoff_code_expires_at is None or at < self.dropoff_code_expires_at)
        )

    def ask_for_reachable_height(self) -> None:
        """A courier asked for a compartment within reach for this parcel: it is preferred from now on, also for
        another compartment when the parcel does not fit or a door does not open."""
        self._require(ShipmentState.ANNOUNCED, "choose a compartment within reach for it")
        self.reachable_height = True

    def begin_deposit(self, compartment_id: str, size: Size) -> None:
        """A compartment was opened for this parcel; it is `stored` (a delivery) or `dropped_off` (a parcel to send
        or return) once the door closes."""
        self._require(ShipmentState.ANNOUNCED, "put it into a compartment")
        self.compartment_id = compartment_id
        self.deposited_size = size

    def abandon_deposit(self) -> None:
        self._require(ShipmentState.ANNOUNCED, "move it to another compartment")
        self.compartment_id = None
        self.deposited_size = None

    def store(
        self,
        code_hash: str,
        deadline: datetime,
        at: datetime,
        actor: Actor,
        *,
        reminder_before: timedelta | None = None,
    ) -> None:
        """The door closed on the parcel: its code is live until `deadline`; with `reminder_before`, the recipient
        is reminded that long before the deadline."""
        if not self.deposit_in_progress:
            raise IllegalTransition(f"shipment {self.tracking_number} is not being deposited")
        if self.is_dropoff:
            raise IllegalTransition(f"parcel {self.tracking_number} is sent from the locker, not stored for pickup")
        self.pickup_code_hash = code_hash
        self.pickup_deadline = deadline
        self.stored_at = at
        self._move(ShipmentState.STORED, at, actor, "door closed on the parcel")
        self._plan_reminder(at, reminder_before)

    def drop_off(self, at: datetime, actor: Actor) -> None:
        """The door closed on the parcel its sender put in: its drop-off code dies, and it waits for a courier."""
        if not self.is_dropoff or not self.deposit_in_progress:
            raise IllegalTransition(f"parcel {self.tracking_number} is not being dropped off")
        self.dropoff_code_hash = None
        reason = (
            "door closed on the returned parcel"
            if self.kind is ShipmentKind.RETURN
            else "door closed on the sent parcel"
        )
        self._move(ShipmentState.DROPPED_OFF, at, actor, reason)

    def can_be_picked_up(self, at: datetime) -> bool:
        """Stored in a compartment, and its pickup deadline not yet passed."""
        return (
            self.state is ShipmentState.STORED
            and self.compartment_id is not None
            and (self.pickup_deadline is None or at < self.pickup_deadline)
        )

    def check_can_be_picked_up(self, at: datetime) -> None:
        self._require(ShipmentState.STORED, "pick it up")
        if self.pickup_deadline is not None and at >= self.pickup_deadline:
            raise IllegalTransition(f"the pickup deadline of shipment {self.tracking_number} has passed")

    def pick_up(self, at: datetime, actor: Actor) -> None:
        self._require(ShipmentState.STORED, "pick it up")
        self.picked_up_at = at
        self._leave_compartment()
        self._move(ShipmentState.PICKED_UP, at, actor, "door closed after pickup")

    def may_reopen_after_pickup(self, at: datetime, window: timedelta = REOPEN_WINDOW) -> bool:
        """Picked up no longer than `window` before `at`: its compartment may be opened again for the person."""
        return (
            self.state is ShipmentState.PICKED_UP
            and self.picked_up_at is not None
            and self.picked_up_at <= at <= self.picked_up_at + window
        )

    def reminder_due(self, at: datetime) -> bool:
        """Stored, its reminder's time come, and its deadline not yet passed."""
        return (
            self.state is ShipmentState.STORED
            and self.remind_at is not None
            and self.remind_at <= at
            and self.pickup_deadline is not None
            and at < self.pickup_deadline
        )

    def remind(self, at: datetime) -> None:
        """The reminder of the current deadline is being sent: none again until the deadline moves."""
        if not self.reminder_due(at):
            raise IllegalTransition(f"no reminder of shipment {self.tracking_number} is due now")
        self.remind_at = None

    def _plan_reminder(self, at: datetime, before: timedelta | None) -> None:
        """Remind `before` the deadline, unless that moment had passed when the deadline was set (the recipient
        has just been told the deadline)."""
        assert self.pickup_deadline is not None
        remind_at = None if before is None else self.pickup_deadline - before
        self.remind_at = remind_at if remind_at is not None and remind_at > at else None

    def cancel(self, at: datetime, actor: Actor, reason: str = "cancelled by carrier") -> None:
        if self.deposit_in_progress:
            raise IllegalTransition(
                f"shipment {self.tracking_number} is being put into a compartment right now; cannot cancel"
            )
        self._move(ShipmentState.CANCELLED, at, actor, reason)
        self.dropoff_code_hash = None

    def expire(self, at: datetime, actor: Actor) -> None:
        self._check_move(ShipmentState.EXPIRED)
        self.pickup_code_hash = None
        self._move(ShipmentState.EXPIRED, at, actor, "pickup deadline passed")

    def extend_deadline(
        self, by: timedelta, at: datetime, actor: Actor, *, reminder_before: timedelta | None = None
    ) -> None:
        """Move the pickup deadline `by` later, once (MAX_EXTENSIONS), and only before it has passed; the new
        deadline gets its own reminder."""
        self._require(ShipmentState.STORED, "extend its pickup deadline")
        assert self.pickup_deadline is not None
        if self.extensions >= MAX_EXTENSIONS:
            raise AlreadyExtended(
                f"the pickup deadline of shipment {self.tracking_number} was extended already; "
                f"it can be extended only {'once' if MAX_EXTENSIONS == 1 else f'{MAX_EXTENSIONS} times'}"
            )
        if at >= self.pickup_deadline:
            raise DeadlinePassed(f"the pickup deadline of shipment {self.tracking_number} has passed already")
        if by <= timedelta(0):
            raise InvalidInput("an extension moves the deadline later")
        self.pickup_deadline += by
        self.extensions += 1
        self.events.append(
            Transition(
                "shipment",
                self.id,
                self.state,
                self.state,
                at,
                actor,
                "pickup deadline extended",
                {"pickup_deadline": self.pickup_deadline.isoformat()},
            )
        )
        self._plan_reminder(at, reminder_before)

    def collect(self, at: datetime, actor: Actor) -> None:
        """A courier took the parcel out: an expired one is `collected` (on its way back), a redirected one is
        announced again for the locker it was redirected to."""
        if self.state is ShipmentState.REDIRECTED:
            self._announce_again(at, actor)
            return
        self._check_move(ShipmentState.COLLECTED)
        self._leave_compartment()
        self._move(ShipmentState.COLLECTED, at, actor, "collected by courier")

    def redirect(self, at: datetime, actor: Actor, to_locker_id: str) -> None:
        """Send the parcel to another locker: its code dies now; it waits in its compartment for a courier."""
        self._check_move(ShipmentState.REDIRECTED)
        if to_locker_id == self.locker_id:
            raise InvalidInput(f"parcel {self.tracking_number} is at locker {to_locker_id} already; name another")
        self.pickup_code_hash = None
        self.redirect_to_locker_id = to_locker_id
        self._move(ShipmentState.REDIRECTED, at, actor, "redirected", to_locker_id=to_locker_id)

    def _announce_again(self, at: datetime, actor: Actor) -> None:
        assert self.redirect_to_locker_id is not None
        from_locker_id, to_locker_id = self.locker_id, self.redirect_to_locker_id
        self._leave_compartment()
        self.locker_id, self.redirect_to_locker_id = to_locker_id, None
        self.deposited_size = None
        self.pickup_deadline = self.stored_at = None
        self.extensions = 0
        self._move(
            ShipmentState.ANNOUNCED,
            at,
            actor,
            "collected by courier for another locker",
            from_locker_id=from_locker_id,
            to_locker_id=to_locker_id,
        )

    def mark_returned(self, at: datetime, actor: Actor) -> None:
        if self.is_dropoff:
            raise IllegalTransition(
                f"parcel {self.tracking_number} was dropped off at a locker for its carrier; it is handed to the "
                "carrier (hand over), not returned to a sender"
            )
        self._move(ShipmentState.RETURNED, at, actor, "returned to sender")

    def hand_to_carrier(self, at: datetime, actor: Actor) -> None:
        """The carrier confirms it has the parcel a courier collected from the locker it was dropped off at."""
        if not self.is_dropoff:
            raise IllegalTransition(
                f"only a parcel dropped off at a locker is handed to its carrier; shipment {self.tracking_number} "
                "is a delivery"
            )
        self._require(ShipmentState.COLLECTED, "hand it to the carrier")
        self._move(ShipmentState.HANDED_TO_CARRIER, at, actor, "handed to carrier")

    def erase_personal_data(self, at: datetime, actor: Actor) -> None:
        """Forget the recipient's e-mail, phone and name; what the carrier's history needs stays."""
        if self.state not in FINAL_STATES:
            raise IllegalTransition(
                f"shipment {self.tracking_number} is {self.state.value.replace('_', ' ')}; "
                "its recipient's data is kept until it has ended"
            )
        if self.personal_data_erased_at is not None:
            return
        self.recipient = self.recipient.without_personal_data()
        self.personal_data_erased_at = at
        self.events.append(
            Transition("shipment", self.id, self.state, self.state, at, actor, "recipient's personal data erased")
        )

    def _leave_compartment(self) -> None:
        self.pickup_code_hash = None
        self.compartment_id = None

    def _require(self, state: ShipmentState, doing: str) -> None:
        if self.state is not state:
            raise IllegalTransition(
                f"cannot {doing}: shipment {self.tracking_number} is {self.state.value.replace('_', ' ')}"
            )

    def _check_move(self, to: ShipmentState) -> None:
        """Refuse an illegal move before anything is changed, so a refused move leaves the shipment as it was."""
        if to not in ALLOWED_TRANSITIONS[self.state]:
            raise IllegalTransition(f"shipment {self.tracking_number} cannot go from {self.state.value} to {to.value}")

    def _move(self, to: ShipmentState, at: datetime, actor: Actor, reason: str, **details: str) -> None:
        self._check_move(to)
        self.events.append(Transition("shipment", self.id, self.state, to, at, actor, reason, details))
        self.state = to
        if to is not ShipmentState.STORED:
            self.remind_at = None
        if to in FINAL_STATES:
            self.ended_at = at


def _checked_tracking_number(tracking_number: str) -> str:
    tracking_number = tracking_number.strip()
    if not tracking_number or len(tracking_number) > 64 or not tracking_number.isprintable():
        raise InvalidInput("a tracking number is 1 to 64 printable characters")
    return tracking_number
