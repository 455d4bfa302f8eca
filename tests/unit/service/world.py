"""A small world for use-case tests: an operator, two carriers, a courier, two lockers and their terminals.

It is set up once per session with the real use cases (argon2 makes courier PINs slow to hash) and every test
gets its own copy of the database and its own clock.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from parcellocker.domain.accounts import Principal, Role
from parcellocker.domain.alarms import Alarm, AlarmKind
from parcellocker.domain.codes import hash_pickup_code, locker_code_key_purpose
from parcellocker.domain.compartment import Compartment, DoorState
from parcellocker.domain.events import Transition
from parcellocker.domain.shipment import Recipient, Shipment
from parcellocker.domain.sizes import Dimensions, ParcelSpec, Size
from parcellocker.security.keys import ServerKeys
from parcellocker.security.sealing import unseal
from parcellocker.service.accounts import (
    AddCarrier,
    AddCourier,
    AddOperator,
    Authenticate,
    SignIn,
    add_carrier,
    add_courier,
    add_operator,
    authenticate,
    sign_in,
)
from parcellocker.service.context import Env, Policy, Replay, Services
from parcellocker.service.deposits import CompartmentOpened, DepositParcel, deposit_parcel
from parcellocker.service.door_events import DoorEventApplied, ReportDoor, report_door
from parcellocker.service.lockers import AddLocker, add_locker
from parcellocker.service.pickups import PickUpParcel, pick_up_parcel
from parcellocker.service.ports import Notification
from parcellocker.service.shipments import AnnounceShipment, announce_shipment

from ..fakes import START, FakeClock, FakeDatabase, FakeUnitOfWork

LOCKER = "LOCKER-1"  # S:2 (doors 1-2), M:2 (doors 3-4), L:1 (door 5)
OTHER_LOCKER = "LOCKER-2"  # M:1
COURIER_PIN = "482915"
OPERATOR_PASSWORD = "correct horse battery"
KEYS = ServerKeys.from_secret(bytes(range(32)))
RECIPIENT = Recipient(email="ola@example.com", phone="+48 600 100 200", name="Ola")

C = TypeVar("C")
R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class Cast:
    operator: Principal
    carrier: Principal
    carrier_key: str
    other_carrier: Principal
    courier: Principal
    terminal: Principal
    terminal_key: str
    other_terminal: Principal


@dataclass(frozen=True, slots=True)
class StoredParcel:
    shipment_id: str
    compartment_number: int
    code: str
    qr_token: str


class World:
    def __init__(self, database: FakeDatabase, cast: Cast, clock: FakeClock, policy: Policy | None = None) -> None:
        self.db = database
        self.cast = cast
        self.clock = clock
        self.env = Env(clock=clock, keys=KEYS, policy=policy or Policy())
        self.services = Services(uow_factory=self.uow, env=self.env)
        self._seq = itertools.count(1)

    def uow(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self.db)

    async def run(self, use_case: Callable[..., Any], command: Any, replay: Replay | None = None) -> Any:
        """Run a use case the way the API does, returning its result as it is."""
        return await self.services.run(use_case, command, lambda result: result, replay)

    # -- the steps of the two flows -------------------------------------------------------------------------

    async def announce(
        self,
        tracking_number: str,
        *,
        size: Size | None = Size.S,
        dimensions: Dimensions | None = None,
        locker_id: str = LOCKER,
        by: Principal | None = None,
    ) -> Shipment:
        command = AnnounceShipment(
            by or self.cast.carrier, tracking_number, locker_id, ParcelSpec(size, dimensions), RECIPIENT
        )
        shipment: Shipment = await self.run(announce_shipment, command)
        return shipment

    async def deposit(
        self, tracking_number: str, *, locker_id: str = LOCKER, by: Principal | None = None
    ) -> CompartmentOpened:
        opened: CompartmentOpened = await self.run(
            deposit_parcel, DepositParcel(by or self.cast.courier, locker_id, tracking_number)
        )
        return opened

    async def door(
        self,
        number: int,
        door: DoorState,
        *,
        seq: int | None = None,
        locker_id: str = LOCKER,
        by: Principal | None = None,
    ) -> DoorEventApplied:
        command = ReportDoor(by or self.cast.terminal, locker_id, number, door, next(self._seq) if seq is None else seq)
        applied: DoorEventApplied = await self.run(report_door, command)
        return applied

    async def pick_up(
        self, *, code: str | None = None, qr_token: str | None = None, by: Principal | None = None
    ) -> CompartmentOpened:
        opened: CompartmentOpened = await self.run(
            pick_up_parcel, PickUpParcel(by or self.cast.terminal, LOCKER, code, qr_token)
        )
        return opened

    async def store_parcel(self, tracking_number: str, size: Size = Size.S) -> StoredParcel:
        """Announce, deposit and close the door: the parcel waits in the locker with its code issued."""
        shipment = await self.announce(tracking_number, size=size)
        opened = await self.deposit(tracking_number)
        await self.door(opened.compartment.number, DoorState.OPEN)
        await self.door(opened.compartment.number, DoorState.CLOSED)
        sealed = self.sealed_secrets(shipment.id)
        return StoredParcel(shipment.id, opened.compartment.number, sealed["code"], sealed["qr"])

    # -- looking at what was committed ----------------------------------------------------------------------

    def shipment(self, shipment_id: str) -> Shipment:
        return self.db.shipments[shipment_id]

    def compartment(self, number: int, locker_id: str = LOCKER) -> Compartment:
        return self.db.compartments[f"{locker_id}/{number}"]

    def transitions(self, subject_id: str) -> list[Transition]:
        """The kept history of one shipment or compartment, oldest first."""
        return [t for t in self.db.transitions if t.subject_id == subject_id]

    def notifications(self, shipment_id: str) -> list[Notification]:
        return [n for n in self.db.outbox.values() if n.shipment_id == shipment_id]

    def sealed_secrets(self, shipment_id: str) -> dict[str, Any]:
        """What the recipient's message will carry, unsealed with the server's notification key."""
        payloads = [unseal(KEYS.derive("notification-seal"), n.sealed_payload) for n in self.notifications(shipment_id)]
        assert payloads, f"no notification was queued for shipment {shipment_id}"
        assert all(p == payloads[0] for p in payloads), "every channel must carry the same code"
        return payloads[0]

    def code_hash(self, code: str, locker_id: str = LOCKER) -> str:
        return hash_pickup_code(KEYS.derive(locker_code_key_purpose(locker_id)), code)

    def alarms(self, kind: AlarmKind) -> list[Alarm]:
        return [alarm for alarm in self.db.alarms if alarm.kind is kind]

    def audit_actions(self) -> list[str]:
        return [entry.record.action for entry in self.db.audit]


def wrong_code(code: str) -> str:
    """A code of the same length that is certainly not `code`."""
    return str((int(code[0]) + 1) % 10) + code[1:]


@dataclass(frozen=True, slots=True)
class Template:
    database: FakeDatabase
    cast: Cast

    def world(self, policy: Policy | None = None) -> World:
        return World(self.database.copy(), self.cast, FakeClock(START + timedelta(minutes=5)), policy)


async def build_template() -> Template:
    """Set the world up through the real use cases, as an operator would on the first day."""
    database = FakeDatabase()
    services = Services(uow_factory=lambda: FakeUnitOfWork(database), env=Env(FakeClock(START), KEYS, Policy()))

    def same(result: R) -> R:
        return result

    await services.run(add_operator, AddOperator("anna", "Anna", OPERATOR_PASSWORD), same)
    operator = Principal(Role.OPERATOR, "anna")
    carrier_added = await services.run(add_carrier, AddCarrier(operator, "Fast Parcels", "fast"), same)
    other_added = await services.run(add_carrier, AddCarrier(operator, "Slow Parcels", "slow"), same)
    await services.run(add_courier, AddCourier(operator, "kuba", "fast", "Kuba", COURIER_PIN), same)
    signed_in = await services.run(sign_in, SignIn(Role.COURIER, "kuba", COURIER_PIN), same)
    locker = await services.run(
        add_locker, AddLocker(operator, "Main Street", "Main Street 1", "S:2,M:2,L:1", LOCKER), same
    )
    other_locker = await services.run(
        add_locker, AddLocker(operator, "Harbour", "Harbour 7", "M:1", OTHER_LOCKER), same
    )
    cast = Cast(
        operator=operator,
        carrier=await services.read(authenticate, Authenticate(carrier_added.api_key)),
        carrier_key=carrier_added.api_key,
        other_carrier=await services.read(authenticate, Authenticate(other_added.api_key)),
        courier=signed_in.principal,
        terminal=await services.read(authenticate, Authenticate(locker.terminal_key)),
        terminal_key=locker.terminal_key,
        other_terminal=await services.read(authenticate, Authenticate(other_locker.terminal_key)),
    )
    return Template(database, cast)
