"""The lifecycle of a parcel costs no round trip more to PostgreSQL when its carrier has a webhook: the delivery
goes out in the same statement as the change's other writes; for a carrier without one nothing is offered."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import asyncpg
import pytest
from db_samples import START, StoppedClock
from sqlalchemy.ext.asyncio import AsyncEngine

from parcellocker.adapters.db.unit_of_work import SqlUnitOfWork
from parcellocker.adapters.db.webhook_subscribers import WebhookSubscribers
from parcellocker.domain.accounts import Principal, Role
from parcellocker.domain.compartment import DoorState
from parcellocker.domain.shipment import Recipient
from parcellocker.domain.sizes import ParcelSpec, Size
from parcellocker.security.keys import ServerKeys
from parcellocker.security.sealing import unseal
from parcellocker.service.accounts import AddCarrier, Authenticate, add_carrier, authenticate
from parcellocker.service.context import Env, Policy, Services
from parcellocker.service.deposits import DepositParcel, deposit_parcel
from parcellocker.service.door_events import ReportDoor, report_door
from parcellocker.service.lockers import AddLocker, add_locker
from parcellocker.service.pickups import PickUpParcel, pick_up_parcel
from parcellocker.service.shipments import AnnounceShipment, announce_shipment
from parcellocker.service.webhooks import SetWebhook, set_webhook

pytestmark = pytest.mark.postgres
OPERATOR = Principal(Role.OPERATOR, "ops")
KEYS = ServerKeys.from_secret(bytes(range(32)))
_SENT = ("execute", "fetch", "fetchrow", "fetchval", "executemany")


def same(value: Any) -> Any:
    return value


class RoundTrips:
    """Counts the statements sent on the connections of the units of work it is told to watch."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.watched: set[int] = set()
        self.count = 0
        self.statements: list[str] = []
        for name in _SENT:
            monkeypatch.setattr(asyncpg.connection.Connection, name, self._counting(getattr(asyncpg.Connection, name)))

    def _counting(self, method: Callable[..., Any]) -> Callable[..., Any]:
        async def counted(connection: asyncpg.Connection, *args: Any, **kwargs: Any) -> Any:
            if id(connection) in self.watched:
                self.count += 1
                self.statements.append(str(args[0]) if args else "")
            return await method(connection, *args, **kwargs)

        return counted

    def factory(self, engine: AsyncEngine, subscribers: WebhookSubscribers) -> Callable[[], SqlUnitOfWork]:
        trips = self

        class Watched(SqlUnitOfWork):
            async def __aenter__(self) -> Watched:
                await super().__aenter__()
                self._raw = self._connection.raw  # type: ignore[union-attr]
                trips.watched.add(id(self._raw))
                return self

            async def __aexit__(self, *exc_info: object) -> None:
                try:
                    await super().__aexit__(*exc_info)
                finally:
                    trips.watched.discard(id(self._raw))

        return lambda: Watched(engine, webhook_subscribers=subscribers)


@pytest.fixture
def round_trips(monkeypatch: pytest.MonkeyPatch) -> Iterator[RoundTrips]:
    yield RoundTrips(monkeypatch)


async def lifecycle(services: Services, trips: RoundTrips, carrier_id: str, locker_id: str) -> list[int]:
    """Announce, deposit, door closed, pickup, door closed: the round trips of each (BEGIN and COMMIT included)."""
    terminal = await services.read(authenticate, Authenticate(await _terminal_key(services, locker_id)))
    carrier = Principal(Role.CARRIER, carrier_id, carrier_id)
    courier = Principal(Role.COURIER, f"courier-of-{carrier_id}", carrier_id)
    spent = []

    async def step(use_case: Any, command: Any) -> Any:
        before = trips.count
        result = await services.run(use_case, command, same)
        spent.append(trips.count - before)
        return result

    tracking_number = f"TN-{carrier_id}-{len(_seqs)}"
    shipment = await step(
        announce_shipment,
        AnnounceShipment(carrier, tracking_number, locker_id, ParcelSpec(Size.S), Recipient(email="o@example.org")),
    )
    opened = await step(deposit_parcel, DepositParcel(courier, locker_id, tracking_number))
    number = opened.compartment.number
    await step(report_door, ReportDoor(terminal, locker_id, number, DoorState.CLOSED, _next_seq()))
    async with services.uow_factory() as uow:
        [notification] = [n for n in await uow.outbox.pending(100, START) if n.shipment_id == shipment.id]
    code = unseal(KEYS.derive("notification-seal"), notification.sealed_payload)["code"]
    await step(pick_up_parcel, PickUpParcel(terminal, locker_id, code=code))
    await step(report_door, ReportDoor(terminal, locker_id, number, DoorState.CLOSED, _next_seq()))
    return spent


_seqs: list[int] = []
_terminal_keys: dict[str, str] = {}


def _next_seq() -> int:
    _seqs.append(len(_seqs) + 1)
    return len(_seqs)


async def _terminal_key(services: Services, locker_id: str) -> str:
    if locker_id not in _terminal_keys:
        added = await services.run(add_locker, AddLocker(OPERATOR, locker_id, "1 Square", "S:10", locker_id), same)
        _terminal_keys[locker_id] = added.terminal_key
    return _terminal_keys[locker_id]


@pytest.mark.parametrize("database_kind", ["postgres"], indirect=True)
async def test_a_carrier_with_a_webhook_costs_no_round_trip_more_per_operation(
    engine: AsyncEngine, round_trips: RoundTrips
) -> None:
    subscribers = WebhookSubscribers()
    env = Env(clock=StoppedClock(START), keys=KEYS, policy=Policy())
    services = Services(uow_factory=round_trips.factory(engine, subscribers), env=env)
    _seqs.clear()
    _terminal_keys.clear()
    for carrier_id in ("plain", "hooked"):
        await services.run(add_carrier, AddCarrier(OPERATOR, carrier_id, carrier_id), same)
    await services.run(set_webhook, SetWebhook(OPERATOR, "hooked", "http://127.0.0.1:9/in"), same)
    subscribers.replace({"hooked"}, 0)
    await lifecycle(services, round_trips, "plain", "WARM-UP")  # statements prepared once per connection aside

    round_trips.statements.clear()
    without = await lifecycle(services, round_trips, "plain", "L-PLAIN")
    plain_statements, round_trips.statements = round_trips.statements, []
    with_webhook = await lifecycle(services, round_trips, "hooked", "L-HOOKED")

    assert without == with_webhook
    # docs/PERFORMANCE.md: announce 2, deposit 5 (BEGIN and COMMIT included), door closed 2, pickup 2, door closed 2.
    # The new pickup code is not looked up before it is written: the store's unique key refuses a twin.
    # The lifecycle's pickup policies (the deadline of a stored parcel) and whether the door event's seq was applied
    # before are read with the door event's compartment, in the same statement; the compartment a pickup opens and
    # the locker's lockout record with the shipment found by its code; the locker's sizes with the shipment a
    # courier deposits (preloaded.py): no round trip of their own.
    assert without == [2, 5, 2, 2, 2]
    assert not any("webhook_deliveries" in sql for sql in plain_statements)  # nothing even offered
    queued = [sql for sql in round_trips.statements if "INSERT INTO webhook_deliveries" in sql]
    assert len(queued) == 3 and all("INSERT INTO transitions" in sql for sql in queued)  # in the same statement
    async with services.uow_factory() as uow:
        waiting = await uow.webhook_deliveries.backlog("hooked")
        assert (await uow.webhook_deliveries.backlog("plain")).waiting == 0
    assert waiting.waiting == 3  # announced, stored, picked_up: all queued, in those same statements
