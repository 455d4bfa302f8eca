import pytest

from parcellocker.boards.emulator import Cabinet, Fault, kerong_emulator
from parcellocker.boards.emulator.control import run_command
from parcellocker.boards.emulator.faults import FaultPlan


def test_unlock_pops_the_spring_loaded_door_until_someone_closes_it() -> None:
    cabinet = Cabinet([0], locks=4)
    assert cabinet.unlock(0, 2)
    assert not cabinet.door_closed(0, 2)
    cabinet.close_door(0, 2)
    assert cabinet.door_closed(0, 2)
    assert cabinet.compartment(0, 2).latched


def test_jammed_lock_stays_shut_on_unlock() -> None:
    cabinet = Cabinet([0], locks=4)
    cabinet.set_jammed(0, 1, True)
    assert not cabinet.unlock(0, 1)
    assert cabinet.door_closed(0, 1)


def test_door_pulled_open_while_latched_is_forced_until_closed_again() -> None:
    cabinet = Cabinet([0], locks=4)
    cabinet.open_door(0, 3)
    assert cabinet.compartment(0, 3).forced
    cabinet.close_door(0, 3)
    assert not cabinet.compartment(0, 3).forced


def test_door_opened_after_an_unlock_is_not_forced() -> None:
    cabinet = Cabinet([0], locks=4)
    cabinet.unlock(0, 3)
    cabinet.close_door(0, 3)
    cabinet.unlock(0, 3)
    cabinet.open_door(0, 3)
    assert not cabinet.compartment(0, 3).forced


def test_unknown_board_or_lock_is_a_value_error() -> None:
    cabinet = Cabinet([0], locks=4)
    with pytest.raises(ValueError):
        cabinet.door_closed(1, 1)
    with pytest.raises(ValueError):
        cabinet.door_closed(0, 5)


def test_fault_hits_the_given_number_of_requests_then_stops() -> None:
    plan = FaultPlan()
    plan.inject(0, Fault.NO_ANSWER, times=2)
    assert [plan.take(0, Fault.NO_ANSWER) for _ in range(3)] == [True, True, False]
    assert not plan.take(1, Fault.NO_ANSWER)


def test_fault_without_a_count_lasts_until_cleared() -> None:
    plan = FaultPlan()
    plan.inject(0, Fault.BAD_CHECKSUM)
    plan.delays[0] = 0.5
    assert all(plan.take(0, Fault.BAD_CHECKSUM) for _ in range(10))
    plan.clear(0)
    assert not plan.take(0, Fault.BAD_CHECKSUM)
    assert plan.delays == {}


def test_text_commands_drive_doors_and_faults() -> None:
    emulator = kerong_emulator(boards=(0,), locks=4)
    assert run_command(emulator, "force 0 2") == "ok"
    assert run_command(emulator, "jam 0 3") == "ok"
    assert run_command(emulator, "item 0 4") == "ok"
    assert run_command(emulator, "fault no_answer 0 1") == "ok"
    assert run_command(emulator, "delay 0 0.2") == "ok"
    assert run_command(emulator, "show") == "board 0: 1:C 2:O! 3:CJ 4:C*"
    assert emulator.faults.take(0, Fault.NO_ANSWER)
    assert emulator.faults.delays == {0: 0.2}


@pytest.mark.parametrize("line", ["open 0", "fault melt 0", "close 7 1", "dance"])
def test_bad_text_commands_are_value_errors(line: str) -> None:
    with pytest.raises(ValueError):
        run_command(kerong_emulator(boards=(0,), locks=4), line)
