"""Kerong KR-CU16 / CU12 frames: `02 ADDR CMD [DATA...] 03 SUM`, SUM = low byte of the sum of the bytes
before it, ADDR = (board << 4) | (lock - 1).

Status reply: `02 ADDR 30 D1 D2 D3 D4 03 SUM`; D1 = locks 1-8, D2 = locks 9-16 (bit set = locked/closed,
lowest bit = lowest lock), D3/D4 the item sensors of the same locks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum

from parcellocker.boards.kerong.errors import KerongProtocolError
from parcellocker.boards.port import FrameFault

STX = 0x02
ETX = 0x03
MAX_BOARD = 15
LOCKS_PER_BOARD = 16
STATUS_DATA_LENGTH = 4
PULSE_UNIT_MS = 10


class Command(IntEnum):
    STATUS = 0x30
    UNLOCK = 0x31
    UNLOCK_ALL = 0x33
    SET_PULSE = 0x37


REQUEST_DATA_LENGTH = {Command.STATUS: 0, Command.UNLOCK: 0, Command.UNLOCK_ALL: 0, Command.SET_PULSE: 2}


def checksum(data: bytes) -> int:
    return sum(data) & 0xFF


def address(board: int, lock: int = 1) -> int:
    if not 0 <= board <= MAX_BOARD:
        raise ValueError(f"board {board} is not 0..{MAX_BOARD}")
    if not 1 <= lock <= LOCKS_PER_BOARD:
        raise ValueError(f"lock {lock} is not 1..{LOCKS_PER_BOARD}")
    return (board << 4) | (lock - 1)


@dataclass(frozen=True, slots=True)
class Frame:
    address: int
    command: int
    data: bytes = b""

    @property
    def board(self) -> int:
        return self.address >> 4

    @property
    def lock(self) -> int:
        return (self.address & 0x0F) + 1

    def encode(self) -> bytes:
        body = bytes([STX, self.address, self.command, *self.data, ETX])
        return body + bytes([checksum(body)])


def decode_frame(buffer: bytes, data_length: int) -> Frame | None:
    """The frame with `data_length` data bytes at the start of `buffer`; None while more bytes are needed.
    Bytes after the frame are left alone."""
    if buffer and buffer[0] != STX:
        raise KerongProtocolError(FrameFault.MALFORMED, f"frame starts with {buffer[0]:02x}, not 02")
    etx_at = 3 + data_length
    if len(buffer) > etx_at and buffer[etx_at] != ETX:
        raise KerongProtocolError(FrameFault.BAD_LENGTH, f"no 03 after {data_length} data bytes")
    if len(buffer) < etx_at + 2:
        return None
    if checksum(buffer[: etx_at + 1]) != buffer[etx_at + 1]:
        raise KerongProtocolError(FrameFault.BAD_CHECKSUM, buffer[: etx_at + 2].hex(" "))
    return Frame(buffer[1], buffer[2], bytes(buffer[3:etx_at]))


def decode_request(buffer: bytes) -> Frame | None:
    """A request frame (its command tells its length) at the start of `buffer`; None while incomplete."""
    if len(buffer) < 3:
        return decode_frame(buffer[:1], 0)
    if buffer[2] not in REQUEST_DATA_LENGTH:
        raise KerongProtocolError(FrameFault.MALFORMED, f"unknown command {buffer[2]:02x}")
    return decode_frame(buffer, REQUEST_DATA_LENGTH[Command(buffer[2])])


def status_request(board: int) -> Frame:
    return Frame(address(board), Command.STATUS)


def unlock_request(board: int, lock: int) -> Frame:
    return Frame(address(board, lock), Command.UNLOCK)


def unlock_all_request(board: int) -> Frame:
    return Frame(address(board), Command.UNLOCK_ALL)


def set_pulse_request(board: int, milliseconds: int) -> Frame:
    """Unlock pulse length, in 10 ms units, high byte first (no public source settles the byte order)."""
    units = round(milliseconds / PULSE_UNIT_MS)
    if not 0 <= units <= 0xFFFF:
        raise ValueError(f"pulse of {milliseconds} ms does not fit two bytes of 10 ms")
    return Frame(address(board), Command.SET_PULSE, units.to_bytes(2, "big"))


def pulse_milliseconds(frame: Frame) -> int:
    return int.from_bytes(frame.data, "big") * PULSE_UNIT_MS


@dataclass(frozen=True, slots=True)
class Status:
    closed: tuple[bool, ...]
    """Lock 1 first: locked/closed."""
    items: tuple[bool, ...]
    """Lock 1 first: item present."""


def status_reply(request_address: int, status: Status) -> Frame:
    return Frame(request_address, Command.STATUS, pack_bits(status.closed) + pack_bits(status.items))


def read_status(frame: Frame) -> Status:
    if frame.command != Command.STATUS or len(frame.data) != STATUS_DATA_LENGTH:
        raise KerongProtocolError(FrameFault.MALFORMED, f"not a status reply: {frame.encode().hex(' ')}")
    return Status(unpack_bits(frame.data[:2]), unpack_bits(frame.data[2:]))


def pack_bits(flags: Sequence[bool]) -> bytes:
    """Sixteen flags, lock 1 first, into two bytes: lowest bit of the first byte = lock 1."""
    if len(flags) > LOCKS_PER_BOARD:
        raise ValueError(f"{len(flags)} flags for {LOCKS_PER_BOARD} locks")
    value = sum(1 << index for index, flag in enumerate(flags) if flag)
    return value.to_bytes(2, "little")


def unpack_bits(data: bytes) -> tuple[bool, ...]:
    value = int.from_bytes(data, "little")
    return tuple(bool(value >> index & 1) for index in range(LOCKS_PER_BOARD))
