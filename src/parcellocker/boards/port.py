"""The lock-board port: what the terminal needs from a lock-control board, and the bus boards share.

A `LockBoard` is one board (one address) on a `Bus`; several boards are cascaded on one bus by address.
A `Bus` sends one request at a time over a `Transport` (serial port, pseudo-terminal or TCP socket),
waits for the reply with a timeout, retries a limited number of times and, after a bad frame, throws the
line's input away and waits for silence before trying again.
"""

from __future__ import annotations

import abc
import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

T = TypeVar("T")

ReplyDecoder = Callable[[bytes], T | None]
"""Reads a reply from the bytes received so far: the reply, None while more bytes are needed, or raises
BoardProtocolError when the bytes cannot be a good reply."""


@dataclass(frozen=True, slots=True)
class DoorReading:
    closed: bool
    item_present: bool | None = None
    """None where the board has no item sensor."""

    @property
    def is_open(self) -> bool:
        return not self.closed


class BoardError(Exception):
    """Base of every lock-board failure."""


class BoardTimeout(BoardError):
    """The board did not answer (after every attempt)."""

    def __init__(self, message: str, *, attempts: int = 1) -> None:
        super().__init__(message)
        self.attempts = attempts


class FrameFault(StrEnum):
    MALFORMED = "malformed"
    BAD_CHECKSUM = "bad checksum"
    BAD_LENGTH = "bad length"
    WRONG_ADDRESS = "wrong address"


class BoardProtocolError(BoardError):
    """A frame that is not a good reply: bad checksum, wrong length, wrong address or malformed."""

    def __init__(self, fault: FrameFault, message: str) -> None:
        super().__init__(f"{fault}: {message}")
        self.fault = fault
        self.attempts = 1


class LockDidNotOpen(BoardError):
    """The board says, or its sensor shows, that the lock stayed shut."""


class BoardConnectionError(BoardError):
    """The line itself failed: port missing, closed or unplugged, connection refused or dropped."""


class LockBoard(abc.ABC):
    """One lock-control board; locks are numbered from 1."""

    @property
    @abc.abstractmethod
    def locks(self) -> int:
        """How many locks this board drives."""

    @abc.abstractmethod
    async def open_lock(self, lock: int) -> None:
        """Open one lock; raises LockDidNotOpen when the board shows it stayed shut."""

    @abc.abstractmethod
    async def read_doors(self) -> dict[int, DoorReading]:
        """Every lock of the board, by lock number."""

    async def read_door(self, lock: int) -> DoorReading:
        self.check_lock(lock)
        return (await self.read_doors())[lock]

    def check_lock(self, lock: int) -> None:
        if not 1 <= lock <= self.locks:
            raise ValueError(f"lock {lock} is not on this board (1..{self.locks})")


class Transport(abc.ABC):
    """A byte pipe to the line: a serial port, a pseudo-terminal or a TCP socket."""

    @abc.abstractmethod
    async def write(self, data: bytes) -> None: ...

    @abc.abstractmethod
    async def read(self, wait: float) -> bytes:
        """Bytes that arrived within `wait` seconds (at least one), or b"" when none did."""

    @abc.abstractmethod
    async def discard_input(self) -> None:
        """Throw away whatever has been received and not read yet."""

    @abc.abstractmethod
    async def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class BusSettings:
    timeout: float = 0.3
    """Seconds to wait for a whole reply, per attempt (`request(reply_within=...)` overrides it)."""
    retries: int = 2
    """Attempts after the first one, on a timeout or a bad frame."""
    silence: float = 0.02
    """Quiet time on the line that marks the end of a garbled exchange."""
    resync_limit: float = 0.5
    """Longest wait for that silence; after it the next attempt goes ahead anyway."""


@dataclass(slots=True)
class BusStats:
    requests: int = 0
    attempts: int = 0
    retries: int = 0
    timeouts: int = 0
    bad_frames: int = 0
    resyncs: int = 0


class Bus:
    """One serial line with its boards: one request at a time, each answered, retried or failed."""

    def __init__(self, transport: Transport, settings: BusSettings | None = None) -> None:
        self.transport = transport
        self.settings = settings or BusSettings()
        self.stats = BusStats()
        self._lock = asyncio.Lock()

    async def request(self, frame: bytes, decode: ReplyDecoder[T], *, reply_within: float | None = None) -> T:
        """Send `frame` and return its decoded reply; raises BoardTimeout or BoardProtocolError once
        every attempt failed (with `attempts` set on the error)."""
        attempts = 1 + self.settings.retries
        failure: BoardTimeout | BoardProtocolError | None = None
        async with self._lock:
            self.stats.requests += 1
            for attempt in range(attempts):
                if attempt:
                    self.stats.retries += 1
                self.stats.attempts += 1
                await self.transport.discard_input()
                await self.transport.write(frame)
                try:
                    return await self._read_reply(frame, decode, reply_within or self.settings.timeout)
                except BoardTimeout as error:
                    self.stats.timeouts += 1
                    failure = error
                except BoardProtocolError as error:
                    self.stats.bad_frames += 1
                    failure = error
                await self._resync()
        assert failure is not None
        if isinstance(failure, BoardTimeout):
            raise BoardTimeout(f"no answer to {frame.hex(' ')} after {attempts} attempts", attempts=attempts)
        failure.attempts = attempts
        raise failure

    async def send(self, frame: bytes) -> None:
        """Send a frame that has no reply, then let the line fall silent (dropping anything it says)."""
        async with self._lock:
            await self.transport.discard_input()
            await self.transport.write(frame)
            await self._wait_for_silence()

    async def close(self) -> None:
        async with self._lock:
            await self.transport.close()

    async def _read_reply(self, frame: bytes, decode: ReplyDecoder[T], reply_within: float) -> T:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + reply_within
        received = b""
        while (remaining := deadline - loop.time()) > 0:
            received += await self.transport.read(remaining)
            if received and (reply := decode(received)) is not None:
                return reply
        if received:
            raise BoardProtocolError(FrameFault.BAD_LENGTH, f"reply to {frame.hex(' ')} cut short: {received.hex(' ')}")
        raise BoardTimeout(f"no answer to {frame.hex(' ')} within {reply_within} s")

    async def _resync(self) -> None:
        self.stats.resyncs += 1
        await self.transport.discard_input()
        await self._wait_for_silence()

    async def _wait_for_silence(self) -> None:
        loop = asyncio.get_running_loop()
        give_up = loop.time() + self.settings.resync_limit
        while (remaining := give_up - loop.time()) > 0:
            if not await self.transport.read(min(self.settings.silence, remaining)):
                return
