"""Real drivers against byte-exact emulators over real pseudo-terminals, with short timeouts."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from parcellocker.boards.eighta import EightABoard, EightAConfig
from parcellocker.boards.emulator import BoardEmulator, eighta_emulator, kerong_emulator
from parcellocker.boards.kerong import KerongBoard, KerongConfig
from parcellocker.boards.port import Bus, BusSettings, LockBoard
from parcellocker.boards.serial_transport import SerialTransport

FAST_BUS = BusSettings(timeout=0.1, retries=2, silence=0.01, resync_limit=0.2)
FAST_KERONG = KerongConfig(confirm_within=0.15, confirm_interval=0.02, unlock_attempts=2)
FAST_EIGHTA = EightAConfig(query_timeout=0.1, unlock_timeout=0.2)


@dataclass
class Rig:
    """An emulated bus of two boards, and the real driver's bus opened on its pty."""

    emulator: BoardEmulator[Any]
    bus: Bus
    boards: tuple[int, int]
    make_board: Callable[[Bus, int], LockBoard]

    def board(self, index: int = 0) -> LockBoard:
        return self.make_board(self.bus, self.boards[index])


def kerong_board(bus: Bus, address: int) -> LockBoard:
    return KerongBoard(bus, address, config=FAST_KERONG)


def eighta_board(bus: Bus, address: int) -> LockBoard:
    return EightABoard(bus, address, config=FAST_EIGHTA)


RIGS: dict[str, Callable[[], tuple[BoardEmulator[Any], tuple[int, int], Callable[[Bus, int], LockBoard]]]] = {
    "kerong": lambda: (kerong_emulator((0, 1), 16), (0, 1), kerong_board),
    "eighta": lambda: (eighta_emulator((1, 2), 24, FAST_EIGHTA), (1, 2), eighta_board),
}


async def open_bus(path: str, baudrate: int = 19200) -> Bus:
    return Bus(await SerialTransport.open(path, baudrate=baudrate), FAST_BUS)
