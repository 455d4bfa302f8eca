"""Generic "8A/80" lock-board frames: `HEAD BB body... X`, X = XOR of every byte before it.

- unlock      `8A BB LL 11 X` -> `8A BB LL SS X` (LL 00 = every lock)
- query one   `80 BB LL 33 X` -> `80 BB LL SS X`
- query all   `80 BB 00 33 X` -> `80 BB S... 33 X`, one state byte per 8 locks, highest group first;
  inside a byte the lowest bit is the lowest lock of the group, so with 24 locks `80 01 01 01 01 33 B3`
  sets the bits of locks 17, 9 and 1.

What a state byte or bit means (open or closed, opened or failed) is `EightAConfig`'s business.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import reduce
from operator import xor

from parcellocker.boards.eighta.errors import EightAProtocolError
from parcellocker.boards.port import FrameFault

UNLOCK = 0x8A
QUERY = 0x80
HEADS = (UNLOCK, QUERY)
UNLOCK_COMMAND = 0x11
QUERY_COMMAND = 0x33
ALL_LOCKS = 0x00
REQUEST_LENGTH = 5
GROUP = 8


def checksum(data: bytes) -> int:
    return reduce(xor, data, 0)


@dataclass(frozen=True, slots=True)
class Frame:
    head: int
    board: int
    body: bytes
    """The bytes between the board and the checksum."""

    def encode(self) -> bytes:
        data = bytes([self.head, self.board, *self.body])
        return data + bytes([checksum(data)])


def decode_frame(buffer: bytes, length: int) -> Frame | None:
    """The frame of `length` bytes (at least 4) at the start of `buffer`; None while more bytes are
    needed. Bytes after the frame are left alone."""
    if length < 4:
        raise ValueError(f"an 8A/80 frame has at least 4 bytes, not {length}")
    if buffer and buffer[0] not in HEADS:
        raise EightAProtocolError(FrameFault.MALFORMED, f"frame starts with {buffer[0]:02x}, not 8a or 80")
    if len(buffer) < length:
        return None
    if checksum(buffer[: length - 1]) != buffer[length - 1]:
        raise EightAProtocolError(FrameFault.BAD_CHECKSUM, buffer[:length].hex(" "))
    return Frame(buffer[0], buffer[1], bytes(buffer[2 : length - 1]))


def unlock_request(board: int, lock: int) -> Frame:
    return Frame(UNLOCK, _byte("board", board), bytes([_byte("lock", lock), UNLOCK_COMMAND]))


def query_request(board: int, lock: int) -> Frame:
    """Query one lock, or every lock with `ALL_LOCKS`."""
    return Frame(QUERY, _byte("board", board), bytes([_byte("lock", lock), QUERY_COMMAND]))


def lock_reply(head: int, board: int, lock: int, state: int) -> Frame:
    """Reply to an unlock (head 8A) or a query-one (head 80)."""
    return Frame(head, board, bytes([lock, state]))


def groups(locks: int) -> int:
    return -(-locks // GROUP)


def query_all_reply(board: int, bits: Sequence[bool]) -> Frame:
    return Frame(QUERY, board, pack_bits(bits) + bytes([QUERY_COMMAND]))


def query_all_length(locks: int) -> int:
    return 4 + groups(locks)


def pack_bits(bits: Sequence[bool]) -> bytes:
    """Lock 1 first in, highest group first out; lowest bit = lowest lock of its group."""
    value = sum(1 << index for index, bit in enumerate(bits) if bit)
    return value.to_bytes(groups(len(bits)), "big")


def unpack_bits(states: bytes, locks: int) -> tuple[bool, ...]:
    value = int.from_bytes(states, "big")
    return tuple(bool(value >> index & 1) for index in range(locks))


def _byte(name: str, value: int) -> int:
    if not 0 <= value <= 0xFF:
        raise ValueError(f"{name} {value} does not fit a byte")
    return value
