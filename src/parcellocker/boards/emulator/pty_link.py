"""A pseudo-terminal for an emulator: the emulator holds the master side, a driver opens `path` (the
slave side) with pyserial exactly as it would open /dev/ttyUSB0."""

from __future__ import annotations

import asyncio
import contextlib
import os
import tty
from collections.abc import Callable


class PtyLink:
    def __init__(self) -> None:
        self._master = -1
        self._slave = -1
        self.path = ""

    def open(self, on_bytes: Callable[[bytes], None]) -> str:
        """Open the pty in raw mode and call `on_bytes` with whatever the driver writes; returns the path.
        The slave side stays open here too, so the driver may close and reopen it."""
        self._master, self._slave = os.openpty()
        tty.setraw(self._slave)
        os.set_blocking(self._master, False)
        self.path = os.ttyname(self._slave)
        asyncio.get_running_loop().add_reader(self._master, self._read, on_bytes)
        return self.path

    def write(self, data: bytes) -> None:
        """Bytes the line cannot take (nobody reading) are lost, as on a real bus."""
        with contextlib.suppress(BlockingIOError):
            os.write(self._master, data)

    def close(self) -> None:
        if self._master < 0:
            return
        asyncio.get_running_loop().remove_reader(self._master)
        os.close(self._master)
        os.close(self._slave)
        self._master = self._slave = -1

    def _read(self, on_bytes: Callable[[bytes], None]) -> None:
        try:
            data = os.read(self._master, 4096)
        except BlockingIOError:
            return
        if data:
            on_bytes(data)
