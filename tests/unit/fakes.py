"""In-memory implementations of every port in `service/ports.py`, for tests that run in microseconds.

A `FakeDatabase` holds what is committed. A `FakeUnitOfWork` works on a private copy of it and publishes the copy
only on `commit`, so a rollback really discards everything, and saving a record that another unit of work
committed meanwhile raises `ConcurrencyConflict`, as the SQL adapters do. Repositories hand out copies, so a use
case that forgets to `save` loses its change here too.
"""

from __future__ import annotations

import copy
import dataclasses
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import orjson

from parcellocker.domain.accounts import Carrier, Courier, Operator, Principal
from parcellocker.domain.alarms import Alarm
from parcellocker.domain.allocation import choose_compartment
from parcellocker.domain.audit import GENESIS_HASH, AuditEntry, AuditRecord, chain
from parcellocker.domain.compartment import Compartment, PendingAction
from parcellocker.domain.errors import (
    ConcurrencyConflict,
    DuplicateTrackingNumber,
    InvalidInput,
    LockerFull,
    PickupCodeTaken,
)
from parcellocker.domain.events import Transition
from parcellocker.domain.locker import Locker
from parcellocker.domain.lockout import Lockout
from parcellocker.domain.occupancy import fill_by_size
from parcellocker.domain.payment import Payment, RentalAccount, Voucher
from parcellocker.domain.pickup_policy import PickupPolicy, PolicySubject
from parcellocker.domain.rental import Rental
from parcellocker.domain.rental_terms import RentalTerms
from parcellocker.domain.shipment import TO_BE_COLLECTED_STATES, Shipment, ShipmentState
from parcellocker.domain.sizes import Size
from parcellocker.domain.webhooks import WebhookEndpoint
from parcellocker.service.ports import (
    AccountRepository,
    AlarmRepository,
    AuditLog,
    Clock,
    CompartmentRepository,
    IdempotencyStore,
    LockerFill,
    LockerRepository,
    LockerSizes,
    LockoutRepository,
    Notification,
    NotificationOutbox,
    ParcelToCollect,
    PickupPolicyRepository,
    ShipmentCalendar,
    ShipmentEvent,
    ShipmentEventLog,
    ShipmentRepository,
    StoredReply,
    TerminalEventLog,
    TransitionHistory,
    UnitOfWork,
    WebhookBacklog,
    WebhookDelivery,
    WebhookDeliveryQueue,
    WebhookEndpointRepository,
)
from parcellocker.service.shipment_events import event_document

START = datetime(2025, 3, 3, 8, 0, tzinfo=UTC)
Aggregate = TypeVar("Aggregate", Compartment, Shipment, Rental)


class FakeClock(Clock):
    """A clock that stands still until a test moves it."""

    def __init__(self, start: datetime = START) -> None:
        self._now = start

    def now(self) -> datetime:
        return self._now

    def advance(self, by: timedelta) -> None:
        self._now += by


@dataclass
class FakeWebhookDelivery:
    """A queued webhook delivery and where it stands (the row of webhook_deliveries)."""

    id: int
    event_id: str
    carrier_id: str
    shipment_id: str
    order: tuple[int, int]  # the shipment's version after the change, the change's place in it
    body: str
    created_at: datetime
    next_attempt_at: datetime
    attempts: int = 0
    claim: str | None = None
    claimed_until: datetime | None = None
    last_error: str | None = None
    done_at: datetime | None = None
    outcome: str | None = None


@dataclass
class FakeDatabase:
    """What is committed. Lockers are kept without their compartments, which live in `compartments`."""

    lockers: dict[str, Locker] = field(default_factory=dict)
    compartments: dict[str, Compartment] = field(default_factory=dict)
    shipments: dict[str, Shipment] = field(default_factory=dict)
    api_keys: dict[str, Principal] = field(default_factory=dict)
    carriers: dict[str, Carrier] = field(default_factory=dict)
    couriers: dict[str, tuple[Courier, str]] = field(default_factory=dict)
    operators: dict[str, tuple[Operator, str]] = field(default_factory=dict)
    lockouts: dict[str, Lockout] = field(default_factory=dict)
    alarms: list[Alarm] = field(default_factory=list)
    audit: list[AuditEntry] = field(default_factory=list)
    transitions: list[Transition] = field(default_factory=list)
    replies: dict[tuple[str, str], StoredReply] = field(default_factory=dict)
    terminal_events: dict[tuple[str, int], Any] = field(default_factory=dict)
    outbox: dict[str, Notification] = field(default_factory=dict)
    sent: dict[str, datetime] = field(default_factory=dict)
    outbox_retry_at: dict[str, datetime] = field(default_factory=dict)
    rentals: dict[str, Rental] = field(default_factory=dict)
    rental_terms: dict[str, RentalTerms] = field(default_factory=dict)
    payments: dict[str, Payment] = field(default_factory=dict)
    vouchers: dict[str, Voucher] = field(default_factory=dict)
    rental_accounts: dict[str, RentalAccount] = field(default_factory=dict)
    reply_times: dict[tuple[str, str], datetime] = field(default_factory=dict)
    pickup_policies: dict[tuple[PolicySubject, str], PickupPolicy] = field(default_factory=dict)
    event_ids: list[str] = field(default_factory=list)  # of `transitions`, one for one
    webhooks: dict[str, tuple[WebhookEndpoint, str]] = field(default_factory=dict)
    webhook_deliveries: dict[int, FakeWebhookDelivery] = field(default_factory=dict)

    def copy(self) -> FakeDatabase:
        """A copy that shares nothing mutable with this one (frozen records are shared; that is safe)."""
        return FakeDatabase(
            lockers={k: copy.deepcopy(v) for k, v in self.lockers.items()},
            compartments={k: _copied(v) for k, v in self.compartments.items()},
            shipments={k: _copied(v) for k, v in self.shipments.items()},
            api_keys=dict(self.api_keys),
            carriers=dict(self.carriers),
            couriers=dict(self.couriers),
            operators=dict(self.operators),
            lockouts={k: dataclasses.replace(v, failures=list(v.failures)) for k, v in self.lockouts.items()},
            alarms=list(self.alarms),
            audit=list(self.audit),
            transitions=list(self.transitions),
            replies=dict(self.replies),
            terminal_events={k: copy.deepcopy(v) for k, v in self.terminal_events.items()},
            outbox=dict(self.outbox),
            sent=dict(self.sent),
            outbox_retry_at=dict(self.outbox_retry_at),
            rentals={k: _copied(v) for k, v in self.rentals.items()},
            rental_terms=dict(self.rental_terms),
            payments={k: dataclasses.replace(v) for k, v in self.payments.items()},
            vouchers=dict(self.vouchers),
            rental_accounts=dict(self.rental_accounts),
            reply_times=dict(self.reply_times),
            pickup_policies=dict(self.pickup_policies),
            event_ids=list(self.event_ids),
            webhooks=dict(self.webhooks),
            webhook_deliveries={k: dataclasses.replace(v) for k, v in self.webhook_deliveries.items()},
        )

    def publish(self, tables: FakeDatabase) -> None:
        """Make `tables` the committed state, in place, so every holder of this database sees it."""
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(tables, name))


def _copied(aggregate: Aggregate) -> Aggregate:
    """A copy of a shipment or compartment: every field is an immutable value except its list of events."""
    return dataclasses.replace(aggregate, events=list(aggregate.events))


class _Repository:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    @property
    def _tables(self) -> FakeDatabase:
        return self._uow.tables


class FakeLockerRepository(_Repository, LockerRepository):
    async def add(self, locker: Locker) -> None:
        stored = copy.deepcopy(locker)
        for compartment in locker.compartments:
            self._tables.compartments[compartment.id] = self._uow.kept(compartment)
        stored.compartments = []
        self._tables.lockers[locker.id] = stored

    async def get(self, locker_id: str, *, with_compartments: bool = True) -> Locker | None:
        stored = self._tables.lockers.get(locker_id)
        if stored is None:
            return None
        locker = copy.deepcopy(stored)
        if with_compartments:
            mine = (c for c in self._tables.compartments.values() if c.locker_id == locker_id)
            locker.compartments = [copy.deepcopy(c) for c in sorted(mine, key=lambda c: c.number)]
        return locker

    async def sizes(self, locker_id: str) -> LockerSizes | None:
        stored = self._tables.lockers.get(locker_id)
        if stored is None:
            return None
        present = frozenset(c.size for c in self._tables.compartments.values() if c.locker_id == locker_id)
        return LockerSizes(dict(stored.inner_dimensions), present)

    async def page(self, after: str, limit: int) -> list[Locker]:
        ids = [locker_id for locker_id in sorted(self._tables.lockers) if locker_id > after][:limit]
        lockers = [await self.get(locker_id) for locker_id in ids]
        return [locker for locker in lockers if locker is not None]

    async def fill_page(self, after: str, limit: int) -> list[LockerFill]:
        page = await self.page(after, limit)
        return [LockerFill(dataclasses.replace(locker, compartments=[]), fill_by_size(locker.compartments))
                for locker in page]  # fmt: skip

    async def exists(self, locker_id: str) -> bool:
        return locker_id in self._tables.lockers


class FakeCompartmentRepository(_Repository, CompartmentRepository):
    async def get(self, compartment_id: str) -> Compartment | None:
        return copy.deepcopy(self._tables.compartments.get(compartment_id))

    async def by_number(self, locker_id: str, number: int) -> Compartment | None:
        found = (c for c in self._tables.compartments.values() if c.locker_id == locker_id and c.number == number)
        return copy.deepcopy(next(found, None))

    async def by_number_at_event(self, locker_id: str, number: int, seq: int) -> tuple[Compartment | None, Any | None]:
        reply = copy.deepcopy(self._tables.terminal_events.get((locker_id, seq)))
        return await self.by_number(locker_id, number), reply

    async def claim_free(
        self, locker_id: str, sizes: Sequence[Size], *, carrier_id: str | None = None, reachable: bool = False
    ) -> Compartment | None:
        candidates = [c for c in self._tables.compartments.values() if c.locker_id == locker_id]
        try:
            return copy.deepcopy(choose_compartment(candidates, sizes, reachable=reachable, carrier_id=carrier_id))
        except LockerFull:
            return None

    async def save(self, compartment: Compartment) -> None:
        self._tables.compartments[compartment.id] = self._uow.versioned("compartments", compartment)


class FakeShipmentRepository(_Repository, ShipmentRepository):
    async def add(self, shipment: Shipment) -> None:
        for other in self._tables.shipments.values():
            if (other.carrier_id, other.tracking_number) == (shipment.carrier_id, shipment.tracking_number):
                raise DuplicateTrackingNumber(f"tracking number {shipment.tracking_number} was announced already")
        self._tables.shipments[shipment.id] = self._uow.kept(shipment)

    async def get(self, shipment_id: str) -> Shipment | None:
        return copy.deepcopy(self._tables.shipments.get(shipment_id))

    async def by_tracking_number(self, carrier_id: str | None, tracking_number: str) -> list[Shipment]:
        return [
            copy.deepcopy(s)
            for s in self._tables.shipments.values()
            if s.tracking_number == tracking_number and carrier_id in (None, s.carrier_id)
        ]

    async def for_deposit(self, carrier_id: str, tracking_number: str) -> Shipment | None:
        mine = await self.by_tracking_number(carrier_id, tracking_number)
        return max(mine, key=lambda s: s.created_at, default=None)

    async def by_pickup_code(
        self, locker_id: str, code_hash: str, *, lockout_key: str | None = None
    ) -> Shipment | None:
        found = (
            s
            for s in self._tables.shipments.values()
            if s.locker_id == locker_id and s.pickup_code_hash is not None and s.pickup_code_hash == code_hash
        )
        return copy.deepcopy(next(found, None))

    async def pickup_code_in_use(self, locker_id: str, code_hash: str) -> bool:
        return await self.by_pickup_code(locker_id, code_hash) is not None

    async def by_dropoff_code(self, locker_id: str, code_hash: str) -> Shipment | None:
        found = (
            s
            for s in self._tables.shipments.values()
            if s.locker_id == locker_id and s.dropoff_code_hash is not None and s.dropoff_code_hash == code_hash
        )
        return copy.deepcopy(next(found, None))

    async def awaiting_collection(self, carrier_id: str, locker_id: str) -> list[ParcelToCollect]:
        parcels = []
        for shipment in self._tables.shipments.values():
            if (shipment.carrier_id, shipment.locker_id) != (carrier_id, locker_id):
                continue
            if shipment.state not in TO_BE_COLLECTED_STATES:
                continue
            compartment = self._tables.compartments.get(shipment.compartment_id or "")
            if compartment is None:
                continue
            state = shipment.state.value
            moved = [t.at for t in self._tables.transitions if t.subject_id == shipment.id and t.to_state == state]
            since = max(moved, default=shipment.pickup_deadline or shipment.created_at)
            parcels.append(
                ParcelToCollect(
                    shipment.id, shipment.tracking_number, compartment.number, since, state, shipment.kind.value
                )
            )
        return sorted(parcels, key=lambda parcel: (parcel.expired_at, parcel.compartment_number))

    async def save(self, shipment: Shipment) -> None:
        code = (shipment.locker_id, shipment.pickup_code_hash)  # unique among the live codes, as in the store
        if code[1] is not None:
            for other in self._tables.shipments.values():
                if other.id != shipment.id and (other.locker_id, other.pickup_code_hash) == code:
                    raise PickupCodeTaken(f"the pickup code of {shipment.tracking_number} is live at {code[0]}")
        self._tables.shipments[shipment.id] = self._uow.versioned("shipments", shipment)

    async def tracking_numbers_in(self, locker_id: str) -> dict[int, str]:
        return {
            c.number: self._tables.shipments[c.shipment_id].tracking_number
            for c in self._tables.compartments.values()
            if c.locker_id == locker_id and c.shipment_id is not None
        }


class FakeAccountRepository(_Repository, AccountRepository):
    async def add_api_key(self, key_hash: str, principal: Principal, at: datetime) -> None:
        self._tables.api_keys[key_hash] = principal

    async def principal_by_key_hash(self, key_hash: str) -> Principal | None:
        return self._tables.api_keys.get(key_hash)

    async def add_carrier(self, carrier: Carrier) -> None:
        self._tables.carriers[carrier.id] = carrier

    async def get_carrier(self, carrier_id: str) -> Carrier | None:
        return self._tables.carriers.get(carrier_id)

    async def add_courier(self, courier: Courier, pin_hash: str) -> None:
        self._tables.couriers[courier.id] = (courier, pin_hash)

    async def courier_with_pin_hash(self, courier_id: str) -> tuple[Courier, str] | None:
        return self._tables.couriers.get(courier_id)

    async def add_operator(self, operator: Operator, password_hash: str) -> None:
        self._tables.operators[operator.id] = (operator, password_hash)

    async def operator_with_password_hash(self, operator_id: str) -> tuple[Operator, str] | None:
        return self._tables.operators.get(operator_id)


class FakeLockoutRepository(_Repository, LockoutRepository):
    async def get(self, key: str) -> Lockout:
        return copy.deepcopy(self._tables.lockouts.get(key)) or Lockout(key)

    async def save(self, lockout: Lockout) -> None:
        self._tables.lockouts[lockout.key] = copy.deepcopy(lockout)


class FakeAlarmRepository(_Repository, AlarmRepository):
    async def add(self, alarm: Alarm) -> None:
        self._tables.alarms.append(alarm)

    async def for_locker(self, locker_id: str | None) -> list[Alarm]:
        return [a for a in self._tables.alarms if locker_id in (None, a.locker_id)]

    async def get(self, alarm_id: str) -> Alarm | None:
        return next((a for a in self._tables.alarms if a.id == alarm_id), None)

    async def latest(self, limit: int, *, open_only: bool = False) -> list[Alarm]:
        newest = sorted(self._tables.alarms, key=lambda a: (a.at, a.id), reverse=True)
        return [a for a in newest if not (open_only and a.acknowledged_at is not None)][:limit]

    async def acknowledge(self, alarm: Alarm) -> None:
        for tables in (self._tables, self._uow.database):  # acknowledged here, or by a unit of work committed since
            if any(a.id == alarm.id and a.acknowledged_at is not None for a in tables.alarms):
                raise ConcurrencyConflict(f"alarm {alarm.id} was acknowledged meanwhile")
        self._tables.alarms = [alarm if a.id == alarm.id else a for a in self._tables.alarms]


class FakeTransitionHistory(_Repository, TransitionHistory):
    async def of_subject(self, subject: str, subject_id: str, *, newest: int | None = None) -> list[Transition]:
        found = [t for t in self._tables.transitions if (t.subject, t.subject_id) == (subject, subject_id)]
        return found if newest is None else found[-newest:] if newest else []

    async def of_locker_compartments(self, locker_id: str, since: datetime) -> list[Transition]:
        mine = {c.id for c in self._tables.compartments.values() if c.locker_id == locker_id}
        found = [t for t in self._tables.transitions if t.subject == "compartment" and t.subject_id in mine]
        return sorted((t for t in found if t.at >= since), key=lambda t: t.at)


class FakeAuditLog(_Repository, AuditLog):
    async def append(self, record: AuditRecord) -> None:
        self._uow.audit_queue.append(record)

    async def entries(self) -> AsyncIterator[AuditEntry]:
        for entry in list(self._tables.audit):
            yield entry


class FakeIdempotencyStore(_Repository, IdempotencyStore):
    async def get(self, scope: str, key: str) -> StoredReply | None:
        return self._tables.replies.get((scope, key))

    async def add(self, scope: str, key: str, reply: StoredReply, at: datetime) -> None:
        if (scope, key) in self._uow.database.replies:  # a concurrent request with this key committed first
            raise ConcurrencyConflict(f"Idempotency-Key {key} was stored meanwhile")
        self._tables.replies[(scope, key)] = reply
        self._tables.reply_times[(scope, key)] = at

    async def forget_before(self, cutoff: datetime) -> int:
        old = [key for key, at in self._tables.reply_times.items() if at < cutoff]
        for key in old:
            del self._tables.replies[key], self._tables.reply_times[key]
        return len(old)


class FakeTerminalEventLog(_Repository, TerminalEventLog):
    async def applied(self, locker_id: str, seq: int) -> Any | None:
        return copy.deepcopy(self._tables.terminal_events.get((locker_id, seq)))

    async def record(self, locker_id: str, seq: int, reply: Any, at: datetime) -> None:
        self._tables.terminal_events[(locker_id, seq)] = copy.deepcopy(reply)


class FakeNotificationOutbox(_Repository, NotificationOutbox):
    async def add(self, notification: Notification) -> None:
        self._tables.outbox[notification.id] = notification

    async def pending(self, limit: int, now: datetime) -> list[Notification]:
        waiting = [
            n
            for n in self._tables.outbox.values()
            if n.id not in self._tables.sent and self._tables.outbox_retry_at.get(n.id, n.created_at) <= now
        ]
        return sorted(waiting, key=lambda n: self._tables.outbox_retry_at.get(n.id, n.created_at))[:limit]

    async def postpone(self, notification_id: str, until: datetime) -> None:
        self._tables.outbox_retry_at[notification_id] = until

    async def mark_sent(self, notification_id: str, at: datetime) -> None:
        self._tables.sent[notification_id] = at

    async def mark_failed(self, notification_id: str, at: datetime, error: str, retry_at: datetime) -> None:
        failed = self._tables.outbox[notification_id]
        self._tables.outbox[notification_id] = dataclasses.replace(failed, attempts=failed.attempts + 1)
        self._tables.outbox_retry_at[notification_id] = retry_at

    async def latest_payload(self, shipment_id: str, template: str) -> str | None:
        mine = [n for n in self._tables.outbox.values() if (n.shipment_id, n.template) == (shipment_id, template)]
        newest = max(mine, key=lambda n: n.created_at, default=None)
        return newest.sealed_payload if newest is not None and newest.sealed_payload else None

    async def forget_personal_data(self, shipment_id: str) -> None:
        for n in list(self._tables.outbox.values()):
            if n.shipment_id == shipment_id:
                self._tables.outbox[n.id] = dataclasses.replace(n, address="", sealed_payload="")


class FakePickupPolicyRepository(_Repository, PickupPolicyRepository):
    async def get(self, subject: PolicySubject, subject_id: str) -> PickupPolicy | None:
        return self._tables.pickup_policies.get((subject, subject_id))

    async def save(self, subject: PolicySubject, subject_id: str, policy: PickupPolicy, at: datetime) -> None:
        self._tables.pickup_policies[(subject, subject_id)] = policy

    async def for_parcel(self, locker_id: str, carrier_id: str) -> tuple[PickupPolicy | None, PickupPolicy | None]:
        return await self.get(PolicySubject.LOCKER, locker_id), await self.get(PolicySubject.CARRIER, carrier_id)


class FakeShipmentCalendar(_Repository, ShipmentCalendar):
    """The same searches as the SQL calendar, over the copy this unit of work holds (nothing to skip: fake units
    of work never run at the same time)."""

    async def due_reminders(self, now: datetime, limit: int) -> list[Shipment]:
        due = [s for s in self._tables.shipments.values() if s.reminder_due(now)]
        return [copy.deepcopy(s) for s in sorted(due, key=lambda s: (s.remind_at, s.id))[:limit]]

    async def due_expiries(self, now: datetime, limit: int) -> list[Shipment]:
        def being_picked_up(shipment: Shipment) -> bool:
            held = self._tables.compartments.get(shipment.compartment_id or "")
            return held is not None and held.pending is PendingAction.PICKUP

        due = [
            s
            for s in self._tables.shipments.values()
            if s.state is ShipmentState.STORED
            and s.pickup_deadline is not None
            and s.pickup_deadline <= now
            and not being_picked_up(s)
        ]
        return [copy.deepcopy(s) for s in sorted(due, key=lambda s: (s.pickup_deadline, s.id))[:limit]]

    async def ended_before(self, cutoff: datetime, limit: int) -> list[Shipment]:
        ended = [
            s
            for s in self._tables.shipments.values()
            if s.ended_at is not None and s.ended_at < cutoff and s.personal_data_erased_at is None
        ]
        return [copy.deepcopy(s) for s in sorted(ended, key=lambda s: (s.ended_at, s.id))[:limit]]


class FakeWebhookEndpoints(_Repository, WebhookEndpointRepository):
    async def get(self, carrier_id: str) -> tuple[WebhookEndpoint, str] | None:
        return self._tables.webhooks.get(carrier_id)

    async def put(self, endpoint: WebhookEndpoint, sealed_secret: str) -> None:
        self._tables.webhooks[endpoint.carrier_id] = (endpoint, sealed_secret)

    async def remove(self, carrier_id: str, at: datetime) -> int:
        self._tables.webhooks.pop(carrier_id, None)
        waiting = [d for d in self._tables.webhook_deliveries.values() if d.carrier_id == carrier_id and not d.done_at]
        for delivery in waiting:
            delivery.done_at, delivery.outcome, delivery.claim = at, "abandoned", None
            delivery.last_error = "the webhook was removed"
        return len(waiting)

    async def carriers(self) -> set[str]:
        return set(self._tables.webhooks)


class FakeWebhookDeliveries(_Repository, WebhookDeliveryQueue):
    async def claim(self, limit: int, now: datetime, until: datetime, claim: str) -> list[WebhookDelivery]:
        waiting = [d for d in self._tables.webhook_deliveries.values() if d.done_at is None]
        due = [
            d
            for d in sorted(waiting, key=lambda d: (d.next_attempt_at, d.id))
            if d.next_attempt_at <= now
            and (d.claimed_until is None or d.claimed_until <= now)
            and not any(e.shipment_id == d.shipment_id and e.order < d.order for e in waiting)
        ][:limit]
        claimed = []
        for delivery in due:
            delivery.claim, delivery.claimed_until = claim, until
            endpoint, sealed = self._tables.webhooks.get(delivery.carrier_id) or (None, None)
            url = endpoint.url if endpoint else None
            d = delivery
            claimed.append(WebhookDelivery(d.id, d.event_id, d.carrier_id, d.shipment_id, d.body, d.created_at,
                                           d.attempts, url, sealed))  # fmt: skip
        return claimed

    async def delivered(self, delivery_id: int, claim: str, at: datetime) -> None:
        if (delivery := self._claimed(delivery_id, claim)) is not None:
            delivery.done_at, delivery.outcome, delivery.claim, delivery.claimed_until = at, "delivered", None, None

    async def retry_later(self, delivery_id: int, claim: str, error: str, retry_at: datetime) -> None:
        if (delivery := self._claimed(delivery_id, claim)) is not None:
            delivery.attempts += 1
            delivery.last_error, delivery.next_attempt_at = error, retry_at
            delivery.claim, delivery.claimed_until = None, None

    async def give_up(self, delivery_id: int, claim: str, error: str, at: datetime, *, attempted: bool) -> None:
        if (delivery := self._claimed(delivery_id, claim)) is not None:
            delivery.attempts += int(attempted)
            delivery.last_error, delivery.done_at, delivery.outcome = error, at, "abandoned"
            delivery.claim, delivery.claimed_until = None, None

    async def backlog(self, carrier_id: str) -> WebhookBacklog:
        waiting = [d for d in self._tables.webhook_deliveries.values() if d.carrier_id == carrier_id and not d.done_at]
        failed = sorted((d for d in waiting if d.last_error), key=lambda d: d.next_attempt_at)
        oldest = min((d.created_at for d in waiting), default=None)
        return WebhookBacklog(len(waiting), oldest, failed[-1].last_error if failed else None)

    def _claimed(self, delivery_id: int, claim: str) -> FakeWebhookDelivery | None:
        delivery = self._tables.webhook_deliveries.get(delivery_id)
        return delivery if delivery is not None and delivery.claim == claim else None


class FakeShipmentEventLog(_Repository, ShipmentEventLog):
    """Events from the kept transitions; a cursor is the transition's place in the list."""

    async def of_shipment(self, shipment_id: str) -> list[ShipmentEvent]:
        return [event for event in self._events() if event.shipment_id == shipment_id]

    async def of_carrier(self, carrier_id: str, after: str | None, limit: int) -> list[ShipmentEvent]:
        if after is not None and not after.isdigit():
            raise InvalidInput("`after` is not a cursor this feed gave")
        start = -1 if after is None else int(after)
        mine = [e for e in self._events() if e.carrier_id == carrier_id and int(e.cursor or 0) > start]
        return mine[:limit]

    def _events(self) -> list[ShipmentEvent]:
        tables = self._tables
        return [
            shipment_event(transition, tables.event_ids[place], tables.shipments[transition.subject_id], str(place))
            for place, transition in enumerate(tables.transitions)
            if transition.subject == "shipment" and transition.subject_id in tables.shipments
        ]


def shipment_event(transition: Transition, event_id: str, shipment: Shipment, cursor: str | None) -> ShipmentEvent:
    return ShipmentEvent(
        event_id=event_id,
        shipment_id=shipment.id,
        tracking_number=shipment.tracking_number,
        locker_id=shipment.locker_id,
        carrier_id=shipment.carrier_id,
        from_state=None if transition.from_state is None else str(transition.from_state),
        to_state=str(transition.to_state),
        at=transition.at,
        actor=transition.actor,
        reason=transition.reason,
        details=dict(transition.details),
        cursor=cursor,
    )


from .rental_fakes import FakePaymentLedger, FakeRentalRepository, FakeRentalTermsRepository  # noqa: E402


class FakeUnitOfWork(UnitOfWork):
    """Works on a copy of the database; `commit` publishes it, `rollback` throws it away."""

    def __init__(self, database: FakeDatabase) -> None:
        self.database = database
        self.committed = False
        self.commits = 0
        self.lockers = FakeLockerRepository(self)
        self.compartments = FakeCompartmentRepository(self)
        self.shipments = FakeShipmentRepository(self)
        self.accounts = FakeAccountRepository(self)
        self.lockouts = FakeLockoutRepository(self)
        self.alarms = FakeAlarmRepository(self)
        self.audit = FakeAuditLog(self)
        self.idempotency = FakeIdempotencyStore(self)
        self.terminal_events = FakeTerminalEventLog(self)
        self.outbox = FakeNotificationOutbox(self)
        self.pickup_policies = FakePickupPolicyRepository(self)
        self.calendar = FakeShipmentCalendar(self)
        self.history = FakeTransitionHistory(self)
        self.rentals = FakeRentalRepository(self)
        self.rental_terms = FakeRentalTermsRepository(self)
        self.payments = FakePaymentLedger(self)
        self.webhook_endpoints = FakeWebhookEndpoints(self)
        self.webhook_deliveries = FakeWebhookDeliveries(self)
        self.shipment_events = FakeShipmentEventLog(self)
        self._begin()

    def _begin(self) -> None:
        self.tables = self.database.copy()
        self.audit_queue: list[AuditRecord] = []
        self._begun_with = {("compartments", c.id): c.version for c in self.tables.compartments.values()}
        self._begun_with |= {("shipments", s.id): s.version for s in self.tables.shipments.values()}
        self._begun_with |= {("rentals", r.id): r.version for r in self.tables.rentals.values()}
        self._begun_with |= {("payments", p.id): p.version for p in self.tables.payments.values()}
        self._saved: set[tuple[str, str]] = set()

    def versioned(self, table: str, record: Compartment | Shipment | Rental | Payment) -> Any:
        """A copy of `record` to keep, one version on; refused if another unit of work changed it first.

        Like the SQL repositories, this moves the version of `record` on too."""
        key = (table, record.id)
        self._check_unchanged(key)
        self._saved.add(key)
        record.version = self._begun_with.get(key, 0) + 1
        return self.kept(record)

    def kept(self, record: Compartment | Shipment | Rental | Payment) -> Any:
        """A copy of `record` to keep, its recorded transitions moved to `transitions`, as the SQL adapters do
        (an aggregate is loaded without its history, which is kept once)."""
        if isinstance(record, Payment):  # payments keep no transitions
            return copy.deepcopy(record)
        for position, event in enumerate(record.events):
            event_id = str(uuid.uuid4())
            self.tables.transitions.append(event)
            self.tables.event_ids.append(event_id)
            if isinstance(record, Shipment) and record.carrier_id in self.tables.webhooks:
                self._queue_webhook(record, event, event_id, position)
        record.events.clear()
        return copy.deepcopy(record)

    def _queue_webhook(self, shipment: Shipment, event: Transition, event_id: str, position: int) -> None:
        """As the SQL unit of work does: a delivery for a change of a shipment whose carrier has a webhook."""
        deliveries = self.tables.webhook_deliveries
        number = max(deliveries, default=0) + 1
        body = orjson.dumps(event_document(shipment_event(event, event_id, shipment, None))).decode()
        deliveries[number] = FakeWebhookDelivery(
            number, event_id, shipment.carrier_id, shipment.id, (shipment.version, position), body, event.at, event.at
        )

    def _check_unchanged(self, key: tuple[str, str]) -> None:
        table, record_id = key
        committed: Compartment | Shipment | Rental | Payment | None = getattr(self.database, table).get(record_id)
        if committed is not None and committed.version != self._begun_with.get(key, 0):
            raise ConcurrencyConflict(f"{table[:-1]} {record_id} was changed by someone else")

    async def commit(self) -> None:
        for key in self._saved:
            self._check_unchanged(key)
        prev_hash = self.tables.audit[-1].hash if self.tables.audit else GENESIS_HASH
        for record in self.audit_queue:
            entry = chain(len(self.tables.audit) + 1, record, prev_hash)
            self.tables.audit.append(entry)
            prev_hash = entry.hash
        self.database.publish(self.tables)
        self.committed = True
        self.commits += 1
        self._begin()

    async def rollback(self) -> None:
        self._begin()
