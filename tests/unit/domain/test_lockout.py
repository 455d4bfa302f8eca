from datetime import UTC, datetime, timedelta

from parcellocker.domain.lockout import Lockout, LockoutPolicy

T0 = datetime(2025, 3, 3, 8, 0, tzinfo=UTC)
POLICY = LockoutPolicy()  # 5 wrong tries within 10 minutes; 60 s first, doubling, at most an hour


def fail(lockout: Lockout, times: int, start: datetime, every: timedelta = timedelta(seconds=5)) -> list[bool]:
    return [lockout.record_failure(start + every * i, POLICY) for i in range(times)]


def test_four_wrong_tries_are_allowed_and_count_down() -> None:
    lockout = Lockout("pickup:L")
    assert lockout.remaining_tries(T0, POLICY) == 5
    assert fail(lockout, 4, T0) == [False] * 4
    assert lockout.remaining_tries(T0 + timedelta(seconds=20), POLICY) == 1
    assert lockout.retry_after(T0 + timedelta(seconds=20)) is None


def test_the_fifth_wrong_try_within_ten_minutes_locks_out_for_a_minute() -> None:
    lockout = Lockout("pickup:L")
    assert fail(lockout, 5, T0, every=timedelta(minutes=2)) == [False, False, False, False, True]
    fifth = T0 + timedelta(minutes=8)
    assert lockout.locked_until == fifth + timedelta(seconds=60)
    assert lockout.retry_after(fifth) == 60
    assert lockout.retry_after(fifth + timedelta(seconds=59.5)) == 1
    assert lockout.retry_after(fifth + timedelta(seconds=60)) is None


def test_tries_older_than_the_window_are_forgotten() -> None:
    lockout = Lockout("pickup:L")
    fail(lockout, 4, T0)
    later = T0 + timedelta(minutes=10, seconds=20)
    assert lockout.remaining_tries(later, POLICY) == 5
    assert lockout.record_failure(later, POLICY) is False
    assert lockout.remaining_tries(later, POLICY) == 4


def test_five_tries_spread_over_more_than_ten_minutes_do_not_lock_out() -> None:
    lockout = Lockout("pickup:L")
    assert fail(lockout, 8, T0, every=timedelta(minutes=3)) == [False] * 8
    assert lockout.locked_until is None


def test_every_lockout_waits_twice_as_long_as_the_one_before_up_to_an_hour() -> None:
    lockout = Lockout("pickup:L")
    now = T0
    waits = []
    for _ in range(8):
        assert fail(lockout, 5, now)[-1] is True
        locked_at = now + timedelta(seconds=20)
        wait = lockout.retry_after(locked_at)
        assert wait is not None
        waits.append(wait)
        now = locked_at + timedelta(seconds=wait)
    assert waits == [60, 120, 240, 480, 960, 1920, 3600, 3600]


def test_a_long_quiet_spell_forgives_earlier_lockouts() -> None:
    lockout = Lockout("pickup:L")
    fail(lockout, 5, T0)
    fail(lockout, 5, T0 + timedelta(minutes=5))
    assert lockout.strikes == 2
    quiet = T0 + timedelta(hours=5)
    fail(lockout, 5, quiet)
    assert lockout.retry_after(quiet + timedelta(seconds=20)) == 60


def test_a_right_code_clears_the_wrong_tries() -> None:
    lockout = Lockout("pickup:L")
    fail(lockout, 4, T0)
    lockout.record_success()
    assert lockout.remaining_tries(T0 + timedelta(seconds=30), POLICY) == 5
    assert fail(lockout, 4, T0 + timedelta(seconds=30)) == [False] * 4


def test_the_policy_can_be_tightened() -> None:
    policy = LockoutPolicy(max_failures=2, window=timedelta(minutes=1), first_delay=timedelta(seconds=10))
    lockout = Lockout("sign-in:courier:kuba")
    assert lockout.record_failure(T0, policy) is False
    assert lockout.record_failure(T0 + timedelta(seconds=1), policy) is True
    assert lockout.retry_after(T0 + timedelta(seconds=1)) == 10


def test_guessing_around_the_clock_stays_locked_out_for_an_hour_each_time() -> None:
    lockout = Lockout("pickup:L")
    now = T0
    for _ in range(60):  # five wrong codes as soon as each wait is over, for two and a half days
        assert fail(lockout, 5, now)[-1] is True
        wait = lockout.retry_after(now + timedelta(seconds=20))
        assert wait is not None
        now += timedelta(seconds=20 + wait)
    assert lockout.strikes == 60
    assert wait == 3600
    assert LockoutPolicy().delay_for(10_000) == timedelta(hours=1)
