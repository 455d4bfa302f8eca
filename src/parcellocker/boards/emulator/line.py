"""One connection to an emulated bus (a pty or a TCP client): requests answered one at a time, in order,
as a board on a real bus would."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

R = TypeVar("R")


class Line(Generic[R]):
    def __init__(
        self,
        parse: Callable[[bytes], tuple[list[R], bytes]],
        answer: Callable[[R], Awaitable[bytes | None]],
        write: Callable[[bytes], None],
    ) -> None:
        self._parse = parse
        self._answer = answer
        self._write = write
        self._received = b""
        self._pending: asyncio.Queue[R] = asyncio.Queue()
        self._busy = False
        self.collisions = 0
        """Requests that arrived while an earlier one was still being answered."""
        self._worker = asyncio.create_task(self._answer_in_turn())

    def feed(self, data: bytes) -> None:
        requests, self._received = self._parse(self._received + data)
        for request in requests:
            if self._busy or not self._pending.empty():
                self.collisions += 1
            self._pending.put_nowait(request)

    async def close(self) -> None:
        self._worker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._worker

    async def _answer_in_turn(self) -> None:
        while True:
            request = await self._pending.get()
            self._busy = True
            try:
                reply = await self._answer(request)
                if reply is not None:
                    self._write(reply)
            finally:
                self._busy = False
