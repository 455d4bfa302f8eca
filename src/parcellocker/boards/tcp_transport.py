"""A TCP connection as a bus transport (serial-to-Ethernet boards, Kerong over TCP), on asyncio streams.

A pump task moves every received byte into a buffer as it arrives, so `discard_input` can drop what is
pending at once and `read` never has to cancel a stream read halfway.
"""

from __future__ import annotations

import asyncio
import contextlib

from parcellocker.boards.port import BoardConnectionError, Transport
from parcellocker.wakeups import woken_within


class TcpTransport(Transport):
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer
        self._received = bytearray()
        self._arrived = asyncio.Event()
        self._lost: str | None = None
        self._pump = asyncio.create_task(self._pump_bytes())

    @classmethod
    async def open(cls, host: str, port: int, *, connect_timeout: float = 3.0) -> TcpTransport:
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), connect_timeout)
        except (OSError, TimeoutError) as error:
            raise BoardConnectionError(f"cannot connect to {host}:{port}: {error!r}") from error
        return cls(reader, writer)

    async def write(self, data: bytes) -> None:
        self._raise_if_lost()
        try:
            self._writer.write(data)
            await self._writer.drain()
        except OSError as error:
            raise BoardConnectionError(f"connection lost: {error!r}") from error

    async def read(self, wait: float) -> bytes:
        if not self._received:
            self._raise_if_lost()
            self._arrived.clear()
            await woken_within(self._arrived, wait)
        if not self._received:
            self._raise_if_lost()
        data = bytes(self._received)
        self._received.clear()
        return data

    async def discard_input(self) -> None:
        self._received.clear()

    async def close(self) -> None:
        self._pump.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._pump
        self._writer.close()
        with contextlib.suppress(OSError):
            await self._writer.wait_closed()

    async def _pump_bytes(self) -> None:
        try:
            while data := await self._reader.read(4096):
                self._received += data
                self._arrived.set()
            self._lost = "connection closed by the board"
        except OSError as error:
            self._lost = f"connection lost: {error!r}"
        self._arrived.set()

    def _raise_if_lost(self) -> None:
        if self._lost is not None:
            raise BoardConnectionError(self._lost)
