"""A pyserial port as a bus transport: a device (/dev/ttyUSB0), a pseudo-terminal path, or any
`serial_for_url` URL (socket://127.0.0.1:5000, rfc2217://...).

pyserial only blocks, so every pyserial call runs on one worker thread owned by the transport
(`run_in_executor` on a single-thread pool): the event loop never waits on the line, the calls are
serialised without further locking, and the default thread pool is left alone. A read blocks that
thread for at most `read_slice` seconds at a time and the coroutine loops slice by slice until its own
deadline, so a cancelled request keeps the thread busy for one slice at most and nothing ever hangs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import serial

from parcellocker.boards.port import BoardConnectionError, Transport

T = TypeVar("T")


class SerialTransport(Transport):
    def __init__(self, port: Any, *, read_slice: float = 0.02) -> None:
        self._port = port
        self._read_slice = read_slice
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="serial")

    @classmethod
    async def open(cls, url: str, *, baudrate: int, read_slice: float = 0.02) -> SerialTransport:
        """Open the port at `baudrate`, 8 data bits, no parity, 1 stop bit."""

        def connect() -> Any:
            return serial.serial_for_url(
                url,
                baudrate=baudrate,
                bytesize=serial.EIGHTBITS,
                parity=serial.PARITY_NONE,
                stopbits=serial.STOPBITS_ONE,
                timeout=read_slice,
                write_timeout=1.0,
            )

        try:
            port = await asyncio.to_thread(connect)
        except (serial.SerialException, OSError, ValueError) as error:
            raise BoardConnectionError(f"cannot open {url}: {error}") from error
        return cls(port, read_slice=read_slice)

    async def write(self, data: bytes) -> None:
        def write() -> None:
            self._port.write(data)
            self._port.flush()

        await self._call(write)

    async def read(self, wait: float) -> bytes:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        while True:
            data = await self._call(self._read_available)
            if data or loop.time() >= deadline:
                return data

    async def discard_input(self) -> None:
        await self._call(self._port.reset_input_buffer)

    async def close(self) -> None:
        try:
            await self._call(self._port.close)
        finally:
            self._thread.shutdown(wait=False)

    def _read_available(self) -> bytes:
        """On the worker thread: wait one slice for a first byte, then take whatever else is waiting."""
        data = bytes(self._port.read(1))
        if data and (waiting := int(self._port.in_waiting)):
            data += bytes(self._port.read(waiting))
        return data

    async def _call(self, function: Callable[[], T]) -> T:
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._thread, function)
        except (serial.SerialException, OSError) as error:
            raise BoardConnectionError(f"serial port {self._port.name}: {error}") from error
