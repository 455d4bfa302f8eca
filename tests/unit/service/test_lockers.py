import dataclasses
from typing import Any

import pytest

from parcellocker.domain.alarms import AlarmKind
from parcellocker.domain.compartment import CompartmentState, DoorState
from parcellocker.domain.errors import Conflict, InvalidInput, NotFound
from parcellocker.domain.locker import LockerStatus
from parcellocker.domain.sizes import Size
from parcellocker.service.accounts import Authenticate, authenticate
from parcellocker.service.alarms import ListAlarms, list_alarms
from parcellocker.service.audit import VerifyAudit, verify_audit
from parcellocker.service.lockers import (
    MAX_PAGE_SIZE,
    AddLocker,
    GetLocker,
    ListLockers,
    add_locker,
    get_locker,
    list_lockers,
)

from .world import LOCKER, OTHER_LOCKER, World


async def test_an_operator_adds_a_locker_with_its_layout_and_board_wiring(world: World) -> None:
    command = AddLocker(world.cast.operator, " Station ", "Station Square 2", "S:10,M:8", "STATION", "Europe/Warsaw",
                        opening_hours=" Mon-Sat  6:00-22:00 ")  # fmt: skip
    added = await world.run(add_locker, command)
    locker = await world.services.read(get_locker, GetLocker(world.cast.operator, "STATION"))
    assert (locker.name, locker.timezone, locker.status) == ("Station", "Europe/Warsaw", LockerStatus.OFFLINE)
    assert locker.opening_hours == "Mon-Sat 6:00-22:00"
    assert [c.number for c in locker.compartments] == list(range(1, 19))
    assert [(c.size, c.board, c.channel) for c in locker.compartments[15:18]] == [
        (Size.M, 0, 16),
        (Size.M, 1, 1),
        (Size.M, 1, 2),
    ]
    assert all(c.state is CompartmentState.FREE and c.door is DoorState.CLOSED for c in locker.compartments)
    terminal = await world.services.read(authenticate, Authenticate(added.terminal_key))
    assert (terminal.locker_id, terminal.id) == ("STATION", "terminal-STATION")
    assert world.audit_actions()[-1] == "locker.added"


async def test_a_locker_gets_an_id_when_none_is_given(world: World) -> None:
    added = await world.run(add_locker, AddLocker(world.cast.operator, "Park", "Park 1", "L:2"))
    assert added.locker.id.startswith("L-")
    assert added.locker.opening_hours == "24/7"  # unless the operator says otherwise
    assert [c.id for c in added.locker.compartments] == [f"{added.locker.id}/1", f"{added.locker.id}/2"]


@pytest.mark.parametrize(
    ("changes", "error", "says"),
    [
        ({"locker_id": LOCKER}, Conflict, "already exists"),
        ({"locker_id": "bad id"}, InvalidInput, "locker id"),
        ({"name": "  "}, InvalidInput, "needs a name"),
        ({"timezone": "Mars/Olympus"}, InvalidInput, "time zone"),
        ({"layout": "S:0"}, InvalidInput, "between 1 and 500"),
        ({"layout": "XXL:1"}, InvalidInput, "unknown compartment size"),
        ({"opening_hours": " "}, InvalidInput, "opening hours"),
    ],
)
async def test_a_bad_locker_is_refused_and_nothing_is_written(
    world: World, changes: dict[str, str], error: type[Exception], says: str
) -> None:
    fields: dict[str, Any] = {"name": "Park", "address": "Park 1", "layout": "S:2", "locker_id": "PARK"} | changes
    before = world.db.copy()
    with pytest.raises(error, match=says):
        await world.run(add_locker, AddLocker(world.cast.operator, **fields))
    assert world.db == before


async def test_a_locker_shows_the_live_state_of_its_compartments(world: World) -> None:
    parcel = await world.store_parcel("TRK-1")
    locker = await world.services.read(get_locker, GetLocker(world.cast.operator, LOCKER))
    states = {c.number: c.state for c in locker.compartments}
    assert states == {
        1: CompartmentState.OCCUPIED,
        2: CompartmentState.FREE,
        3: CompartmentState.FREE,
        4: CompartmentState.FREE,
        5: CompartmentState.FREE,
    }
    assert locker.compartment_by_number(parcel.compartment_number) is not None


async def test_a_terminal_sees_only_its_own_locker(world: World) -> None:
    mine = await world.services.read(list_lockers, ListLockers(world.cast.terminal, limit=1))
    assert ([locker.id for locker in mine.lockers], mine.next_after) == ([LOCKER], None)
    past_it = await world.services.read(list_lockers, ListLockers(world.cast.terminal, after=LOCKER))
    assert (past_it.lockers, past_it.next_after) == ([], None)
    with pytest.raises(NotFound):
        await world.services.read(get_locker, GetLocker(world.cast.terminal, OTHER_LOCKER))
    everything = await world.services.read(list_lockers, ListLockers(world.cast.operator))
    assert [locker.id for locker in everything.lockers] == [LOCKER, OTHER_LOCKER]


async def test_the_list_comes_a_page_at_a_time_each_locker_with_its_compartments(world: World) -> None:
    for locker_id in ("P-1", "P-2", "P-3"):
        await world.run(add_locker, AddLocker(world.cast.operator, "Park", "Park 1", "S:1,M:2", locker_id))
    seen, after, pages = [], "", 0
    while True:
        page = await world.services.read(list_lockers, ListLockers(world.cast.operator, after, limit=2))
        seen += page.lockers
        pages += 1
        if page.next_after is None:
            break
        assert page.next_after == page.lockers[-1].id and len(page.lockers) == 2
        after = page.next_after
    assert [locker.id for locker in seen] == sorted([LOCKER, OTHER_LOCKER, "P-1", "P-2", "P-3"]) and pages == 3
    park = next(locker for locker in seen if locker.id == "P-2")
    assert [(c.number, c.size) for c in park.compartments] == [(1, Size.S), (2, Size.M), (3, Size.M)]


@pytest.mark.parametrize("limit", [0, -1, MAX_PAGE_SIZE + 1])
async def test_a_page_holds_one_to_the_most_lockers(world: World, limit: int) -> None:
    with pytest.raises(InvalidInput, match=f"1 to {MAX_PAGE_SIZE} lockers"):
        await world.services.read(list_lockers, ListLockers(world.cast.operator, limit=limit))


async def test_an_unknown_locker_is_not_found(world: World) -> None:
    with pytest.raises(NotFound, match="there is no locker NOWHERE"):
        await world.services.read(get_locker, GetLocker(world.cast.operator, "NOWHERE"))


async def test_an_operator_lists_the_alarms_of_one_locker_or_all(world: World) -> None:
    await world.door(1, DoorState.OPEN)
    await world.door(1, DoorState.OPEN, locker_id=OTHER_LOCKER, by=world.cast.other_terminal)
    everywhere = await world.services.read(list_alarms, ListAlarms(world.cast.operator))
    here = await world.services.read(list_alarms, ListAlarms(world.cast.operator, LOCKER))
    assert {a.locker_id for a in everywhere} == {LOCKER, OTHER_LOCKER}
    assert [(a.locker_id, a.kind) for a in here] == [(LOCKER, AlarmKind.FORCED_DOOR)]


async def test_the_audit_log_written_by_the_use_cases_verifies(world: World) -> None:
    await world.store_parcel("TRK-1")
    verdict = await world.services.read(verify_audit, VerifyAudit())
    assert world.audit_actions() == [
        "operator.added",
        "carrier.added",
        "carrier.added",
        "courier.added",
        "locker.added",
        "locker.added",
        "compartment.opened_for_deposit",
    ]
    assert (verdict.entries, verdict.broken) == (7, None)


async def test_a_changed_audit_entry_is_reported_by_verify(world: World) -> None:
    entry = world.db.audit[2]
    world.db.audit[2] = dataclasses.replace(entry, record=dataclasses.replace(entry.record, actor="operator:mallory"))
    verdict = await world.services.read(verify_audit, VerifyAudit())
    assert verdict.broken is not None and verdict.broken.seq == 3
