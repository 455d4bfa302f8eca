"""The Kerong side of an emulated bus: requests in, the exact reply bytes out.

The doors themselves (latches, sensors, jammed locks) and the line (pty, TCP, faults, delays) belong to
whoever drives this class, through the small `Doors` protocol below; `parcellocker.boards.emulator`
provides both.
"""

from __future__ import annotations

from typing import Protocol

from parcellocker.boards.kerong import frames
from parcellocker.boards.kerong.errors import KerongProtocolError


class Doors(Protocol):
    @property
    def locks(self) -> int: ...

    def door_closed(self, board: int, lock: int) -> bool: ...

    def item_present(self, board: int, lock: int) -> bool: ...

    def unlock(self, board: int, lock: int) -> bool:
        """Fire the lock; False when it stayed shut."""
        ...


class KerongEmulator:
    def __init__(self, *, echo_unlocks: bool = False) -> None:
        self.echo_unlocks = echo_unlocks
        """Answer unlocks with an echo of the request: some firmware answers them, no public source says
        with what, and the driver must cope either way."""
        self.pulse_ms: dict[int, int] = {}
        """Unlock pulse length last set on each board."""

    def parse(self, buffer: bytes) -> tuple[list[frames.Frame], bytes]:
        """Complete requests at the start of `buffer`, and the bytes left over; junk is skipped byte by
        byte, the way a board's firmware hunts for the next 02."""
        requests: list[frames.Frame] = []
        while buffer:
            try:
                request = frames.decode_request(buffer)
            except KerongProtocolError:
                buffer = buffer[1:]
                continue
            if request is None:
                break
            requests.append(request)
            buffer = buffer[len(request.encode()) :]
        return requests, buffer

    def respond(self, request: frames.Frame, doors: Doors) -> bytes | None:
        board = request.board
        match request.command:
            case frames.Command.STATUS:
                return self.status_reply(request.address, doors).encode()
            case frames.Command.UNLOCK if request.lock <= doors.locks:
                doors.unlock(board, request.lock)
                return request.encode() if self.echo_unlocks else None
            case frames.Command.UNLOCK_ALL:
                for lock in range(1, doors.locks + 1):
                    doors.unlock(board, lock)
                return request.encode() if self.echo_unlocks else None
            case frames.Command.SET_PULSE:
                self.pulse_ms[board] = frames.pulse_milliseconds(request)
        return None

    def reply_delay(self, request: frames.Frame) -> float:
        return 0.0

    def status_reply(self, address: int, doors: Doors) -> frames.Frame:
        board = address >> 4
        locks = range(1, doors.locks + 1)
        status = frames.Status(
            closed=tuple(doors.door_closed(board, lock) for lock in locks),
            items=tuple(doors.item_present(board, lock) for lock in locks),
        )
        return frames.status_reply(address, status)

    def corrupt(self, reply: bytes) -> bytes:
        """The same reply with a wrong checksum."""
        return reply[:-1] + bytes([reply[-1] ^ 0xFF])

    def misaddress(self, reply: bytes) -> bytes:
        """The same reply, well formed, from the next board up."""
        frame = frames.decode_frame(reply, len(reply) - 5)
        assert frame is not None
        wrong = (frame.address + 0x10) & 0xFF
        return frames.Frame(wrong, frame.command, frame.data).encode()
