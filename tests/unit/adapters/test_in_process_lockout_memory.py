"""A process's memory of lockouts: a lockout is known until it ends, trusted for RECHECK at most, then forgotten."""

from datetime import UTC, datetime, timedelta

from parcellocker.adapters.lockout_memory import RECHECK, InProcessLockoutMemory

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def test_an_unknown_locker_is_not_known_to_be_locked_out() -> None:
    assert InProcessLockoutMemory().locked_until("L-1", NOW) is None


def test_a_short_lockout_is_known_until_it_ends_and_then_forgotten() -> None:
    memory = InProcessLockoutMemory(recheck=timedelta(seconds=10))
    ends = NOW + timedelta(seconds=4)
    memory.remember("L-1", ends, NOW)
    assert memory.locked_until("L-1", NOW + timedelta(seconds=3, milliseconds=999)) == ends
    assert memory.locked_until("L-2", NOW) is None
    assert memory.locked_until("L-1", ends) is None
    assert len(memory) == 0


def test_a_long_lockout_is_trusted_for_the_recheck_only() -> None:
    memory = InProcessLockoutMemory()
    ends = NOW + timedelta(minutes=16)
    memory.remember("L-1", ends, NOW)
    assert memory.locked_until("L-1", NOW + RECHECK - timedelta(microseconds=1)) == ends
    assert memory.locked_until("L-1", NOW + RECHECK) is None  # the next try asks the database again
    assert len(memory) == 0


def test_remembering_again_replaces_what_was_known() -> None:
    memory = InProcessLockoutMemory(recheck=timedelta(seconds=10))
    memory.remember("L-1", NOW + timedelta(seconds=60), NOW)
    later = NOW + timedelta(seconds=9)
    memory.remember("L-1", NOW + timedelta(seconds=120), later)
    assert memory.locked_until("L-1", later + timedelta(seconds=9)) == NOW + timedelta(seconds=120)
    assert len(memory) == 1


def test_lockers_are_forgotten_one_by_one() -> None:
    memory = InProcessLockoutMemory(recheck=timedelta(seconds=10))
    memory.remember("L-1", NOW + timedelta(seconds=2), NOW)
    memory.remember("L-2", NOW + timedelta(seconds=60), NOW)
    assert memory.locked_until("L-1", NOW + timedelta(seconds=5)) is None
    assert memory.locked_until("L-2", NOW + timedelta(seconds=5)) == NOW + timedelta(seconds=60)
    assert len(memory) == 1
