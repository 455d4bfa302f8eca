"""One parcel through the real use cases, and the rows it left behind: the pattern `bench scaling` copies.

A locker of 50 compartments is added, and one parcel is announced, deposited, stored (door closed), picked up
(door closed), its message sent and, past the retention time, its recipient's personal data erased: the
shape of a parcel long gone, as most of a locker network's history is. The rows of every table it touched are
then read back as they are stored, so the history `bench scaling` inserts in bulk is shaped exactly like them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncEngine

from parcellocker.adapters.db.tables import alarms as alarms_table
from parcellocker.adapters.db.tables import audit_log, compartments, lockers, notifications, shipments, transitions
from parcellocker.adapters.db.tables import terminal_events as terminal_events_table
from parcellocker.adapters.db.unit_of_work import SqlUnitOfWork
from parcellocker.domain.accounts import Principal, Role
from parcellocker.domain.compartment import DoorState
from parcellocker.domain.shipment import Recipient
from parcellocker.domain.sizes import ParcelSpec, Size
from parcellocker.security.keys import ServerKeys
from parcellocker.security.sealing import unseal
from parcellocker.service.accounts import AddCarrier, Authenticate, add_carrier, authenticate
from parcellocker.service.alarms import AcknowledgeAlarm, ReadAlarmFeed, acknowledge_alarm, read_alarm_feed
from parcellocker.service.calendar import CalendarBatch, erase_personal_data
from parcellocker.service.context import Env, Policy, Services
from parcellocker.service.deposits import DepositParcel, deposit_parcel
from parcellocker.service.door_events import ReportDoor, report_door
from parcellocker.service.lockers import AddLocker, add_locker
from parcellocker.service.pickups import PickUpParcel, pick_up_parcel
from parcellocker.service.ports import Clock
from parcellocker.service.shipments import AnnounceShipment, announce_shipment

LAYOUT = "S:20,M:20,L:10"  # 50 compartments
COMPARTMENTS = 50
TEMPLATE_LOCKER = "SCALE-00000"
CARRIER = "scale-carrier"
OPERATOR = Principal(Role.OPERATOR, "bench-scaling")
Row = dict[str, Any]


class MovableClock(Clock):
    """The template parcel's clock: moved on by hand, so its history has real gaps (stored, picked up, erased)."""

    def __init__(self, now: datetime) -> None:
        self._now = now

    def now(self) -> datetime:
        return self._now

    def move(self, by: timedelta) -> None:
        self._now += by


@dataclass(frozen=True, slots=True)
class ParcelTemplate:
    """The rows of one locker and of one parcel's whole life in it, as stored."""

    locker: Row
    compartments: list[Row]
    shipment: Row
    shipment_transitions: list[Row]
    compartment_transitions: list[Row]
    """Of the compartment the parcel was in, from its deposit on (not the compartment's creation)."""
    notifications: list[Row]
    terminal_events: list[Row]
    audit: list[Row]
    """The erasure's record: one for each parcel (the calendar erases in batches, so this is more than in service)."""
    alarm: Row
    """A forced door, acknowledged."""
    ended_at: datetime
    """When the parcel was picked up: copies are moved in time relative to it."""
    terminal_key: str


def _same(value: Any) -> Any:
    return value


async def record_parcel_template(
    engine: AsyncEngine, keys: ServerKeys, started: datetime | None = None
) -> ParcelTemplate:
    """Run one parcel's life through the use cases on `engine` (a migrated, empty database) and read its rows."""
    clock = MovableClock(started or datetime.now(UTC) - timedelta(days=60))
    policy = Policy()
    services = Services(uow_factory=lambda: SqlUnitOfWork(engine), env=Env(clock=clock, keys=keys, policy=policy))
    await services.run(add_carrier, AddCarrier(OPERATOR, "Scale Express", CARRIER), _same)
    added = await services.run(
        add_locker, AddLocker(OPERATOR, "Scale locker", "1 Bench Street", LAYOUT, TEMPLATE_LOCKER), _same
    )
    terminal = await services.read(authenticate, Authenticate(added.terminal_key))
    carrier = Principal(Role.CARRIER, CARRIER, CARRIER)
    courier = Principal(Role.COURIER, "scale-courier", CARRIER)
    recipient = Recipient(email="recipient@bench.invalid", phone="+48600000000", name="Bench Recipient")
    shipment = await services.run(
        announce_shipment,
        AnnounceShipment(carrier, "TEMPLATE-1", TEMPLATE_LOCKER, ParcelSpec(Size.S), recipient),
        _same,
    )
    clock.move(timedelta(hours=3))
    opened = await services.run(deposit_parcel, DepositParcel(courier, TEMPLATE_LOCKER, "TEMPLATE-1"), _same)
    number = opened.compartment.number
    clock.move(timedelta(seconds=12))
    await services.run(report_door, ReportDoor(terminal, TEMPLATE_LOCKER, number, DoorState.CLOSED, 1), _same)
    async with SqlUnitOfWork(engine) as uow:
        messages = [n for n in await uow.outbox.pending(100, clock.now()) if n.shipment_id == shipment.id]
        for message in messages:  # an e-mail and a text message
            await uow.outbox.mark_sent(message.id, clock.now())
        await uow.commit()
    code = unseal(keys.derive("notification-seal"), messages[0].sealed_payload)["code"]
    clock.move(timedelta(hours=20))
    await services.run(pick_up_parcel, PickUpParcel(terminal, TEMPLATE_LOCKER, code=code), _same)
    clock.move(timedelta(seconds=9))
    await services.run(report_door, ReportDoor(terminal, TEMPLATE_LOCKER, number, DoorState.CLOSED, 2), _same)
    ended_at = clock.now()
    clock.move(policy.personal_data_retention + timedelta(hours=1))
    await services.run(erase_personal_data, CalendarBatch(), _same)
    # A door forced open later (an alarm, acknowledged by an operator): the alarms' pattern.
    await services.run(report_door, ReportDoor(terminal, TEMPLATE_LOCKER, number, DoorState.OPEN, 3), _same)
    await services.run(report_door, ReportDoor(terminal, TEMPLATE_LOCKER, number, DoorState.CLOSED, 4), _same)
    [alarm] = (await services.read(read_alarm_feed, ReadAlarmFeed(OPERATOR))).alarms
    clock.move(timedelta(minutes=7))
    await services.run(acknowledge_alarm, AcknowledgeAlarm(OPERATOR, alarm.id), _same)
    chainer = SqlUnitOfWork(engine)  # on PostgreSQL the audit records are chained just after the commit
    async with chainer as uow:
        if uow.audit.chainer is not None:
            await uow.audit.chainer.settle()
    return await _read_rows(engine, shipment.id, f"{TEMPLATE_LOCKER}/{number}", ended_at, added.terminal_key)


async def _read_rows(
    engine: AsyncEngine, shipment_id: str, compartment_id: str, ended_at: datetime, terminal_key: str
) -> ParcelTemplate:
    async with engine.connect() as connection:

        async def rows(table: Table, *where: Any) -> list[Row]:
            statement = select(table).where(*where)
            if "id" in table.c:
                statement = statement.order_by(table.c.id)
            return [dict(row._mapping) for row in await connection.execute(statement)]

        t = transitions.c
        [locker] = await rows(lockers, lockers.c.id == TEMPLATE_LOCKER)
        [shipment] = await rows(shipments, shipments.c.id == shipment_id)
        return ParcelTemplate(
            locker=locker,
            compartments=sorted(
                await rows(compartments, compartments.c.locker_id == TEMPLATE_LOCKER), key=lambda c: c["number"]
            ),
            shipment=shipment,
            shipment_transitions=await rows(transitions, t.subject == "shipment", t.subject_id == shipment_id),
            compartment_transitions=await rows(
                transitions,
                t.subject == "compartment",
                t.subject_id == compartment_id,
                t.at > shipment["created_at"],
                t.at <= ended_at,
            ),
            notifications=await rows(notifications, notifications.c.shipment_id == shipment_id),
            terminal_events=[  # the parcel's: not those of the forced door
                row
                for row in await rows(terminal_events_table, terminal_events_table.c.locker_id == TEMPLATE_LOCKER)
                if row["reply"]["shipment_id"] == shipment_id
            ],
            audit=await rows(audit_log, audit_log.c.action == "personal_data.erased"),
            alarm=(await rows(alarms_table))[0],
            ended_at=ended_at,
            terminal_key=terminal_key,
        )
