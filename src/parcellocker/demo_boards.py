"""The demo locker's lock boards: an emulated Kerong bus served on a pseudo-terminal, inside the demo's own process
and event loop. The terminal drives it through its real driver, exactly as it would drive /dev/ttyUSB0; the demo
(or a person typing at the demo) closes the doors on it, and sees every unlock frame the terminal sends.

In-process rather than `python -m parcellocker.boards.emulator` in a process of its own: the walk-through can
then show the exact bytes of each unlock frame the emulator received, and close a door without a round trip
through a pipe. Everything the demo does on its event loop is asynchronous, so the emulator answers the terminal
at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from parcellocker.boards.emulator import BoardEmulator
from parcellocker.boards.emulator.control import HELP, run_command
from parcellocker.boards.kerong import KerongEmulator
from parcellocker.boards.kerong import frames as kerong_frames
from parcellocker.terminal.doors import BusWiring

REQUESTS_KEPT = 1_000
"""The emulator logs every request (five a second per board while the terminal polls); the demo may run for
days, so only the newest are kept."""
DOOR_COMMANDS = ("open", "close", "force", "jam", "free", "item", "empty")


@dataclass(frozen=True, slots=True)
class UnlockSeen:
    """An unlock frame that reached the emulated bus, and what the lock did."""

    compartment: int | None
    board: int
    lock: int
    frame: bytes
    fired: bool
    """The latch fired and the door popped open; False when the lock is jammed."""

    @property
    def frame_hex(self) -> str:
        return self.frame.hex(" ")


class DemoBus(BoardEmulator[kerong_frames.Frame]):
    """A Kerong bus that also reports each unlock frame it receives, as it receives it."""

    def __init__(self, wiring: BusWiring, on_unlock: Callable[[UnlockSeen], None]) -> None:
        locks = max(board.locks for board in wiring.boards)
        super().__init__(KerongEmulator(), [board.address for board in wiring.boards], locks)
        self._compartments = {(c.board, c.channel): c.number for c in wiring.compartments}
        self._on_unlock = on_unlock

    async def answer(self, request: kerong_frames.Frame) -> bytes | None:
        fired_before = self._times_fired(request)
        reply = await super().answer(request)
        if request.command == kerong_frames.Command.UNLOCK and self.cabinet.has_board(request.board):
            fired = self._times_fired(request) > fired_before
            number = self._compartments.get((request.board, request.lock))
            self._on_unlock(UnlockSeen(number, request.board, request.lock, request.encode(), fired))
        if len(self.requests) > 2 * REQUESTS_KEPT:
            del self.requests[:-REQUESTS_KEPT]
        return reply

    def _times_fired(self, request: kerong_frames.Frame) -> int:
        if not self.cabinet.has_board(request.board) or request.lock > self.cabinet.locks:
            return 0
        return self.cabinet.compartment(request.board, request.lock).unlocks


class DemoBoards:
    """The emulated boards of one locker, addressed by compartment number through the terminal's wiring."""

    def __init__(self, wiring: BusWiring) -> None:
        self.wiring = wiring
        self.bus = DemoBus(wiring, self._saw_unlock)
        self.unlocks: list[UnlockSeen] = []
        self.pty = ""
        self.on_unlock: Callable[[UnlockSeen], None] | None = None
        """Called with each unlock as it happens (the demo prints them while the site runs)."""
        self._unlocked = asyncio.Event()

    async def start(self) -> str:
        """Serve the bus on a new pseudo-terminal; returns its path, for the terminal's `[bus] url`."""
        self.pty = await self.bus.serve_pty()
        return self.pty

    async def close(self) -> None:
        await self.bus.close()

    def position(self, compartment: int) -> tuple[int, int]:
        """(board, lock channel) of a compartment."""
        wired = self.wiring.position(compartment)
        return wired.board, wired.channel

    def describe_wiring(self) -> str:
        """E.g. "compartments 1-16 on board 0 (locks 1-16), 17-18 on board 1 (locks 1-2)"."""
        parts = []
        for board in self.wiring.boards:
            wired = sorted((c.number, c.channel) for c in self.wiring.compartments if c.board == board.address)
            if wired:
                numbers, locks = f"{wired[0][0]}-{wired[-1][0]}", f"{wired[0][1]}-{wired[-1][1]}"
                parts.append(f"{numbers} on board {board.address} (locks {locks})")
        return "compartments " + ", ".join(parts)

    def close_door(self, compartment: int) -> None:
        """Someone shuts the door: the latch catches and the sensor reads closed."""
        self.bus.close_door(*self.position(compartment))

    async def unlock_of(self, compartment: int, after: int, within: float = 5.0) -> UnlockSeen:
        """The first unlock of `compartment` among those seen after the first `after` ones, waiting for it."""
        async with asyncio.timeout(within):
            while True:
                for seen in self.unlocks[after:]:
                    if seen.compartment == compartment:
                        return seen
                self._unlocked.clear()
                await self._unlocked.wait()

    def run_typed(self, line: str) -> str:
        """A command typed at the demo: the emulator's own (`open 0 3`, `show`, `fault no_answer 1`, …), and
        the door commands with a compartment number alone (`close 9` is the door of compartment 9)."""
        words = line.split()
        if len(words) == 2 and words[0].lower() in DOOR_COMMANDS and words[1].isdigit():
            number = int(words[1])
            if not self.wiring.has_compartment(number):
                raise ValueError(f"there is no compartment {number}; they are 1 to {max(self.wiring.numbers)}")
            board, lock = self.position(number)
            answer = run_command(self.bus, f"{words[0]} {board} {lock}")
            return f"{answer}: {words[0].lower()} compartment {number} (board {board}, lock {lock})"
        if words and words[0].lower() == "help":
            return HELP + "\nopen N | close N | force N | …       the same, for compartment N"
        return run_command(self.bus, line)

    def _saw_unlock(self, seen: UnlockSeen) -> None:
        self.unlocks.append(seen)
        self._unlocked.set()
        if self.on_unlock is not None:
            self.on_unlock(seen)
