"""Random sequences of what couriers, terminals and carriers do at a locker, with the locker kept consistent."""

import asyncio
from collections.abc import Coroutine
from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from parcellocker.domain.audit import verify_chain
from parcellocker.domain.compartment import CompartmentState, DoorState, PendingAction
from parcellocker.domain.errors import DomainError
from parcellocker.domain.shipment import ShipmentState
from parcellocker.domain.sizes import Size
from parcellocker.service.deposits import DepositProblem, ReportDepositProblem, report_deposit_problem
from parcellocker.service.shipments import CancelShipment, cancel_shipment

from .world import LOCKER, Template, World, wrong_code

TRACKING = [f"TRK-{n}" for n in range(7)]


class LockerDay(RuleBasedStateMachine):
    def __init__(self, template: Template) -> None:
        super().__init__()
        self.world: World = template.world()
        self.loop = asyncio.new_event_loop()
        self.ids: dict[str, str] = {}  # tracking number -> shipment id
        self.codes: dict[str, str] = {}  # shipment id -> pickup code

    def teardown(self) -> None:
        self.loop.close()

    def attempt(self, step: Coroutine[Any, Any, Any]) -> Any:
        """Run one use case; a refusal is a DomainError, anything else is a bug."""
        try:
            return self.loop.run_until_complete(step)
        except DomainError:
            return None

    def learn_codes(self) -> None:
        for shipment_id in self.ids.values():
            if shipment_id not in self.codes and self.world.notifications(shipment_id):
                self.codes[shipment_id] = self.world.sealed_secrets(shipment_id)["code"]

    def known(self, pick: int) -> str:
        tracking_numbers = sorted(self.ids)
        return tracking_numbers[pick % len(tracking_numbers)]

    @rule(tracking=st.sampled_from(TRACKING), size=st.sampled_from([Size.S, Size.M, Size.L]))
    def announce(self, tracking: str, size: Size) -> None:
        shipment = self.attempt(self.world.announce(tracking, size=size))
        if shipment is not None:
            self.ids[tracking] = shipment.id

    @precondition(lambda self: self.ids)
    @rule(pick=st.integers(min_value=0))
    def deposit(self, pick: int) -> None:
        self.attempt(self.world.deposit(self.known(pick)))

    @precondition(lambda self: self.ids)
    @rule(pick=st.integers(min_value=0))
    def deposit_and_close_the_door(self, pick: int) -> None:
        opened = self.attempt(self.world.deposit(self.known(pick)))
        if opened is not None:
            self.attempt(self.world.door(opened.compartment.number, DoorState.OPEN))
            self.attempt(self.world.door(opened.compartment.number, DoorState.CLOSED))
            self.learn_codes()

    @precondition(lambda self: self.codes)
    @rule(pick=st.integers(min_value=0))
    def pick_up_and_close_the_door(self, pick: int) -> None:
        codes = [self.codes[shipment_id] for shipment_id in sorted(self.codes)]
        opened = self.attempt(self.world.pick_up(code=codes[pick % len(codes)]))
        if opened is not None:
            self.attempt(self.world.door(opened.compartment.number, DoorState.OPEN))
            self.attempt(self.world.door(opened.compartment.number, DoorState.CLOSED))

    @precondition(lambda self: self.ids)
    @rule(pick=st.integers(min_value=0), problem=st.sampled_from(DepositProblem))
    def report_problem(self, pick: int, problem: DepositProblem) -> None:
        command = ReportDepositProblem(self.world.cast.courier, LOCKER, self.known(pick), problem)
        self.attempt(self.world.run(report_deposit_problem, command))

    @rule(number=st.integers(min_value=1, max_value=5), door=st.sampled_from(DoorState))
    def door(self, number: int, door: DoorState) -> None:
        self.attempt(self.world.door(number, door))
        self.learn_codes()

    @precondition(lambda self: any(c.pending for c in self.world.db.compartments.values()))
    @rule(pick=st.integers(min_value=0))
    def open_and_close_a_door_in_use(self, pick: int) -> None:
        in_use = sorted(c.number for c in self.world.db.compartments.values() if c.pending and c.locker_id == LOCKER)
        number = in_use[pick % len(in_use)]
        self.attempt(self.world.door(number, DoorState.OPEN))
        self.attempt(self.world.door(number, DoorState.CLOSED))
        self.learn_codes()

    @precondition(lambda self: self.codes)
    @rule(pick=st.integers(min_value=0), right=st.booleans())
    def pick_up(self, pick: int, right: bool) -> None:
        codes = [self.codes[shipment_id] for shipment_id in sorted(self.codes)]
        code = codes[pick % len(codes)]
        self.attempt(self.world.pick_up(code=code if right else wrong_code(code)))

    @precondition(lambda self: self.ids)
    @rule(pick=st.integers(min_value=0))
    def cancel(self, pick: int) -> None:
        command = CancelShipment(self.world.cast.carrier, self.ids[self.known(pick)])
        self.attempt(self.world.run(cancel_shipment, command))

    @rule(minutes=st.integers(min_value=1, max_value=60 * 24))
    def time_passes(self, minutes: int) -> None:
        self.world.clock.advance(timedelta(minutes=minutes))

    @invariant()
    def compartments_and_shipments_point_at_each_other(self) -> None:
        db = self.world.db
        for compartment in db.compartments.values():
            if compartment.locker_id != LOCKER:
                continue
            if compartment.state in (CompartmentState.FREE, CompartmentState.OUT_OF_ORDER):
                assert (compartment.shipment_id, compartment.pending) == (None, None), compartment
                continue
            assert compartment.shipment_id is not None
            shipment = db.shipments[compartment.shipment_id]
            assert shipment.compartment_id == compartment.id
            if compartment.state is CompartmentState.RESERVED:
                assert (shipment.state, compartment.pending) == (ShipmentState.ANNOUNCED, PendingAction.DEPOSIT)
            else:
                assert shipment.state is ShipmentState.STORED
                assert compartment.pending in (None, PendingAction.PICKUP)
        for shipment in db.shipments.values():
            if shipment.compartment_id is not None:
                assert db.compartments[shipment.compartment_id].shipment_id == shipment.id

    @invariant()
    def a_stored_parcel_has_a_live_code_of_its_own(self) -> None:
        shipments = self.world.db.shipments.values()
        for shipment in shipments:
            assert (shipment.pickup_code_hash is not None) == (shipment.state is ShipmentState.STORED)
        live = [s.pickup_code_hash for s in shipments if s.pickup_code_hash is not None]
        assert len(live) == len(set(live))

    @invariant()
    def the_audit_chain_holds(self) -> None:
        assert verify_chain(self.world.db.audit) is None


def test_random_days_at_a_locker_keep_it_consistent(template: Template) -> None:
    run_state_machine_as_test(
        lambda: LockerDay(template),  # type: ignore[arg-type]  # any factory of machines will do
        settings=settings(
            max_examples=40, stateful_step_count=30, deadline=None, suppress_health_check=[HealthCheck.too_slow]
        ),
    )
