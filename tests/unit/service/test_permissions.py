"""Each use case refuses callers in the wrong role, and a refused call changes nothing."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from parcellocker.domain.accounts import Principal
from parcellocker.domain.compartment import DoorState
from parcellocker.domain.errors import Forbidden
from parcellocker.domain.shipment import Recipient
from parcellocker.domain.sizes import ParcelSpec, Size
from parcellocker.service.accounts import AddCarrier, AddCourier, add_carrier, add_courier
from parcellocker.service.alarms import ListAlarms, list_alarms
from parcellocker.service.deposits import (
    DepositParcel,
    DepositProblem,
    ReportDepositProblem,
    deposit_parcel,
    report_deposit_problem,
)
from parcellocker.service.door_events import ReportDoor, report_door
from parcellocker.service.lockers import AddLocker, add_locker
from parcellocker.service.pickups import PickUpParcel, pick_up_parcel
from parcellocker.service.shipments import (
    AnnounceShipment,
    CancelShipment,
    FindShipments,
    announce_shipment,
    cancel_shipment,
    find_shipments,
)

from .world import LOCKER, Cast, World


@dataclass(frozen=True)
class Guarded:
    use_case: Callable[..., Any]
    command: Callable[[Principal, str], Any]  # (caller, shipment id) -> command
    allowed: tuple[str, ...]  # names of Cast members who may call it


GUARDED = {
    "announce_shipment": Guarded(
        announce_shipment,
        lambda by, _: AnnounceShipment(by, "TRK-9", LOCKER, ParcelSpec(Size.S), Recipient(email="a@b.c")),
        ("carrier", "other_carrier"),
    ),
    "cancel_shipment": Guarded(
        cancel_shipment, lambda by, sid: CancelShipment(by, sid), ("carrier", "other_carrier", "operator")
    ),
    "find_shipments": Guarded(
        find_shipments, lambda by, _: FindShipments(by, "TRK-1"), ("carrier", "other_carrier", "operator")
    ),
    "deposit_parcel": Guarded(deposit_parcel, lambda by, _: DepositParcel(by, LOCKER, "TRK-1"), ("courier",)),
    "report_deposit_problem": Guarded(
        report_deposit_problem,
        lambda by, _: ReportDepositProblem(by, LOCKER, "TRK-1", DepositProblem.DOOR_DID_NOT_OPEN),
        ("courier",),
    ),
    "report_door": Guarded(report_door, lambda by, _: ReportDoor(by, LOCKER, 1, DoorState.OPEN, 1), ("terminal",)),
    "pick_up_parcel": Guarded(pick_up_parcel, lambda by, _: PickUpParcel(by, LOCKER, code="123456"), ("terminal",)),
    "add_locker": Guarded(add_locker, lambda by, _: AddLocker(by, "New", "New Street 1", "S:1"), ("operator",)),
    "add_carrier": Guarded(add_carrier, lambda by, _: AddCarrier(by, "Quick", "quick"), ("operator",)),
    "add_courier": Guarded(add_courier, lambda by, _: AddCourier(by, "ewa", "fast", "Ewa", "1234"), ("operator",)),
    "list_alarms": Guarded(list_alarms, lambda by, _: ListAlarms(by), ("operator",)),
}
CALLERS = ("operator", "carrier", "other_carrier", "courier", "terminal", "other_terminal")
REFUSED = [(name, caller) for name, guarded in GUARDED.items() for caller in CALLERS if caller not in guarded.allowed]


@pytest.mark.parametrize(("use_case", "caller"), REFUSED)
async def test_a_caller_in_the_wrong_role_is_forbidden_and_nothing_changes(
    world: World, use_case: str, caller: str
) -> None:
    shipment = await world.announce("TRK-1")
    await world.deposit("TRK-1")
    guarded = GUARDED[use_case]
    principal: Principal = getattr(world.cast, caller)
    before = world.db.copy()
    with pytest.raises(Forbidden):
        await world.run(guarded.use_case, guarded.command(principal, shipment.id))
    assert world.db == before


def test_every_member_of_the_cast_is_a_caller() -> None:
    principals = {name for name in Cast.__dataclass_fields__ if not name.endswith("_key")}
    assert principals == set(CALLERS)


@pytest.mark.parametrize("use_case", sorted(GUARDED))
def test_somebody_is_refused_by_every_guarded_use_case(use_case: str) -> None:
    assert any(name == use_case for name, _ in REFUSED)
