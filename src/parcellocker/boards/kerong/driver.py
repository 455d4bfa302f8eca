"""A Kerong KR-CU16 / CU12 board on a bus (RS485 at 19200 8N1, or the same frames over TCP port 5000)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from parcellocker.boards.kerong import frames
from parcellocker.boards.kerong.errors import KerongProtocolError
from parcellocker.boards.port import Bus, DoorReading, FrameFault, LockBoard, LockDidNotOpen

SERIAL_BAUDRATE = 19200
TCP_PORT = 5000


@dataclass(frozen=True, slots=True)
class KerongConfig:
    """No public source documents a reply to an unlock, so an unlock is confirmed by reading the status:
    polled every `confirm_interval` s for up to `confirm_within` s, the unlock sent `unlock_attempts` times
    in all before the lock is declared shut."""

    confirm_within: float = 1.0
    confirm_interval: float = 0.05
    unlock_attempts: int = 2


class KerongBoard(LockBoard):
    def __init__(
        self, bus: Bus, board: int, *, locks: int = frames.LOCKS_PER_BOARD, config: KerongConfig | None = None
    ) -> None:
        frames.address(board)
        if not 1 <= locks <= frames.LOCKS_PER_BOARD:
            raise ValueError(f"a Kerong board has 1..{frames.LOCKS_PER_BOARD} locks, not {locks}")
        self.bus = bus
        self.board = board
        self.config = config or KerongConfig()
        self._locks = locks

    @property
    def locks(self) -> int:
        return self._locks

    async def open_lock(self, lock: int) -> None:
        self.check_lock(lock)
        unlock = frames.unlock_request(self.board, lock).encode()
        for _ in range(self.config.unlock_attempts):
            await self.bus.send(unlock)
            if await self._confirm_open(lock):
                return
        raise LockDidNotOpen(
            f"board {self.board} lock {lock} still reads closed after {self.config.unlock_attempts} unlocks"
        )

    async def open_all(self) -> dict[int, DoorReading]:
        """Unlock every lock of the board at once; returns the doors as read right after."""
        await self.bus.send(frames.unlock_all_request(self.board).encode())
        return await self.read_doors()

    async def set_pulse_time(self, milliseconds: int) -> None:
        await self.bus.send(frames.set_pulse_request(self.board, milliseconds).encode())

    async def read_doors(self) -> dict[int, DoorReading]:
        status = await self.read_status()
        return {
            lock: DoorReading(closed=status.closed[lock - 1], item_present=status.items[lock - 1])
            for lock in range(1, self.locks + 1)
        }

    async def read_status(self) -> frames.Status:
        request = frames.status_request(self.board)
        return await self.bus.request(request.encode(), lambda received: _status_reply(received, request))

    async def _confirm_open(self, lock: int) -> bool:
        loop = asyncio.get_running_loop()
        give_up = loop.time() + self.config.confirm_within
        while True:
            if (await self.read_door(lock)).is_open:
                return True
            if loop.time() + self.config.confirm_interval > give_up:
                return False
            await asyncio.sleep(self.config.confirm_interval)


def _status_reply(received: bytes, request: frames.Frame) -> frames.Status | None:
    reply = frames.decode_frame(received, frames.STATUS_DATA_LENGTH)
    if reply is None:
        return None
    if reply.address != request.address:
        raise KerongProtocolError(
            FrameFault.WRONG_ADDRESS, f"asked {request.address:02x}, answered by {reply.address:02x}"
        )
    return frames.read_status(reply)
