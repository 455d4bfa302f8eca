"""The 8A/80 side of an emulated bus: requests in, the exact reply bytes out.

The doors themselves (latches, sensors, jammed locks) and the line (pty, faults, delays) belong to
whoever drives this class, through the small `Doors` protocol below; `parcellocker.boards.emulator`
provides both.
"""

from __future__ import annotations

from typing import Protocol

from parcellocker.boards.eighta import frames
from parcellocker.boards.eighta.config import EightAConfig
from parcellocker.boards.eighta.errors import EightAProtocolError


class Doors(Protocol):
    @property
    def locks(self) -> int: ...

    def door_closed(self, board: int, lock: int) -> bool: ...

    def unlock(self, board: int, lock: int) -> bool:
        """Fire the lock; False when it stayed shut."""
        ...


class EightAEmulator:
    def __init__(self, config: EightAConfig | None = None, *, unlock_reply_delay: float = 0.0) -> None:
        self.config = config or EightAConfig()
        self.unlock_reply_delay = unlock_reply_delay
        """Real boards take up to about a second to answer an unlock."""

    def parse(self, buffer: bytes) -> tuple[list[frames.Frame], bytes]:
        """Complete requests at the start of `buffer`, and the bytes left over; junk is skipped byte by
        byte until a frame checks out."""
        requests: list[frames.Frame] = []
        while buffer:
            try:
                request = frames.decode_frame(buffer, frames.REQUEST_LENGTH)
            except EightAProtocolError:
                buffer = buffer[1:]
                continue
            if request is None:
                break
            requests.append(request)
            buffer = buffer[frames.REQUEST_LENGTH :]
        return requests, buffer

    def respond(self, request: frames.Frame, doors: Doors) -> bytes | None:
        lock, command = request.body
        if lock > doors.locks:
            return None
        if request.head == frames.UNLOCK and command == frames.UNLOCK_COMMAND:
            return self._unlock(request.board, lock, doors).encode()
        if request.head == frames.QUERY and command == frames.QUERY_COMMAND:
            return self._query(request.board, lock, doors).encode()
        return None

    def reply_delay(self, request: frames.Frame) -> float:
        return self.unlock_reply_delay if request.head == frames.UNLOCK else 0.0

    def corrupt(self, reply: bytes) -> bytes:
        """The same reply with a wrong checksum."""
        return reply[:-1] + bytes([reply[-1] ^ 0xFF])

    def misaddress(self, reply: bytes) -> bytes:
        """The same reply, well formed, from the next board up."""
        frame = frames.decode_frame(reply, len(reply))
        assert frame is not None
        return frames.Frame(frame.head, (frame.board + 1) & 0xFF, frame.body).encode()

    def _unlock(self, board: int, lock: int, doors: Doors) -> frames.Frame:
        locks = range(1, doors.locks + 1) if lock == frames.ALL_LOCKS else [lock]
        opened = [doors.unlock(board, each) for each in locks]
        state = self.config.opened_state if all(opened) else self.config.other_state(self.config.opened_state)
        return frames.lock_reply(frames.UNLOCK, board, lock, state)

    def _query(self, board: int, lock: int, doors: Doors) -> frames.Frame:
        if lock == frames.ALL_LOCKS:
            closed = [doors.door_closed(board, each) for each in range(1, doors.locks + 1)]
            return frames.query_all_reply(board, [each == self.config.closed_bit_set for each in closed])
        closed_state = self.config.closed_state
        state = closed_state if doors.door_closed(board, lock) else self.config.other_state(closed_state)
        return frames.lock_reply(frames.QUERY, board, lock, state)
