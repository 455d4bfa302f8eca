"""Finding a shipment by its tracking number: where it is, and every transition it went through."""

import pytest

from parcellocker.domain.compartment import DoorState
from parcellocker.domain.errors import Forbidden, InvalidInput, NotFound
from parcellocker.domain.sizes import ParcelSpec, Size
from parcellocker.service.shipment_trace import (
    ReadShipmentHistory,
    TraceShipments,
    read_shipment_history,
    trace_shipments,
)
from parcellocker.service.shipments import AnnounceShipment, announce_shipment

from .world import LOCKER, RECIPIENT, World


async def test_a_stored_parcel_is_found_in_its_compartment_with_its_history(world: World) -> None:
    stored = await world.store_parcel("TN-42")
    (trace,) = await world.services.read(trace_shipments, TraceShipments(world.cast.operator, " TN-42 "))
    assert (trace.shipment.id, trace.compartment_number) == (stored.shipment_id, stored.compartment_number)
    assert trace.locker is not None and trace.locker.id == LOCKER
    assert [(t.from_state, t.to_state) for t in trace.history] == [(None, "announced"), ("announced", "stored")]
    assert [str(t.actor) for t in trace.history] == ["carrier:fast", "terminal:terminal-LOCKER-1"]


async def test_a_picked_up_parcel_is_in_no_compartment(world: World) -> None:
    stored = await world.store_parcel("TN-42")
    await world.pick_up(code=stored.code)
    await world.door(stored.compartment_number, DoorState.CLOSED)
    (trace,) = await world.services.read(trace_shipments, TraceShipments(world.cast.operator, "TN-42"))
    assert trace.compartment_number is None
    assert trace.history[-1].to_state == "picked_up"


async def test_an_operator_finds_every_carriers_shipment_with_the_number(world: World) -> None:
    await world.announce("SAME-1")
    command = AnnounceShipment(world.cast.other_carrier, "SAME-1", LOCKER, ParcelSpec(Size.S), RECIPIENT)
    await world.run(announce_shipment, command)
    traces = await world.services.read(trace_shipments, TraceShipments(world.cast.operator, "SAME-1"))
    assert sorted(trace.shipment.carrier_id for trace in traces) == ["fast", "slow"]
    assert await world.services.read(trace_shipments, TraceShipments(world.cast.operator, "NONE")) == []


async def test_a_carrier_reads_the_history_of_its_own_shipments_only(world: World) -> None:
    shipment = await world.announce("TN-7")
    own = await world.services.read(read_shipment_history, ReadShipmentHistory(world.cast.carrier, shipment.id))
    assert [t.to_state for t in own] == ["announced"]
    with pytest.raises(NotFound):
        await world.services.read(read_shipment_history, ReadShipmentHistory(world.cast.other_carrier, shipment.id))


async def test_tracing_is_for_operators_and_needs_a_tracking_number(world: World) -> None:
    with pytest.raises(InvalidInput, match="1 to 64 characters"):
        await world.services.read(trace_shipments, TraceShipments(world.cast.operator, "  "))
    with pytest.raises(Forbidden):
        await world.services.read(trace_shipments, TraceShipments(world.cast.carrier, "TN-1"))
