"""A subscriber's own queue of door events.

Each subscriber gets its own unbounded `asyncio.Queue`: the polling never waits for a slow subscriber and no
event is dropped (they are few: a handful per door cycle). Read it with `async for event in feed`, `await
feed.get()`, or `feed.take_pending()` for whatever has arrived; `close()` (or leaving `with feed:`)
unsubscribes and ends the iteration.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Final

from parcellocker.terminal.doors.events import DoorEvent

_CLOSED: Final = None


class DoorEventFeed:
    def __init__(self, unsubscribe: Callable[[DoorEventFeed], None]) -> None:
        self._queue: asyncio.Queue[DoorEvent | None] = asyncio.Queue()
        self._unsubscribe = unsubscribe
        self.closed = False

    def publish(self, event: DoorEvent) -> None:
        if not self.closed:
            self._queue.put_nowait(event)

    async def get(self) -> DoorEvent:
        """The next event; raises EOFError once the feed is closed and drained."""
        event = await self._queue.get()
        if event is _CLOSED:
            self._queue.put_nowait(_CLOSED)
            raise EOFError("the door event feed is closed")
        return event

    def take_pending(self) -> list[DoorEvent]:
        """Every event already queued, without waiting."""
        events: list[DoorEvent] = []
        while not self._queue.empty():
            event = self._queue.get_nowait()
            if event is _CLOSED:
                self._queue.put_nowait(_CLOSED)
                break
            events.append(event)
        return events

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self._unsubscribe(self)
        self._queue.put_nowait(_CLOSED)

    def __aiter__(self) -> DoorEventFeed:
        return self

    async def __anext__(self) -> DoorEvent:
        try:
            return await self.get()
        except EOFError:
            raise StopAsyncIteration from None

    def __enter__(self) -> DoorEventFeed:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
