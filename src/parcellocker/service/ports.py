"""What the use cases need from the outside world, named for what it is. Adapters implement these."""

from __future__ import annotations

import abc
import builtins
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from parcellocker.domain.accounts import Carrier, Courier, Operator, Principal
from parcellocker.domain.alarms import Alarm
from parcellocker.domain.audit import AuditEntry, AuditRecord
from parcellocker.domain.compartment import Compartment
from parcellocker.domain.events import Actor, Transition
from parcellocker.domain.locker import Locker
from parcellocker.domain.lockout import Lockout
from parcellocker.domain.occupancy import SizeFill
from parcellocker.domain.pickup_policy import PickupPolicy, PolicySubject
from parcellocker.domain.shipment import Shipment
from parcellocker.domain.sizes import Dimensions, Size
from parcellocker.domain.webhooks import WebhookEndpoint
from parcellocker.service.rental_ports import PaymentLedger, RentalRepository, RentalTermsRepository


class Clock(abc.ABC):
    @abc.abstractmethod
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""


class LockoutMemory(abc.ABC):
    """Lockers this process saw locked out against guessing, and until when: their code tries are then refused
    without the database. The database stays the authority: the memory holds only what a unit of work read or
    wrote, and a locker it does not know (or no longer trusts) goes the normal way."""

    @abc.abstractmethod
    def remember(self, locker_id: str, locked_until: datetime, now: datetime) -> None:
        """The database said at `now` that the locker is locked out until `locked_until`."""

    @abc.abstractmethod
    def locked_until(self, locker_id: str, now: datetime) -> datetime | None:
        """When the locker's lockout ends, if remembered and still trusted at `now`; what has passed is forgotten."""

    @abc.abstractmethod
    def __len__(self) -> int:
        """How many lockers are remembered (0: no try needs a look, the common case)."""


class CodeTryTurns(abc.ABC):
    """The code tries of one locker that this process handles at once, the others waiting their turn in order: a
    locker has one screen, so a flood of tries at it is kept to a few, out of the other lockers' way."""

    @abc.abstractmethod
    def turn(self, locker_id: str) -> AbstractAsyncContextManager[None]:
        """The locker's turn, held while a try is handled: entering waits for it, or raises LockerBusy at once when
        too many of the locker's tries wait already."""


@dataclass(frozen=True, slots=True)
class LockerSizes:
    """What a locker offers a parcel: the inner dimensions of each size class, and the sizes it has compartments of."""

    inner_dimensions: Mapping[Size, Dimensions]
    present: frozenset[Size]


@dataclass(frozen=True, slots=True)
class LockerFill:
    """A locker (its compartments not loaded) and how full it is: its compartments counted per size, smallest
    first, as domain.occupancy.fill_by_size counts them."""

    locker: Locker
    fill: list[SizeFill]


class LockerRepository(abc.ABC):
    @abc.abstractmethod
    async def add(self, locker: Locker) -> None: ...

    @abc.abstractmethod
    async def get(self, locker_id: str, *, with_compartments: bool = True) -> Locker | None:
        """The locker with its compartments, ordered by number (or with none loaded: `with_compartments=False`)."""

    @abc.abstractmethod
    async def sizes(self, locker_id: str) -> LockerSizes | None:
        """The locker's sizes without loading its compartments; None if there is no such locker."""

    @abc.abstractmethod
    async def page(self, after: str, limit: int) -> list[Locker]:
        """At most `limit` lockers whose id sorts after `after` ("" for the first page), by id, each with its
        compartments ordered by number: what a page reads does not grow with the lockers beyond it."""

    @abc.abstractmethod
    async def fill_page(self, after: str, limit: int) -> builtins.list[LockerFill]:
        """At most `limit` lockers whose id sorts after `after` ("" for the first page), by id, each with its
        compartments counted per size rather than loaded: what a page costs does not grow with the lockers beyond
        it."""

    @abc.abstractmethod
    async def exists(self, locker_id: str) -> bool: ...


class CompartmentRepository(abc.ABC):
    @abc.abstractmethod
    async def get(self, compartment_id: str) -> Compartment | None: ...

    @abc.abstractmethod
    async def by_number(self, locker_id: str, number: int) -> Compartment | None: ...

    @abc.abstractmethod
    async def by_number_at_event(self, locker_id: str, number: int, seq: int) -> tuple[Compartment | None, Any | None]:
        """What a door event of the locker's terminal reads first: `by_number`, and the reply given when event `seq`
        was applied (`TerminalEventLog.applied`, None if it is new), read together (one round trip where the store
        can)."""

    @abc.abstractmethod
    async def claim_free(
        self, locker_id: str, sizes: Sequence[Size], *, carrier_id: str | None = None, reachable: bool = False
    ) -> Compartment | None:
        """The free compartment of `sizes` that serves `carrier_id` (its share or the pool; only the pool for None)
        first in domain.allocation.allocation_order (the carrier's share before the pool, smallest size first; with
        `reachable`, those within reach before all others) that no concurrent transaction holds, locked for this
        unit of work so no other courier can be given it."""

    @abc.abstractmethod
    async def save(self, compartment: Compartment) -> None:
        """Persist changes and recorded transitions; raises ConcurrencyConflict if changed meanwhile (at once, or
        at the latest when the unit of work commits)."""


@dataclass(frozen=True, slots=True)
class ParcelToCollect:
    """A parcel waiting in a compartment for a courier of its carrier to take it out: expired (it goes back to the
    sender) or redirected (it goes to another locker)."""

    shipment_id: str
    tracking_number: str
    compartment_number: int
    expired_at: datetime
    """Since when it waits to be taken out: when it expired, or was redirected."""
    state: str = "expired"
    """Why it is collected: "expired", "redirected", or "dropped_off" (by its sender, to send or return)."""
    kind: str = "delivery"
    """The shipment's kind (domain.shipment.ShipmentKind): "delivery", "send" or "return"."""


class ShipmentRepository(abc.ABC):
    @abc.abstractmethod
    async def add(self, shipment: Shipment) -> None:
        """Raises DuplicateTrackingNumber if the carrier already announced this tracking number (at once, or at the
        latest when the unit of work commits)."""

    @abc.abstractmethod
    async def get(self, shipment_id: str) -> Shipment | None: ...

    @abc.abstractmethod
    async def by_tracking_number(self, carrier_id: str | None, tracking_number: str) -> list[Shipment]:
        """Shipments with this tracking number, of one carrier (or of all when carrier_id is None)."""

    @abc.abstractmethod
    async def for_deposit(self, carrier_id: str, tracking_number: str) -> Shipment | None:
        """The newest shipment of this carrier with this tracking number, locked for this unit of work."""

    @abc.abstractmethod
    async def by_pickup_code(
        self, locker_id: str, code_hash: str, *, lockout_key: str | None = None
    ) -> Shipment | None:
        """The shipment of the locker whose live pickup code has this hash. `lockout_key`: the lockout record a
        pickup checks next, read along where the store can (for the unit of work's next `lockouts.get` of it)."""

    @abc.abstractmethod
    async def by_dropoff_code(self, locker_id: str, code_hash: str) -> Shipment | None:
        """The shipment of the locker whose live drop-off code has this hash, locked for this unit of work."""

    @abc.abstractmethod
    async def awaiting_collection(self, carrier_id: str, locker_id: str) -> list[ParcelToCollect]:
        """The carrier's shipments in TO_BE_COLLECTED_STATES still in a compartment of the locker, the longest
        waiting first."""

    @abc.abstractmethod
    async def pickup_code_in_use(self, locker_id: str, code_hash: str) -> bool: ...

    @abc.abstractmethod
    async def save(self, shipment: Shipment) -> None:
        """Persist changes and recorded transitions; raises ConcurrencyConflict if changed meanwhile, and
        PickupCodeTaken if another shipment of the locker holds its pickup code (at once, or at the latest when the
        unit of work commits)."""

    @abc.abstractmethod
    async def tracking_numbers_in(self, locker_id: str) -> dict[int, str]:
        """The tracking number of the parcel each compartment of the locker holds or is opened for, by compartment
        number (compartments with none are left out)."""


class AccountRepository(abc.ABC):
    @abc.abstractmethod
    async def add_api_key(self, key_hash: str, principal: Principal, at: datetime) -> None:
        """Keys of carriers and terminals, stored only as their SHA-256."""

    @abc.abstractmethod
    async def principal_by_key_hash(self, key_hash: str) -> Principal | None: ...

    @abc.abstractmethod
    async def add_carrier(self, carrier: Carrier) -> None: ...

    @abc.abstractmethod
    async def get_carrier(self, carrier_id: str) -> Carrier | None: ...

    @abc.abstractmethod
    async def add_courier(self, courier: Courier, pin_hash: str) -> None: ...

    @abc.abstractmethod
    async def courier_with_pin_hash(self, courier_id: str) -> tuple[Courier, str] | None: ...

    @abc.abstractmethod
    async def add_operator(self, operator: Operator, password_hash: str) -> None: ...

    @abc.abstractmethod
    async def operator_with_password_hash(self, operator_id: str) -> tuple[Operator, str] | None: ...


class LockoutRepository(abc.ABC):
    @abc.abstractmethod
    async def get(self, key: str) -> Lockout:
        """The record for `key` (a new empty one if there is none), locked for this unit of work."""

    @abc.abstractmethod
    async def save(self, lockout: Lockout) -> None: ...


class AlarmRepository(abc.ABC):
    @abc.abstractmethod
    async def add(self, alarm: Alarm) -> None: ...

    @abc.abstractmethod
    async def for_locker(self, locker_id: str | None) -> list[Alarm]: ...

    @abc.abstractmethod
    async def get(self, alarm_id: str) -> Alarm | None: ...

    @abc.abstractmethod
    async def latest(self, limit: int, *, open_only: bool = False) -> list[Alarm]:
        """The newest `limit` alarms of every locker (only those not acknowledged yet: `open_only`), newest first."""

    @abc.abstractmethod
    async def acknowledge(self, alarm: Alarm) -> None:
        """Keep the acknowledgement of an alarm that had none; ConcurrencyConflict if it got one meanwhile (at once,
        or at the latest when the unit of work commits)."""


class TransitionHistory(abc.ABC):
    """The kept transitions of shipments and compartments, read back."""

    @abc.abstractmethod
    async def of_subject(self, subject: str, subject_id: str, *, newest: int | None = None) -> list[Transition]:
        """The transitions of one shipment or compartment (only the `newest` ones if given), oldest first."""

    @abc.abstractmethod
    async def of_locker_compartments(self, locker_id: str, since: datetime) -> list[Transition]:
        """The transitions of the locker's compartments at or after `since`, in the order they happened."""


class AuditLog(abc.ABC):
    @abc.abstractmethod
    async def append(self, record: AuditRecord) -> None:
        """Queue an entry; it is chained to the previous one and written when the unit of work commits."""

    @abc.abstractmethod
    def entries(self) -> AsyncIterator[AuditEntry]:
        """Every entry, oldest first."""


@dataclass(frozen=True, slots=True)
class StoredReply:
    fingerprint: str
    body: Any


class IdempotencyStore(abc.ABC):
    @abc.abstractmethod
    async def get(self, scope: str, key: str) -> StoredReply | None: ...

    @abc.abstractmethod
    async def add(self, scope: str, key: str, reply: StoredReply, at: datetime) -> None: ...

    @abc.abstractmethod
    async def forget_before(self, cutoff: datetime) -> int:
        """Forget the replies stored before `cutoff` (they may hold personal data); how many were forgotten."""


class TerminalEventLog(abc.ABC):
    """Which events of a terminal were applied already, so each is applied exactly once."""

    @abc.abstractmethod
    async def applied(self, locker_id: str, seq: int) -> Any | None:
        """The reply given when this event was applied, or None if it is new."""

    @abc.abstractmethod
    async def record(self, locker_id: str, seq: int, reply: Any, at: datetime) -> None: ...


@dataclass(frozen=True, slots=True)
class Notification:
    id: str
    shipment_id: str | None  # None for a rental's notification
    channel: str  # "email" or "sms"
    address: str
    template: str
    language: str
    sealed_payload: str  # the code and other secrets, encrypted with the server key
    created_at: datetime
    attempts: int = 0  # failed deliveries so far
    rental_id: str | None = None  # a rental's notification (its code), instead of a shipment's


class NotificationOutbox(abc.ABC):
    @abc.abstractmethod
    async def add(self, notification: Notification) -> None: ...

    @abc.abstractmethod
    async def pending(self, limit: int, now: datetime) -> list[Notification]:
        """Up to `limit` unsent notifications due at `now` (new, or failed before and their retry time has come),
        the longest due first, locked for this unit of work so that another server process does not send them
        too (PostgreSQL: FOR UPDATE SKIP LOCKED)."""

    @abc.abstractmethod
    async def postpone(self, notification_id: str, until: datetime) -> None:
        """Offer it again only from `until` (a sender claims it while it is on its way), changing nothing else."""

    async def claim_due(self, limit: int, now: datetime, until: datetime) -> list[Notification]:
        """`pending`, each postponed to `until`: claimed by this sender, which no other takes meanwhile. An adapter
        may claim them at once, in a statement of its own that stays whatever becomes of the unit of work (a claim
        lapses at `until`, as it would had the sender died)."""
        due = await self.pending(limit, now)
        for notification in due:
            await self.postpone(notification.id, until)
        return due

    @abc.abstractmethod
    async def mark_sent(self, notification_id: str, at: datetime) -> None: ...

    @abc.abstractmethod
    async def mark_failed(self, notification_id: str, at: datetime, error: str, retry_at: datetime) -> None:
        """Count one more failed attempt, keep `error` (it holds no secret) and offer it again from `retry_at`."""

    @abc.abstractmethod
    async def latest_payload(self, shipment_id: str, template: str) -> str | None:
        """The sealed payload of the newest notification of `template` queued for the shipment, if any."""

    @abc.abstractmethod
    async def forget_personal_data(self, shipment_id: str) -> None:
        """Blank the addresses and sealed payloads of every notification of the shipment."""


class PickupPolicyRepository(abc.ABC):
    @abc.abstractmethod
    async def get(self, subject: PolicySubject, subject_id: str) -> PickupPolicy | None: ...

    @abc.abstractmethod
    async def save(self, subject: PolicySubject, subject_id: str, policy: PickupPolicy, at: datetime) -> None:
        """Set (replace) the policy of a locker or carrier."""

    @abc.abstractmethod
    async def for_parcel(self, locker_id: str, carrier_id: str) -> tuple[PickupPolicy | None, PickupPolicy | None]:
        """The locker's and the carrier's policies (None where none is set), in one look."""


class ShipmentCalendar(abc.ABC):
    """The shipments whose time has come, each locked for this unit of work; on PostgreSQL those another
    transaction holds are skipped (FOR UPDATE SKIP LOCKED), so concurrent schedulers take different ones."""

    @abc.abstractmethod
    async def due_reminders(self, now: datetime, limit: int) -> list[Shipment]:
        """Stored shipments whose reminder is due at `now` (`remind_at` come), the earliest first."""

    @abc.abstractmethod
    async def due_expiries(self, now: datetime, limit: int) -> list[Shipment]:
        """Stored shipments whose pickup deadline is `now` or earlier, the earliest first; a parcel whose compartment
        is open for its pickup right now is left to it."""

    @abc.abstractmethod
    async def ended_before(self, cutoff: datetime, limit: int) -> list[Shipment]:
        """Shipments that ended (`ended_at`) before `cutoff` and still hold their recipient's personal data."""


class WebhookEndpointRepository(abc.ABC):
    """Carriers' webhooks (one per carrier), each with its signing secret sealed under a server key."""

    @abc.abstractmethod
    async def get(self, carrier_id: str) -> tuple[WebhookEndpoint, str] | None:
        """The carrier's webhook and its sealed secret, or None if it has none."""

    @abc.abstractmethod
    async def put(self, endpoint: WebhookEndpoint, sealed_secret: str) -> None:
        """Add the carrier's webhook, or replace it: deliveries not yet made go to the new one."""

    @abc.abstractmethod
    async def remove(self, carrier_id: str, at: datetime) -> int:
        """Remove the carrier's webhook and give up its deliveries not yet made; returns how many."""

    @abc.abstractmethod
    async def carriers(self) -> set[str]:
        """The carriers that have a webhook."""


@dataclass(frozen=True, slots=True)
class WebhookBacklog:
    """A carrier's deliveries not yet made, and why the last attempt failed."""

    waiting: int
    oldest_at: datetime | None
    last_error: str | None


@dataclass(frozen=True, slots=True)
class WebhookDelivery:
    """One event on its way to a carrier's webhook, claimed by a sender."""

    id: int
    event_id: str
    carrier_id: str
    shipment_id: str
    body: str  # the JSON, exactly as it is signed and sent each time
    created_at: datetime
    attempts: int  # failed attempts so far
    url: str | None  # the carrier's webhook now; None when it was removed meanwhile
    sealed_secret: str | None


class WebhookDeliveryQueue(abc.ABC):
    """The webhook outbox. Deliveries are queued by the unit of work itself, in the transaction that records the
    shipment's change (for a carrier with a webhook); senders claim, attempt and settle them."""

    @abc.abstractmethod
    async def claim(self, limit: int, now: datetime, until: datetime, claim: str) -> list[WebhookDelivery]:
        """Up to `limit` deliveries due at `now`, each the first of its shipment not yet made (so a shipment's
        events go out in order, one at a time), none claimed by another sender; they are marked with `claim`
        until `until`, when another sender may take them over. PostgreSQL: FOR UPDATE SKIP LOCKED."""

    @abc.abstractmethod
    async def delivered(self, delivery_id: int, claim: str, at: datetime) -> None: ...

    @abc.abstractmethod
    async def retry_later(self, delivery_id: int, claim: str, error: str, retry_at: datetime) -> None:
        """Count one more failed attempt, keep `error` (it holds no secret) and offer it again from `retry_at`."""

    @abc.abstractmethod
    async def give_up(self, delivery_id: int, claim: str, error: str, at: datetime, *, attempted: bool) -> None:
        """Never try it again (too old, or the webhook was removed); `attempted`: after one more failed attempt."""

    @abc.abstractmethod
    async def backlog(self, carrier_id: str) -> WebhookBacklog: ...


@dataclass(frozen=True, slots=True)
class ShipmentEvent:
    """A recorded change of a shipment as its carrier is told of it (by webhook, or in the event feed)."""

    event_id: str
    shipment_id: str
    tracking_number: str
    locker_id: str
    carrier_id: str
    from_state: str | None
    to_state: str
    at: datetime
    actor: Actor
    reason: str
    details: Mapping[str, str]
    cursor: str | None = None  # in the feed: where a read resumes after this event


class ShipmentEventLog(abc.ABC):
    @abc.abstractmethod
    async def of_shipment(self, shipment_id: str) -> list[ShipmentEvent]:
        """Every change of one shipment, oldest first."""

    @abc.abstractmethod
    async def of_carrier(self, carrier_id: str, after: str | None, limit: int) -> list[ShipmentEvent]:
        """Up to `limit` changes of the carrier's shipments after the cursor `after` (from the first without it),
        in the order they were committed; a change is listed once the transactions before it are settled, so
        reading on from the last cursor never skips one. Raises InvalidInput for a cursor it did not give."""


class UnitOfWork(abc.ABC):
    """One transaction over every repository. Nothing is written unless `commit` is called.

    A write may reach the database only with a later statement or at commit (PostgreSQL sends them together), so
    what it raises (a conflict, a duplicate) may come from there; the unit of work is over either way."""

    lockers: LockerRepository
    compartments: CompartmentRepository
    shipments: ShipmentRepository
    accounts: AccountRepository
    lockouts: LockoutRepository
    alarms: AlarmRepository
    audit: AuditLog
    idempotency: IdempotencyStore
    terminal_events: TerminalEventLog
    outbox: NotificationOutbox
    pickup_policies: PickupPolicyRepository
    calendar: ShipmentCalendar
    history: TransitionHistory
    rentals: RentalRepository
    rental_terms: RentalTermsRepository
    payments: PaymentLedger
    webhook_endpoints: WebhookEndpointRepository
    webhook_deliveries: WebhookDeliveryQueue
    shipment_events: ShipmentEventLog

    async def __aenter__(self) -> UnitOfWork:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.rollback()

    @abc.abstractmethod
    async def commit(self) -> None: ...

    @abc.abstractmethod
    async def rollback(self) -> None: ...
