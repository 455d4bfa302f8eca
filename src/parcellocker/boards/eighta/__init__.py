"""Generic "8A/80" lock-control boards: frames, driver and byte-exact emulator."""

from parcellocker.boards.eighta.config import EightAConfig
from parcellocker.boards.eighta.driver import SERIAL_BAUDRATE, EightABoard
from parcellocker.boards.eighta.emulator import EightAEmulator
from parcellocker.boards.eighta.errors import EightAProtocolError

__all__ = ["SERIAL_BAUDRATE", "EightABoard", "EightAConfig", "EightAEmulator", "EightAProtocolError"]
