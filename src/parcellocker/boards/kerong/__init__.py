"""Kerong KR-CU16 / CU12-style lock-control boards: frames, driver and byte-exact emulator."""

from parcellocker.boards.kerong.driver import SERIAL_BAUDRATE, TCP_PORT, KerongBoard, KerongConfig
from parcellocker.boards.kerong.emulator import KerongEmulator
from parcellocker.boards.kerong.errors import KerongProtocolError

__all__ = [
    "SERIAL_BAUDRATE",
    "TCP_PORT",
    "KerongBoard",
    "KerongConfig",
    "KerongEmulator",
    "KerongProtocolError",
]
