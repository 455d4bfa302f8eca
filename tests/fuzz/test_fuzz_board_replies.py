"""The real drivers on a real `Bus`, over a line that answers with arbitrary bytes: each call gives readings of its
board or raises BoardError (timeout, bad frame, lock did not open), never another exception, and the bus still
serves the next request with a good answer (it threw the garbage away and resynchronised)."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from fuzz_settings import FEW, flip_bit
from hypothesis import given
from hypothesis import strategies as st

from parcellocker.boards.eighta import EightABoard, EightAConfig
from parcellocker.boards.eighta import frames as eighta_frames
from parcellocker.boards.kerong import KerongBoard, KerongConfig
from parcellocker.boards.kerong import frames as kerong_frames
from parcellocker.boards.port import BoardError, Bus, BusSettings, DoorReading, LockBoard, Transport

pytestmark = pytest.mark.chaos

SETTINGS = BusSettings(timeout=0.01, retries=1, silence=0.002, resync_limit=0.01)


class AnsweringLine(Transport):
    """A line on which each request written is answered at once by the next scripted reply (in chunks)."""

    def __init__(self, replies: list[list[bytes]]) -> None:
        self.replies = deque(replies)
        self._incoming: deque[bytes] = deque()

    async def write(self, data: bytes) -> None:
        if self.replies:
            self._incoming.extend(self.replies.popleft())

    async def read(self, wait: float) -> bytes:
        if self._incoming:
            return self._incoming.popleft()
        await asyncio.sleep(min(wait, 0.001))
        return b""

    async def discard_input(self) -> None:
        self._incoming.clear()

    async def close(self) -> None:
        pass


def chunked(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({cut % (len(data) + 1) for cut in cuts} | {0, len(data)})
    return [data[a:b] for a, b in itertools.pairwise(points) if b > a]


KERONG_REPLY = kerong_frames.status_reply(0x10, kerong_frames.Status((True,) * 16, (False,) * 16)).encode()
EIGHTA_REPLY = eighta_frames.query_all_reply(2, [True] * 24).encode()

garbage = st.one_of(
    st.binary(max_size=24),
    st.tuples(st.sampled_from([KERONG_REPLY, EIGHTA_REPLY]), st.integers(0, 500)).map(lambda pair: flip_bit(*pair)),
    st.sampled_from([KERONG_REPLY, EIGHTA_REPLY]).flatmap(lambda r: st.binary(max_size=8).map(lambda b: r + b)),
    st.sampled_from([KERONG_REPLY, EIGHTA_REPLY]).map(lambda r: r[:-2]),
)
answers = st.lists(st.tuples(garbage, st.lists(st.integers(0, 64), max_size=3)), min_size=1, max_size=6)


def run(work: Callable[[], Awaitable[Any]]) -> Any:
    return asyncio.run(work())


async def survive(board: LockBoard, line: AnsweringLine, calls: int) -> None:
    for _ in range(calls):
        try:
            readings = await board.read_doors()
        except BoardError:
            continue
        assert sorted(readings) == list(range(1, board.locks + 1))
        assert all(isinstance(reading, DoorReading) for reading in readings.values())
    for lock in (1, board.locks):
        with contextlib.suppress(BoardError):
            await board.open_lock(lock)


@FEW
@given(answers)
def test_kerong_driver_reads_or_raises_board_errors_then_reads_a_good_reply(
    replies: list[tuple[bytes, list[int]]],
) -> None:
    async def scenario() -> None:
        line = AnsweringLine([chunked(data, cuts) for data, cuts in replies])
        board = KerongBoard(Bus(line, SETTINGS), 1, config=KerongConfig(confirm_within=0.01, confirm_interval=0.002))
        await survive(board, line, len(replies))
        line.replies = deque([[KERONG_REPLY]])
        assert (await board.read_doors())[1] == DoorReading(closed=True, item_present=False)

    run(scenario)


@FEW
@given(answers)
def test_eighta_driver_reads_or_raises_board_errors_then_reads_a_good_reply(
    replies: list[tuple[bytes, list[int]]],
) -> None:
    async def scenario() -> None:
        line = AnsweringLine([chunked(data, cuts) for data, cuts in replies])
        board = EightABoard(Bus(line, SETTINGS), 2, config=EightAConfig(query_timeout=0.01, unlock_timeout=0.01))
        await survive(board, line, len(replies))
        line.replies = deque([[EIGHTA_REPLY]])
        assert (await board.read_doors())[24] == DoorReading(closed=True)

    run(scenario)
