"""Waiting for a wake-up with a time limit, in the loops that a `stop()` ends by cancelling them."""

from __future__ import annotations

import asyncio


async def woken_within(event: asyncio.Event, seconds: float) -> bool:
    """Whether `event` is set within `seconds` (False when the time ran out).

    Not `asyncio.wait_for(event.wait(), seconds)`: on Python 3.11 it loses a cancellation that arrives just as the
    event is set (it returns the result instead), so a loop stopped at that moment runs on, and the `stop()` that
    cancelled it waits for it forever (a test of the webhook worker hung so in CI). `asyncio.timeout` keeps the
    cancellation.
    """
    try:
        async with asyncio.timeout(seconds):
            await event.wait()
    except TimeoutError:
        return False
    return True
