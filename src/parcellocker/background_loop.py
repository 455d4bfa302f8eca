"""A loop that a long-lived part of a process runs beside its main work, as one asyncio task: the server's
scheduler, outbox and webhook workers, silent-locker check, rental sweeper and MQTT bridge, and the terminal's MQTT
connection. Each of them decides what one round does; this class only starts the loop once and stops it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Coroutine
from typing import Any


class BackgroundLoop:
    """`start()` runs `loop()` as a task named `name`, unless it runs already; `await stop()` cancels it and waits
    until it has ended. Stopped, it may be started again."""

    def __init__(self, name: str, loop: Callable[[], Coroutine[Any, Any, None]]) -> None:
        self.name = name
        self._loop = loop
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        return self._task is not None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._loop(), name=self.name)

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
