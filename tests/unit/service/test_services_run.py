"""Services.run: one unit of work per use case, Idempotency-Keys replayed, lost races retried."""

from typing import Any

import pytest

from parcellocker.domain.errors import ConcurrencyConflict, NotFound
from parcellocker.domain.shipment import Recipient, Shipment, ShipmentState
from parcellocker.domain.sizes import ParcelSpec, Size
from parcellocker.service.context import Env, IdempotencyKeyReused, Replay
from parcellocker.service.ports import UnitOfWork
from parcellocker.service.shipments import AnnounceShipment, CancelShipment, announce_shipment, cancel_shipment

from ..fakes import FakeUnitOfWork
from .world import LOCKER, World


def announcement(world: World, tracking_number: str = "TRK-1") -> AnnounceShipment:
    return AnnounceShipment(world.cast.carrier, tracking_number, LOCKER, ParcelSpec(Size.S), Recipient(email="a@b.c"))


def public(shipment: Shipment) -> dict[str, Any]:
    return {"id": shipment.id, "state": shipment.state.value, "created_at": shipment.created_at.isoformat()}


def replay(body: bytes = b'{"tracking_number": "TRK-1"}', key: str = "key-1", scope: str = "carrier:fast") -> Replay:
    return Replay.of(scope, key, "POST", "/api/v1/shipments", body)


class Counting:
    """Wraps a use case and counts how often it really ran."""

    def __init__(self, use_case: Any) -> None:
        self.use_case = use_case
        self.runs = 0

    async def __call__(self, command: Any, uow: UnitOfWork, env: Env) -> Any:
        self.runs += 1
        return await self.use_case(command, uow, env)


async def test_a_use_case_commits_its_unit_of_work(world: World) -> None:
    body = await world.services.run(announce_shipment, announcement(world), public)
    assert world.db.shipments[body["id"]].state is ShipmentState.ANNOUNCED


async def test_a_failing_use_case_leaves_nothing_behind(world: World) -> None:
    async def announce_then_fail(command: AnnounceShipment, uow: UnitOfWork, env: Env) -> Shipment:
        await announce_shipment(command, uow, env)
        raise NotFound("something was missing after all")

    before = world.db.copy()
    with pytest.raises(NotFound):
        await world.services.run(announce_then_fail, announcement(world), public)
    assert world.db == before


async def test_a_repeated_idempotency_key_returns_the_first_reply_without_running_again(world: World) -> None:
    counting = Counting(announce_shipment)
    first = await world.services.run(counting, announcement(world), public, replay())
    again = await world.services.run(counting, announcement(world), public, replay())
    assert counting.runs == 1
    assert again == first
    assert len(world.db.shipments) == 1


async def test_the_stored_reply_survives_later_changes(world: World) -> None:
    first = await world.services.run(announce_shipment, announcement(world), public, replay())
    await world.run(cancel_shipment, CancelShipment(world.cast.carrier, first["id"]))
    again = await world.services.run(announce_shipment, announcement(world), public, replay())
    assert again["state"] == "announced"


async def test_a_key_reused_for_a_different_request_is_refused(world: World) -> None:
    counting = Counting(announce_shipment)
    await world.services.run(counting, announcement(world), public, replay())
    with pytest.raises(IdempotencyKeyReused, match="different request"):
        await world.services.run(
            counting, announcement(world, "TRK-2"), public, replay(b'{"tracking_number": "TRK-2"}')
        )
    assert counting.runs == 1


async def test_keys_of_different_callers_do_not_meet(world: World) -> None:
    counting = Counting(announce_shipment)
    await world.services.run(counting, announcement(world), public, replay(scope="carrier:fast"))
    other = AnnounceShipment(world.cast.other_carrier, "TRK-1", LOCKER, ParcelSpec(Size.S), Recipient(email="a@b.c"))
    await world.services.run(counting, other, public, replay(scope="carrier:slow"))
    assert counting.runs == 2


async def test_a_failed_request_does_not_use_up_its_key(world: World) -> None:
    counting = Counting(announce_shipment)
    unknown_locker = AnnounceShipment(
        world.cast.carrier, "TRK-1", "NOWHERE", ParcelSpec(Size.S), Recipient(email="a@b.c")
    )
    with pytest.raises(NotFound):
        await world.services.run(counting, unknown_locker, public, replay())
    await world.services.run(counting, announcement(world), public, replay())
    assert counting.runs == 2
    assert len(world.db.shipments) == 1


def test_the_fingerprint_covers_method_path_and_body() -> None:
    base = Replay.of("s", "k", "POST", "/a", b"{}")
    assert base == Replay.of("s", "k", "POST", "/a", b"{}")
    assert len({base.fingerprint, *(Replay.of("s", "k", *v).fingerprint for v in _variants())}) == 4


def _variants() -> list[tuple[str, str, bytes]]:
    return [("PUT", "/a", b"{}"), ("POST", "/b", b"{}"), ("POST", "/a", b"{ }")]


class RivalWrites:
    """Cancels a shipment, but the first `rivals` times another unit of work changes it first."""

    def __init__(self, world: World, shipment_id: str, rivals: int) -> None:
        self.world, self.shipment_id, self.rivals, self.runs = world, shipment_id, rivals, 0

    async def __call__(self, command: CancelShipment, uow: UnitOfWork, env: Env) -> Shipment:
        self.runs += 1
        if self.runs <= self.rivals:
            async with FakeUnitOfWork(self.world.db) as rival:
                shipment = await rival.shipments.get(self.shipment_id)
                assert shipment is not None
                await rival.shipments.save(shipment)
                await rival.commit()
        return await cancel_shipment(command, uow, env)


async def test_a_lost_race_is_retried_in_a_fresh_unit_of_work(world: World) -> None:
    shipment = await world.announce("TRK-1")
    racing = RivalWrites(world, shipment.id, rivals=2)
    cancelled = await world.run(racing, CancelShipment(world.cast.carrier, shipment.id))
    assert racing.runs == 3
    assert cancelled.state is ShipmentState.CANCELLED
    assert world.shipment(shipment.id).state is ShipmentState.CANCELLED


async def test_a_race_lost_every_time_gives_up_with_the_conflict(world: World) -> None:
    shipment = await world.announce("TRK-1")
    racing = RivalWrites(world, shipment.id, rivals=world.services.attempts)
    with pytest.raises(ConcurrencyConflict):
        await world.run(racing, CancelShipment(world.cast.carrier, shipment.id))
    assert racing.runs == world.services.attempts
    assert world.shipment(shipment.id).state is ShipmentState.ANNOUNCED


async def test_two_requests_with_one_key_racing_end_with_the_first_reply(world: World) -> None:
    """The second request ran too, but storing its reply loses to the first: it is retried and replays."""
    counting = Counting(announce_shipment)

    async def announce_while_the_twin_commits(command: AnnounceShipment, uow: UnitOfWork, env: Env) -> Shipment:
        if counting.runs == 0:
            await world.services.run(counting, announcement(world, "TRK-TWIN"), public, replay())
        shipment: Shipment = await counting(command, uow, env)
        return shipment

    body = await world.services.run(announce_while_the_twin_commits, announcement(world), public, replay())
    assert counting.runs == 2
    [twin] = world.db.shipments.values()
    assert (twin.tracking_number, body["id"]) == ("TRK-TWIN", twin.id)
