"""Emulated lock-control boards that speak the exact bytes of each protocol over a pseudo-terminal or TCP,
so the real drivers are what the tests run. `python -m parcellocker.boards.emulator --help` runs one."""

from parcellocker.boards.emulator.board_emulator import BoardEmulator, eighta_emulator, kerong_emulator
from parcellocker.boards.emulator.cabinet import Cabinet, Compartment
from parcellocker.boards.emulator.faults import Fault

__all__ = ["BoardEmulator", "Cabinet", "Compartment", "Fault", "eighta_emulator", "kerong_emulator"]
