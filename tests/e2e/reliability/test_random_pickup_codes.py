"""Random pickup codes against one locker, as fast as a client can send them: nothing opens, the locker locks out
(429 with Retry-After, and an alarm for the operator), and another locker goes on serving its recipients. The
same against a terminal's own offline check. 2,000 codes in a short run, 100,000 with PARCELLOCKER_CHAOS=full."""

from __future__ import annotations

import asyncio

import pytest
from reliability_sizes import chaos_size

from parcellocker.bench.code_guessing import GuessingOutcome, GuessingPlan, run_code_guessing
from parcellocker.bench.offline_code_guessing import run_offline_code_guessing

pytestmark = pytest.mark.chaos

CODES = chaos_size(short=2_000, full=100_000)
PARCELS = chaos_size(short=8, full=40)
WRONG_TRIES_BEFORE_LOCKOUT = 5  # the default policy's, online and offline
SANE_PICKUP_SECONDS = 15.0  # generous: the machine is shared; a pickup queued behind the whole attack would not be


def _codes_checked_before_each_lockout(not_found: int, lockouts: int) -> bool:
    """Every code that was checked answered 404, but for the one that locked the locker out (429): at most
    4 "not found" before each lockout, and 4 after the last one."""
    return not_found <= (WRONG_TRIES_BEFORE_LOCKOUT - 1) * (lockouts + 1)


def test_random_codes_open_nothing_lock_the_locker_out_and_another_locker_serves_on() -> None:
    plan = GuessingPlan(codes=CODES, concurrency=50, parcels=PARCELS)
    outcome: GuessingOutcome = asyncio.run(run_code_guessing(plan, progress=print))
    print(f"{sum(outcome.answers.values())} codes in {outcome.seconds:.1f} s: {dict(outcome.answers)}")

    assert sum(outcome.answers.values()) == CODES
    assert outcome.successes == 0
    assert set(outcome.answers) <= {404, 429}, outcome.answers
    assert outcome.answers[429] > CODES // 2
    assert outcome.retry_after_missing == 0
    assert outcome.lockout_alarms >= 1
    assert _codes_checked_before_each_lockout(outcome.answers[404], outcome.lockout_alarms), outcome.answers

    assert outcome.legitimate_failed == []
    assert outcome.legitimate_opened == PARCELS
    assert outcome.legitimate_during_attack >= PARCELS // 2
    assert max(outcome.legitimate_latencies) < SANE_PICKUP_SECONDS


def test_random_codes_against_the_offline_check_open_nothing_and_lock_it_out() -> None:
    outcome = run_offline_code_guessing(CODES, PARCELS)
    print(f"{CODES} codes offline in {outcome.seconds:.1f} s: {dict(outcome.answers)}")

    assert outcome.successes == 0
    assert outcome.answers["locked_out"] > CODES // 2
    assert outcome.lockout_alarms >= 1
    assert _codes_checked_before_each_lockout(outcome.answers["not_found"], outcome.lockout_alarms)
    assert outcome.legitimate_opened == PARCELS
