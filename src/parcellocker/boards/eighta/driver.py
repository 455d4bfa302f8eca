"""A generic "8A/80" lock-control board on a bus (RS485 at 9600 8N1, address set by DIP switch)."""

from __future__ import annotations

from parcellocker.boards.eighta import frames
from parcellocker.boards.eighta.config import STATES, EightAConfig
from parcellocker.boards.eighta.errors import EightAProtocolError
from parcellocker.boards.port import Bus, DoorReading, FrameFault, LockBoard, LockDidNotOpen

SERIAL_BAUDRATE = 9600
MAX_LOCKS = 64


class EightABoard(LockBoard):
    def __init__(self, bus: Bus, board: int, *, locks: int = 24, config: EightAConfig | None = None) -> None:
        if not 0 <= board <= 0xFF:
            raise ValueError(f"board {board} does not fit a byte")
        if not 1 <= locks <= MAX_LOCKS:
            raise ValueError(f"an 8A/80 board has 1..{MAX_LOCKS} locks here, not {locks}")
        self.bus = bus
        self.board = board
        self.config = config or EightAConfig()
        self._locks = locks

    @property
    def locks(self) -> int:
        return self._locks

    async def open_lock(self, lock: int) -> None:
        self.check_lock(lock)
        if await self._unlock(lock) != self.config.opened_state:
            raise LockDidNotOpen(f"board {self.board} reports lock {lock} did not open")

    async def open_all(self) -> None:
        """Unlock every lock of the board; raises LockDidNotOpen when the board reports a failure."""
        if await self._unlock(frames.ALL_LOCKS) != self.config.opened_state:
            raise LockDidNotOpen(f"board {self.board} reports its locks did not all open")

    async def read_door(self, lock: int) -> DoorReading:
        self.check_lock(lock)
        request = frames.query_request(self.board, lock)
        state = await self.bus.request(
            request.encode(),
            lambda received: _lock_reply(received, request, lock),
            reply_within=self.config.query_timeout,
        )
        return DoorReading(closed=state == self.config.closed_state)

    async def read_doors(self) -> dict[int, DoorReading]:
        request = frames.query_request(self.board, frames.ALL_LOCKS)
        bits = await self.bus.request(request.encode(), self._query_all_reply, reply_within=self.config.query_timeout)
        return {lock: DoorReading(closed=bit == self.config.closed_bit_set) for lock, bit in enumerate(bits, start=1)}

    async def _unlock(self, lock: int) -> int:
        request = frames.unlock_request(self.board, lock)
        return await self.bus.request(
            request.encode(),
            lambda received: _lock_reply(received, request, lock),
            reply_within=self.config.unlock_timeout,
        )

    def _query_all_reply(self, received: bytes) -> tuple[bool, ...] | None:
        reply = frames.decode_frame(received, frames.query_all_length(self.locks))
        if reply is None:
            return None
        _check_origin(reply, frames.QUERY, self.board)
        if reply.body[-1] != frames.QUERY_COMMAND:
            raise EightAProtocolError(FrameFault.BAD_LENGTH, f"query-all reply not ending in 33: {reply}")
        return frames.unpack_bits(reply.body[:-1], self.locks)


def _lock_reply(received: bytes, request: frames.Frame, lock: int) -> int | None:
    """The state byte of the reply to an unlock or a query-one."""
    reply = frames.decode_frame(received, frames.REQUEST_LENGTH)
    if reply is None:
        return None
    _check_origin(reply, request.head, request.board)
    if reply.body[0] != lock:
        raise EightAProtocolError(FrameFault.WRONG_ADDRESS, f"asked for lock {lock}, got {reply.body[0]}")
    if reply.body[1] not in STATES:
        raise EightAProtocolError(FrameFault.MALFORMED, f"state {reply.body[1]:02x} is not 00 or 11")
    return reply.body[1]


def _check_origin(reply: frames.Frame, head: int, board: int) -> None:
    if reply.head != head:
        raise EightAProtocolError(FrameFault.MALFORMED, f"reply starts with {reply.head:02x}, not {head:02x}")
    if reply.board != board:
        raise EightAProtocolError(FrameFault.WRONG_ADDRESS, f"asked board {board}, answered by {reply.board}")
