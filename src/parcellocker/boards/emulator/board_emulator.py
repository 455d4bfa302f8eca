"""An emulated bus of lock boards: a cabinet of doors, a protocol that speaks the exact bytes, injectable
faults, served on pseudo-terminals and TCP ports."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterable
from typing import Generic, Protocol, TypeVar

from parcellocker.boards.eighta import EightAConfig, EightAEmulator
from parcellocker.boards.eighta import frames as eighta_frames
from parcellocker.boards.emulator.cabinet import Cabinet, Compartment
from parcellocker.boards.emulator.faults import Fault, FaultPlan
from parcellocker.boards.emulator.line import Line
from parcellocker.boards.emulator.pty_link import PtyLink
from parcellocker.boards.kerong import KerongEmulator
from parcellocker.boards.kerong import frames as kerong_frames


class Request(Protocol):
    @property
    def board(self) -> int: ...

    def encode(self) -> bytes: ...


R = TypeVar("R", bound=Request)


class ProtocolEmulator(Protocol[R]):
    def parse(self, buffer: bytes) -> tuple[list[R], bytes]: ...

    def respond(self, request: R, doors: Cabinet) -> bytes | None: ...

    def reply_delay(self, request: R) -> float: ...

    def corrupt(self, reply: bytes) -> bytes: ...

    def misaddress(self, reply: bytes) -> bytes: ...


class BoardEmulator(Generic[R]):
    def __init__(self, protocol: ProtocolEmulator[R], boards: Iterable[int], locks: int) -> None:
        self.protocol = protocol
        self.cabinet = Cabinet(boards, locks)
        self.faults = FaultPlan()
        self.requests: list[R] = []
        """Every request received, in order (including those of boards that are not there)."""
        self._lines: list[Line[R]] = []
        self._ptys: list[PtyLink] = []
        self._servers: list[asyncio.Server] = []
        self._clients: set[asyncio.StreamWriter] = set()

    # The hardware, as a test or a demo sees it.

    def open_door(self, board: int, lock: int) -> None:
        """Pull the door open; if it was latched, that is a forced door."""
        self.cabinet.open_door(board, lock)

    def force_door(self, board: int, lock: int) -> None:
        """A door opened without any command (it must be latched shut now)."""
        if not self.compartment(board, lock).latched:
            raise ValueError(f"board {board} lock {lock} is not latched, so it cannot be forced")
        self.cabinet.open_door(board, lock)

    def close_door(self, board: int, lock: int) -> None:
        self.cabinet.close_door(board, lock)

    def put_item(self, board: int, lock: int) -> None:
        self.cabinet.set_item(board, lock, True)

    def remove_item(self, board: int, lock: int) -> None:
        self.cabinet.set_item(board, lock, False)

    def jam_lock(self, board: int, lock: int) -> None:
        """The lock will not open on command until freed."""
        self.cabinet.set_jammed(board, lock, True)

    def free_lock(self, board: int, lock: int) -> None:
        self.cabinet.set_jammed(board, lock, False)

    def door_closed(self, board: int, lock: int) -> bool:
        return self.cabinet.door_closed(board, lock)

    def compartment(self, board: int, lock: int) -> Compartment:
        return self.cabinet.compartment(board, lock)

    # The line.

    def inject(self, fault: Fault, board: int, times: int | None = None) -> None:
        """Hit the next `times` requests to `board` (None: every one until cleared) with `fault`."""
        self.faults.inject(board, fault, times)

    def set_reply_delay(self, board: int, seconds: float) -> None:
        self.faults.delays[board] = seconds

    def clear_faults(self, board: int | None = None) -> None:
        self.faults.clear(board)

    def requests_to(self, board: int) -> int:
        return sum(1 for request in self.requests if request.board == board)

    @property
    def collisions(self) -> int:
        """Requests that reached a line while it was still answering an earlier one."""
        return sum(line.collisions for line in self._lines)

    async def answer(self, request: R) -> bytes | None:
        """What the boards put on the line for `request`, after the board's delay; None: silence."""
        self.requests.append(request)
        board = request.board
        if not self.cabinet.has_board(board) or self.faults.take(board, Fault.NO_ANSWER):
            return None
        reply = self.protocol.respond(request, self.cabinet)
        if reply is None:
            return None
        delay = self.faults.delays.get(board, 0.0) + self.protocol.reply_delay(request)
        if delay > 0:
            await asyncio.sleep(delay)
        if self.faults.take(board, Fault.BAD_CHECKSUM):
            return self.protocol.corrupt(reply)
        if self.faults.take(board, Fault.WRONG_ADDRESS):
            return self.protocol.misaddress(reply)
        return reply

    # Serving.

    async def serve_pty(self) -> str:
        """A new pseudo-terminal on this bus; returns the path a driver opens."""
        link = PtyLink()
        line = self._new_line(link.write)
        self._ptys.append(link)
        return link.open(line.feed)

    async def serve_tcp(self, host: str = "127.0.0.1", port: int = 0) -> int:
        """Listen for TCP clients (each its own line on this bus); returns the port (pick one with 0)."""
        server = await asyncio.start_server(self._serve_client, host, port)
        self._servers.append(server)
        return int(server.sockets[0].getsockname()[1])

    async def close(self) -> None:
        for server in self._servers:
            server.close()
        for client in self._clients:
            client.close()
        for link in self._ptys:
            link.close()
        for line in self._lines:
            await line.close()
        for server in self._servers:
            with contextlib.suppress(Exception):
                await server.wait_closed()
        self._servers.clear()
        self._ptys.clear()

    async def __aenter__(self) -> BoardEmulator[R]:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.close()

    def _new_line(self, write: Callable[[bytes], None]) -> Line[R]:
        line = Line(self.protocol.parse, self.answer, write)
        self._lines.append(line)
        return line

    async def _serve_client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        line = self._new_line(writer.write)
        self._clients.add(writer)
        try:
            while data := await reader.read(4096):
                line.feed(data)
        except OSError:
            pass
        finally:
            await line.close()
            self._clients.discard(writer)
            writer.close()


def kerong_emulator(
    boards: Iterable[int] = (0,), locks: int = 16, *, echo_unlocks: bool = False
) -> BoardEmulator[kerong_frames.Frame]:
    return BoardEmulator(KerongEmulator(echo_unlocks=echo_unlocks), boards, locks)


def eighta_emulator(
    boards: Iterable[int] = (1,),
    locks: int = 24,
    config: EightAConfig | None = None,
    *,
    unlock_reply_delay: float = 0.0,
) -> BoardEmulator[eighta_frames.Frame]:
    return BoardEmulator(EightAEmulator(config, unlock_reply_delay=unlock_reply_delay), boards, locks)
