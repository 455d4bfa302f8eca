"""The use cases of the service layer, run by Services on the SQL unit of work, from a new locker to a pickup."""

from __future__ import annotations

import asyncio
from typing import Any, TypeVar

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from parcellocker.adapters.db.unit_of_work import SqlUnitOfWork
from parcellocker.domain.accounts import Principal, Role
from parcellocker.domain.alarms import AlarmKind
from parcellocker.domain.audit import verify_chain
from parcellocker.domain.compartment import CompartmentState, DoorState
from parcellocker.domain.errors import DuplicateTrackingNumber, PickupCodeNotFound, PickupCodeTaken
from parcellocker.domain.shipment import Recipient, ShipmentState
from parcellocker.domain.sizes import ParcelSpec, Size
from parcellocker.security.sealing import unseal
from parcellocker.service import door_events
from parcellocker.service.accounts import AddCarrier, AddCourier, Authenticate, add_carrier, add_courier, authenticate
from parcellocker.service.context import Replay, Services
from parcellocker.service.deposits import DepositParcel, deposit_parcel
from parcellocker.service.door_events import ReportDoor, report_door
from parcellocker.service.lockers import AddLocker, add_locker
from parcellocker.service.pickups import PickUpParcel, pick_up_parcel
from parcellocker.service.shipments import AnnounceShipment, GetShipment, announce_shipment, get_shipment

OPERATOR = Principal(Role.OPERATOR, "op-1")
T = TypeVar("T")


def _same(result: T) -> T:
    return result


async def _site(services: Services, layout: str) -> tuple[Principal, Principal, Principal]:
    """Locker L-1 of `layout`, carrier-1 and its courier-1: the terminal, the carrier and the courier."""
    added = await services.run(add_locker, AddLocker(OPERATOR, "Central", "1 Main St", layout, "L-1"), _same)
    terminal = await services.read(authenticate, Authenticate(added.terminal_key))
    carrier_added = await services.run(add_carrier, AddCarrier(OPERATOR, "Carrier One", "carrier-1"), _same)
    carrier = await services.read(authenticate, Authenticate(carrier_added.api_key))
    await services.run(add_courier, AddCourier(OPERATOR, "courier-1", "carrier-1", "Jan", "482915"), _same)
    return terminal, carrier, Principal(Role.COURIER, "courier-1", "carrier-1")


async def test_a_parcel_goes_from_announcement_to_pickup(services: Services, engine: AsyncEngine) -> None:
    terminal, carrier, courier = await _site(services, "S:2,M:2")
    assert terminal == Principal(Role.TERMINAL, "terminal-L-1", locker_id="L-1")
    assert carrier == Principal(Role.CARRIER, "carrier-1", "carrier-1")

    recipient = Recipient(email="ada@example.org", phone="+48600700800")
    announced = await services.run(
        announce_shipment, AnnounceShipment(carrier, "TN-1", "L-1", ParcelSpec(Size.S), recipient), _same
    )
    opened = await services.run(deposit_parcel, DepositParcel(courier, "L-1", "TN-1"), _same)
    assert (opened.compartment.number, opened.compartment.state) == (1, CompartmentState.RESERVED)
    number = opened.compartment.number

    await services.run(report_door, ReportDoor(terminal, "L-1", number, DoorState.OPEN, seq=1), _same)
    closed = await services.run(report_door, ReportDoor(terminal, "L-1", number, DoorState.CLOSED, seq=2), _same)
    assert (closed.outcome, closed.shipment_state) == ("parcel_stored", "stored")

    async with SqlUnitOfWork(engine) as uow:
        queued = await uow.outbox.pending(10, services.env.clock.now())
    assert sorted(n.channel for n in queued) == ["email", "sms"]
    code = unseal(services.env.keys.derive("notification-seal"), queued[0].sealed_payload)["code"]

    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(PickupCodeNotFound):
        await services.run(pick_up_parcel, PickUpParcel(terminal, "L-1", code=wrong), _same)
    for_pickup = await services.run(pick_up_parcel, PickUpParcel(terminal, "L-1", code=code), _same)
    assert for_pickup.compartment.number == number
    await services.run(report_door, ReportDoor(terminal, "L-1", number, DoorState.OPEN, seq=3), _same)
    done = await services.run(report_door, ReportDoor(terminal, "L-1", number, DoorState.CLOSED, seq=4), _same)
    assert (done.outcome, done.shipment_state) == ("parcel_picked_up", "picked_up")

    shipment = await services.read(get_shipment, GetShipment(carrier, announced.id))
    async with SqlUnitOfWork(engine) as uow:
        locker = await uow.lockers.get("L-1")
        lockout = await uow.lockouts.get("pickup:L-1")
        entries = [entry async for entry in uow.audit.entries()]
    assert (shipment.state, shipment.compartment_id, shipment.pickup_code_hash) == (ShipmentState.PICKED_UP, None, None)
    assert locker is not None
    compartment = locker.compartment_by_number(number)
    assert compartment is not None and (compartment.state, compartment.shipment_id) == (CompartmentState.FREE, None)
    assert lockout.failures == []  # the right code forgave the wrong one
    assert verify_chain(entries) is None
    assert [e.record.action for e in entries] == [
        "locker.added",
        "carrier.added",
        "courier.added",
        "compartment.opened_for_deposit",
        "compartment.opened_for_pickup",
    ]


async def test_a_repeated_idempotency_key_replays_the_first_answer(services: Services, engine: AsyncEngine) -> None:
    await services.run(add_locker, AddLocker(OPERATOR, "Central", "1 Main St", "S:2", "L-1"), _same)
    await services.run(add_carrier, AddCarrier(OPERATOR, "Carrier One", "carrier-1"), _same)
    carrier = Principal(Role.CARRIER, "carrier-1", "carrier-1")
    command = AnnounceShipment(carrier, "TN-1", "L-1", ParcelSpec(Size.S), Recipient(email="ada@example.org"))
    replay = Replay.of("carrier:carrier-1", "key-1", "POST", "/api/v1/shipments", b'{"tracking_number":"TN-1"}')

    def render(shipment: Any) -> dict[str, str]:
        return {"id": shipment.id, "state": shipment.state.value}

    first = await services.run(announce_shipment, command, render, replay)
    again = await services.run(announce_shipment, command, render, replay)
    assert again == first
    with pytest.raises(DuplicateTrackingNumber):
        await services.run(announce_shipment, command, render)
    async with SqlUnitOfWork(engine) as uow:
        announced = await uow.shipments.by_tracking_number(None, "TN-1")
    assert [shipment.id for shipment in announced] == [first["id"]]


async def test_concurrent_wrong_codes_are_each_counted(services: Services, engine: AsyncEngine) -> None:
    await services.run(add_locker, AddLocker(OPERATOR, "Central", "1 Main St", "S:2", "L-1"), _same)
    terminal = Principal(Role.TERMINAL, "terminal-L-1", locker_id="L-1")
    tries = [
        services.run(pick_up_parcel, PickUpParcel(terminal, "L-1", code=f"{n:06d}"), _same)
        for n in range(services.env.policy.pickup_lockout.max_failures)
    ]
    outcomes = await asyncio.gather(*tries, return_exceptions=True)
    kinds = sorted(type(outcome).__name__ for outcome in outcomes)
    assert kinds == ["LockedOut", "WrongPickupCode", "WrongPickupCode", "WrongPickupCode", "WrongPickupCode"]
    async with SqlUnitOfWork(engine) as uow:
        alarms = await uow.alarms.for_locker("L-1")
        lockout = await uow.lockouts.get("pickup:L-1")
    assert [alarm.kind for alarm in alarms] == [AlarmKind.LOCKOUT]
    assert lockout.strikes == 1


async def test_a_pickup_code_live_at_the_locker_is_refused_by_the_store_and_drawn_again(
    services: Services, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The door event draws its code without looking it up: the store's unique key of the locker and the code's hash
    refuses a twin (PickupCodeTaken), and Services runs the door event again with a new draw."""
    terminal, carrier, courier = await _site(services, "S:3")

    async def deposited(tracking_number: str) -> tuple[str, int]:
        announce = AnnounceShipment(carrier, tracking_number, "L-1", ParcelSpec(Size.S), Recipient(email="a@x.org"))
        announced = await services.run(announce_shipment, announce, _same)
        opened = await services.run(deposit_parcel, DepositParcel(courier, "L-1", tracking_number), _same)
        return announced.id, opened.compartment.number

    async def shipment(shipment_id: str) -> Any:
        async with SqlUnitOfWork(engine) as uow:
            return await uow.shipments.get(shipment_id)

    draws = iter(["111111", "111111", "111111", "222222"])
    monkeypatch.setattr(door_events, "generate_pickup_code", lambda length: next(draws))
    stored = []
    for seq, tracking_number in enumerate(["TN-1", "TN-2"], start=1):
        shipment_id, number = await deposited(tracking_number)
        closed = await services.run(report_door, ReportDoor(terminal, "L-1", number, DoorState.CLOSED, seq=seq), _same)
        assert closed.outcome == "parcel_stored"
        stored.append(await shipment(shipment_id))
    assert next(draws, None) is None  # the second parcel drew three times: twice the first one's code
    assert all(s.state is ShipmentState.STORED for s in stored)
    assert stored[0].pickup_code_hash != stored[1].pickup_code_hash

    monkeypatch.setattr(door_events, "generate_pickup_code", lambda length: "111111")
    shipment_id, number = await deposited("TN-3")
    with pytest.raises(PickupCodeTaken, match="live at locker L-1"):
        await services.run(report_door, ReportDoor(terminal, "L-1", number, DoorState.CLOSED, seq=3), _same)
    assert (await shipment(shipment_id)).state is ShipmentState.ANNOUNCED  # nothing half-written
