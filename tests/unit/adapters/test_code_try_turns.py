"""A locker's code tries take turns: a few at once, the next ones parked in order, any more refused at once; a
turn is given back however its try ends (adapters/code_try_turns.py)."""

import asyncio

import pytest

from parcellocker.adapters.code_try_turns import BUSY_RETRY_AFTER_SECONDS, AsyncioCodeTryTurns
from parcellocker.domain.errors import LockerBusy


class Tries:
    """Tries at lockers that each hold their turn until the test lets them go, noting the order they got it in."""

    def __init__(self, turns: AsyncioCodeTryTurns) -> None:
        self.turns = turns
        self.order: list[str] = []
        self.done: dict[str, asyncio.Event] = {}

    def start(self, name: str, locker_id: str = "L-1", fail: bool = False) -> asyncio.Task[None]:
        self.done[name] = asyncio.Event()

        async def attempt() -> None:
            async with self.turns.turn(locker_id):
                self.order.append(name)
                await self.done[name].wait()
                if fail:
                    raise RuntimeError(f"{name} failed")

        return asyncio.create_task(attempt(), name=name)


async def settled() -> None:
    """Let every task that can run do so (the turns are handed on in the loop's next steps)."""
    for _ in range(5):
        await asyncio.sleep(0)


async def test_the_first_tries_run_at_once_and_the_next_wait_their_turn_in_order() -> None:
    turns = AsyncioCodeTryTurns(at_once=2, waiting=3)
    tries = Tries(turns)
    tasks = [tries.start(name) for name in "abcde"]
    await settled()
    assert tries.order == ["a", "b"]
    assert (turns.handling("L-1"), turns.queued("L-1")) == (2, 3)
    tries.done["b"].set()
    await settled()
    assert tries.order == ["a", "b", "c"]
    for name in "acde":
        tries.done[name].set()
    await asyncio.gather(*tasks)
    assert tries.order == ["a", "b", "c", "d", "e"]
    assert len(turns) == 0  # an idle locker is forgotten


async def test_a_try_beyond_those_waiting_is_refused_at_once_and_takes_no_place() -> None:
    turns = AsyncioCodeTryTurns(at_once=1, waiting=1)
    tries = Tries(turns)
    tasks = [tries.start("a"), tries.start("b")]
    await settled()
    with pytest.raises(LockerBusy) as refused:
        async with turns.turn("L-1"):
            raise AssertionError("a try beyond the bound must not run")
    assert refused.value.retry_after_seconds == BUSY_RETRY_AFTER_SECONDS
    assert (turns.handling("L-1"), turns.queued("L-1")) == (1, 1)
    tries.done["a"].set()
    tries.done["b"].set()
    await asyncio.gather(*tasks)
    assert tries.order == ["a", "b"]


async def test_another_lockers_tries_do_not_wait_behind_a_full_locker() -> None:
    turns = AsyncioCodeTryTurns(at_once=1, waiting=1)
    tries = Tries(turns)
    flood = [tries.start("a"), tries.start("b")]
    other = tries.start("x", locker_id="L-2")
    await settled()
    assert tries.order == ["a", "x"]
    tries.done["x"].set()
    await other
    for name in "ab":
        tries.done[name].set()
    await asyncio.gather(*flood)


async def test_a_try_that_fails_gives_its_turn_to_the_next() -> None:
    turns = AsyncioCodeTryTurns(at_once=1, waiting=2)
    tries = Tries(turns)
    failing, waiting = tries.start("a", fail=True), tries.start("b")
    await settled()
    tries.done["a"].set()
    with pytest.raises(RuntimeError):
        await failing
    await settled()
    assert tries.order == ["a", "b"]
    tries.done["b"].set()
    await waiting
    assert len(turns) == 0


async def test_a_try_cancelled_while_it_holds_its_turn_gives_it_to_the_next() -> None:
    turns = AsyncioCodeTryTurns(at_once=1, waiting=2)
    tries = Tries(turns)
    holding, waiting = tries.start("a"), tries.start("b")
    await settled()
    holding.cancel()
    await settled()
    assert holding.cancelled()
    assert tries.order == ["a", "b"]
    tries.done["b"].set()
    await waiting
    assert len(turns) == 0


async def test_a_try_cancelled_while_it_waits_leaves_the_queue() -> None:
    turns = AsyncioCodeTryTurns(at_once=1, waiting=1)
    tries = Tries(turns)
    holding, leaving = tries.start("a"), tries.start("b")
    await settled()
    leaving.cancel()
    await settled()
    assert turns.queued("L-1") == 0
    later = tries.start("c")  # the place it left is free again
    await settled()
    tries.done["a"].set()
    await settled()
    assert tries.order == ["a", "c"]
    tries.done["c"].set()
    await asyncio.gather(holding, later)
    assert len(turns) == 0


async def test_a_turn_handed_to_a_try_cancelled_at_that_moment_goes_on_to_the_next() -> None:
    turns = AsyncioCodeTryTurns(at_once=1, waiting=2)
    tries = Tries(turns)
    holding, handed, next_one = tries.start("a"), tries.start("b"), tries.start("c")
    await settled()
    tries.done["a"].set()
    for _ in range(5):  # "a" ends and hands its turn to "b", which has not run yet ...
        if turns.queued("L-1") < 2:
            break
        await asyncio.sleep(0)
    assert tries.order == ["a"]
    handed.cancel()  # ... and is cancelled before it does
    await settled()
    assert handed.cancelled()
    assert tries.order == ["a", "c"]
    tries.done["c"].set()
    await asyncio.gather(holding, next_one)
    assert len(turns) == 0
