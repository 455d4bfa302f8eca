"""A loop waiting for its wake-up with a time limit can always be stopped: a cancellation that arrives just as the
wake-up comes is kept (asyncio.wait_for on Python 3.11 loses it, and the loop then runs on forever)."""

from __future__ import annotations

import asyncio
import time

from parcellocker.wakeups import woken_within


async def test_a_loop_cancelled_just_as_it_is_woken_stops() -> None:
    event = asyncio.Event()
    rounds = 0

    async def loop() -> None:
        nonlocal rounds
        while True:
            rounds += 1
            await woken_within(event, 100)
            event.clear()

    task = asyncio.create_task(loop())
    await asyncio.sleep(0.01)
    event.set()
    task.cancel()  # in the same turn of the event loop as the wake-up
    done, _ = await asyncio.wait({task}, timeout=5)
    assert done == {task} and task.cancelled()
    assert rounds == 1


async def test_it_says_whether_the_wake_up_came_in_time() -> None:
    event = asyncio.Event()
    started = time.monotonic()
    assert await woken_within(event, 0.05) is False
    assert time.monotonic() - started >= 0.05
    asyncio.get_running_loop().call_later(0.01, event.set)
    assert await woken_within(event, 5) is True
