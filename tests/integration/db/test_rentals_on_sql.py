"""Rentals on SQLite and PostgreSQL: the whole walk-up with its openings and doors, concurrent renters and bookers
never given one compartment twice, parcels and rentals kept apart, the account's charges, the sweep, the staff's
collection through a terminal command, and the rental's notification composed from the outbox."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from db_samples import START, StoppedClock, a_shipment
from rental_site import COMPANY, HOTEL, LOCKER, OPERATOR, TERMINAL, rental_site
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from parcellocker.adapters.db.tables import compartments, rentals
from parcellocker.adapters.db.terminal_link import SqlTerminalLinkUnitOfWork
from parcellocker.adapters.db.unit_of_work import SqlUnitOfWork
from parcellocker.adapters.notifications.port import Message, Notifier
from parcellocker.adapters.notifications.worker import OutboxWorker
from parcellocker.domain.accounts import Carrier, Principal, Role
from parcellocker.domain.compartment import CompartmentState, CompartmentUse, DoorState
from parcellocker.domain.errors import LockerFull
from parcellocker.domain.payment import PaymentMethod, PaymentPurpose, PaymentState
from parcellocker.domain.rental import RentalState, Renter
from parcellocker.domain.rental_terms import OverduePolicy
from parcellocker.domain.sizes import Size
from parcellocker.service.deposits import CompartmentOpened, DepositParcel, deposit_parcel
from parcellocker.service.door_events import ReportDoor, report_door
from parcellocker.service.rental_bookings import BookRental, RentalBooked, book_rental
from parcellocker.service.rental_charges import ListAccountCharges, list_account_charges
from parcellocker.service.rental_compartments import NoCompartmentForRent
from parcellocker.service.rental_openings import FinishRental, OpenRental, finish_rental, open_rental
from parcellocker.service.rental_settlement import SettleRentals, settle_rentals
from parcellocker.service.rental_staff import CollectRental, collect_rental
from parcellocker.service.rental_walk_up import RentalStarted, RentAtLocker, rent_at_locker

HOUR = timedelta(hours=1)


async def test_a_walk_up_rental_opens_again_and_again_then_ends_when_emptied(
    engine: AsyncEngine, clock: StoppedClock
) -> None:
    site = await rental_site(engine, clock, free=True)
    rent = RentAtLocker(TERMINAL, LOCKER, Size.M, 2 * HOUR, PaymentMethod.PREPAID, renter=Renter(email="a@b.example"))
    started = await site.run(rent_at_locker, rent)
    number, code = started.compartment.number, started.code
    assert number == 5 and code is not None
    seq = iter(range(1, 100))

    async def door(state: DoorState) -> str:
        applied = await site.run(report_door, ReportDoor(TERMINAL, LOCKER, number, state, next(seq)))
        return applied.outcome

    assert [await door(DoorState.OPEN), await door(DoorState.CLOSED)] == ["recorded", "recorded"]
    for _ in range(2):
        clock.advance(timedelta(minutes=10))
        opened = await site.run(open_rental, OpenRental(TERMINAL, LOCKER, code))
        assert opened.compartment is not None and opened.compartment.number == number
        assert [await door(DoorState.OPEN), await door(DoorState.CLOSED)] == ["recorded", "recorded"]
    await site.run(finish_rental, FinishRental(TERMINAL, LOCKER, code))
    assert [await door(DoorState.OPEN), await door(DoorState.CLOSED)] == ["recorded", "rental_ended"]

    async with SqlUnitOfWork(engine) as uow:
        rental = await uow.rentals.get(started.rental.id)
        compartment = await uow.compartments.by_number(LOCKER, number)
        history = await uow.history.of_subject("rental", started.rental.id)
    assert rental is not None and rental.state is RentalState.ENDED and rental.code_hash is None
    assert compartment is not None and (compartment.state, compartment.rental_id) == (CompartmentState.FREE, None)
    assert [t.to_state for t in history] == ["awaiting_payment", "booked", "in_use", "in_use", "ended"]


async def test_concurrent_walk_ups_each_get_a_compartment_of_their_own_and_parcels_none_of_them(
    engine: AsyncEngine, clock: StoppedClock
) -> None:
    site = await rental_site(engine, clock, free=True)
    async with SqlUnitOfWork(engine) as uow:
        await uow.accounts.add_carrier(Carrier("carrier-1", "Carrier One"))
        for n in range(8):
            await uow.shipments.add(a_shipment(f"TN-{n}", locker_id=LOCKER, size=Size.S))
        await uow.commit()
    courier = Principal(Role.COURIER, "courier-1", carrier_id="carrier-1")
    walk_ups = [
        site.run(rent_at_locker, RentAtLocker(TERMINAL, LOCKER, size, HOUR, PaymentMethod.PREPAID))
        for size in (Size.S, Size.M) * 5
    ]
    deposits = [site.run(deposit_parcel, DepositParcel(courier, LOCKER, f"TN-{n}")) for n in range(8)]
    results: list[Any] = await asyncio.gather(*walk_ups, *deposits, return_exceptions=True)

    rented = [r for r in results[:10] if isinstance(r, RentalStarted)]
    deposited = [r for r in results[10:] if isinstance(r, CompartmentOpened)]
    assert [r for r in results[:10] if not isinstance(r, RentalStarted | NoCompartmentForRent)] == []
    assert [r for r in results[10:] if not isinstance(r, CompartmentOpened | LockerFull)] == []
    assert sorted(r.compartment.number for r in rented) == [1, 2, 5, 6]
    assert sorted(r.compartment.number for r in deposited) == [3, 4, 7, 8, 9, 10]
    async with engine.connect() as connection:
        rows = (await connection.execute(select(compartments.c.number, compartments.c.use))).all()
        live = (
            await connection.execute(
                select(rentals.c.compartment_id, func.count())
                .where(rentals.c.state == RentalState.IN_USE.value)
                .group_by(rentals.c.compartment_id)
            )
        ).all()
    assert {number for number, use in rows if use == CompartmentUse.RENTAL} == {1, 2, 5, 6}
    assert sorted(count for _, count in live) == [1, 1, 1, 1]


async def test_concurrent_bookings_of_one_window_never_share_a_compartment(
    engine: AsyncEngine, clock: StoppedClock
) -> None:
    site = await rental_site(engine, clock)
    starts = START + HOUR

    def booking(n: int) -> BookRental:
        return BookRental(
            COMPANY, LOCKER, Size.M, starts + n * timedelta(minutes=5), starts + 2 * HOUR, Renter(name=f"Guest {n}")
        )

    results: list[Any] = await asyncio.gather(
        *(site.run(book_rental, booking(n)) for n in range(6)), return_exceptions=True
    )
    booked = [r for r in results if isinstance(r, RentalBooked)]
    assert [r for r in results if not isinstance(r, RentalBooked | NoCompartmentForRent)] == []
    assert sorted(r.rental.compartment_number for r in booked) == [5, 6]
    later = await site.run(
        book_rental, BookRental(COMPANY, LOCKER, Size.M, starts + 2 * HOUR, starts + 3 * HOUR, Renter(name="Next"))
    )
    assert later.rental.compartment_number == 5


async def test_the_accounts_charges_are_its_paid_rentals_and_overdue_time_in_the_period(
    engine: AsyncEngine, clock: StoppedClock
) -> None:
    site = await rental_site(engine, clock)
    first = await site.run(
        book_rental, BookRental(COMPANY, LOCKER, Size.S, START, START + 3 * HOUR, Renter(name="=cmd|' /C calc'!A0"))
    )
    clock.advance(HOUR)
    await site.run(
        book_rental, BookRental(COMPANY, LOCKER, Size.M, START + 2 * HOUR, START + 4 * HOUR, Renter(name="Room 7"))
    )
    assert first.code is not None
    await site.run(open_rental, OpenRental(TERMINAL, LOCKER, first.code))
    clock.advance(4 * HOUR)  # two hours overdue: billed on the account at the last opening
    door = await site.run(open_rental, OpenRental(TERMINAL, LOCKER, first.code))
    assert door.last
    charges = await site.run(list_account_charges, ListAccountCharges(OPERATOR, HOTEL, START, START + 6 * HOUR))
    assert [(c.purpose, c.amount, c.size) for c in charges] == [
        (PaymentPurpose.RENTAL, 600, Size.S),
        (PaymentPurpose.RENTAL, 600, Size.M),
        (PaymentPurpose.OVERDUE, 400, Size.S),
    ]
    assert charges[0].renter_name == "=cmd|' /C calc'!A0"
    assert await site.run(
        list_account_charges, ListAccountCharges(COMPANY, HOTEL, START + 5 * HOUR, START + 6 * HOUR)
    ) == [charges[2]]


async def test_the_sweep_and_the_staffs_collection_on_sql(engine: AsyncEngine, clock: StoppedClock) -> None:
    site = await rental_site(engine, clock, overdue=OverduePolicy.STAFF_COLLECTION)
    unpaid = await site.run(rent_at_locker, RentAtLocker(TERMINAL, LOCKER, Size.M, HOUR, PaymentMethod.HOSTED_CHECKOUT))
    booked = await site.run(
        book_rental, BookRental(COMPANY, LOCKER, Size.S, START + HOUR, START + 2 * HOUR, Renter(name="Never came"))
    )
    assert booked.code is not None
    kept = await site.run(
        book_rental, BookRental(COMPANY, LOCKER, Size.S, START, START + HOUR, Renter(name="Left things"))
    )
    assert kept.code is not None
    opened = await site.run(open_rental, OpenRental(TERMINAL, LOCKER, kept.code))
    assert opened.compartment is not None
    number = opened.compartment.number
    clock.advance(3 * HOUR)
    settled = await site.run(settle_rentals, SettleRentals())
    assert (settled.cancelled, settled.ended_unused, settled.to_collect) == (1, 1, 1)
    assert (await site.run(settle_rentals, SettleRentals())).total == 0

    collection = await site.run(collect_rental, CollectRental(COMPANY, kept.rental.id))
    assert collection.command.body == {"compartment": number}
    await site.run(report_door, ReportDoor(TERMINAL, LOCKER, number, DoorState.OPEN, 1))  # expected: no alarm
    closed = await site.run(report_door, ReportDoor(TERMINAL, LOCKER, number, DoorState.CLOSED, 2))
    assert closed.outcome == "rental_ended"
    async with SqlTerminalLinkUnitOfWork(engine) as uow:
        states = {r.id: r.state for r in await uow.rentals.listed(locker_id=LOCKER)}
        pending = await uow.terminal_commands.pending(LOCKER, 0, clock.now(), 10)
        unpaid_payment = await uow.payments.get_payment(unpaid.payment.id)
        alarms = await uow.alarms.for_locker(LOCKER)
    assert states == {
        unpaid.rental.id: RentalState.CANCELLED,
        booked.rental.id: RentalState.ENDED,
        kept.rental.id: RentalState.ENDED,
    }
    assert [command.id for command in pending] == [collection.command.id]
    assert unpaid_payment is not None and unpaid_payment.state is PaymentState.CANCELLED
    assert alarms == []


class Captured(Notifier):
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def send(self, message: Message) -> None:
        self.messages.append(message)


async def test_the_rentals_code_reaches_the_renter_from_the_outbox(engine: AsyncEngine, clock: StoppedClock) -> None:
    site = await rental_site(engine, clock)
    renter = Renter(name="Ola", email="ola@example.com", phone="+48 600 100 200", language="pl")
    booked = await site.run(book_rental, BookRental(COMPANY, LOCKER, Size.S, START + HOUR, START + 3 * HOUR, renter))
    notifier = Captured()
    assert await OutboxWorker(site.services, notifier).send_due() == 2
    email, sms = sorted(notifier.messages, key=lambda message: message.channel)
    assert (email.to, sms.to) == ("ola@example.com", "+48 600 100 200")
    assert email.code == sms.code == booked.code
    assert email.subject == "Twoja skrytka 1 w Central Station"
    assert booked.code in sms.text and "skrytka 1" in sms.text.lower()
    assert "Dzień dobry Ola" in email.text and email.html is not None
