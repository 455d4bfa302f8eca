import asyncio
from collections import deque
from dataclasses import replace

import pytest

from parcellocker.boards.port import (
    BoardProtocolError,
    BoardTimeout,
    Bus,
    BusSettings,
    FrameFault,
    Transport,
)
from patience import ANSWER_WITHIN

SETTINGS = BusSettings(timeout=0.05, retries=2, silence=0.01, resync_limit=0.1)
PATIENT = replace(SETTINGS, timeout=ANSWER_WITHIN)
"""For tests of what a reply does, not of when it times out: a loaded machine may hold a scripted reply back for
longer than SETTINGS' 50 ms (it did, in a parallel CI run); a reply that comes ends the wait at once."""


class ScriptedLine(Transport):
    """A line whose answers are scripted per request written: a list of chunks, each after a pause."""

    def __init__(self, answers: list[list[tuple[float, bytes]]]) -> None:
        self.answers = deque(answers)
        self.written: list[bytes] = []
        self.discards = 0
        self.active = 0
        self.most_active = 0
        self._incoming: asyncio.Queue[bytes] = asyncio.Queue()
        self._feeders: list[asyncio.Task[None]] = []

    async def write(self, data: bytes) -> None:
        self.written.append(data)
        if self.answers:
            self._feeders.append(asyncio.create_task(self._feed(self.answers.popleft())))

    async def read(self, wait: float) -> bytes:
        try:
            return await asyncio.wait_for(self._incoming.get(), wait)
        except TimeoutError:
            return b""

    async def discard_input(self) -> None:
        self.discards += 1
        while not self._incoming.empty():
            self._incoming.get_nowait()

    async def close(self) -> None:
        for feeder in self._feeders:
            feeder.cancel()

    async def _feed(self, chunks: list[tuple[float, bytes]]) -> None:
        for pause, chunk in chunks:
            await asyncio.sleep(pause)
            self._incoming.put_nowait(chunk)


def five_bytes(received: bytes) -> bytes | None:
    """A toy protocol: replies are 5 bytes starting with AA."""
    if received[0] != 0xAA:
        raise BoardProtocolError(FrameFault.MALFORMED, received.hex())
    return received[:5] if len(received) >= 5 else None


GOOD = bytes.fromhex("aa 01 02 03 04")


async def test_reply_split_over_several_reads_is_assembled() -> None:
    line = ScriptedLine([[(0, GOOD[:2]), (0.005, GOOD[2:])]])
    assert await Bus(line, PATIENT).request(b"q", five_bytes) == GOOD
    assert line.written == [b"q"]


async def test_silent_board_raises_timeout_after_every_retry() -> None:
    line = ScriptedLine([])
    bus = Bus(line, SETTINGS)
    started = asyncio.get_running_loop().time()
    with pytest.raises(BoardTimeout) as caught:
        await bus.request(b"q", five_bytes)
    assert caught.value.attempts == 3
    assert line.written == [b"q"] * 3
    assert (bus.stats.timeouts, bus.stats.retries) == (3, 2)
    assert asyncio.get_running_loop().time() - started < 0.5


async def test_bad_frame_is_followed_by_resync_that_swallows_the_rest_of_the_noise() -> None:
    noise = [(0, b"\x00\x01"), (0.004, b"\x02\x03"), (0.004, b"\x04")]
    line = ScriptedLine([noise, [(0, GOOD)]])
    bus = Bus(line, SETTINGS)
    assert await bus.request(b"q", five_bytes) == GOOD
    assert (bus.stats.bad_frames, bus.stats.resyncs, bus.stats.retries) == (1, 1, 1)


async def test_reply_cut_short_is_a_length_error() -> None:
    line = ScriptedLine([[(0, GOOD[:3])]] * 3)
    with pytest.raises(BoardProtocolError) as caught:
        await Bus(line, SETTINGS).request(b"q", five_bytes)
    assert caught.value.fault is FrameFault.BAD_LENGTH
    assert caught.value.attempts == 3


async def test_stale_bytes_are_discarded_before_each_request() -> None:
    line = ScriptedLine([[(0, GOOD)]])
    await line._incoming.put(b"\x55\x55")
    assert await Bus(line, PATIENT).request(b"q", five_bytes) == GOOD
    assert line.discards >= 1


async def test_request_may_wait_longer_than_the_bus_default() -> None:
    line = ScriptedLine([[(0.08, GOOD)]])
    bus = Bus(line, SETTINGS)
    assert await bus.request(b"q", five_bytes, reply_within=ANSWER_WITHIN) == GOOD
    assert bus.stats.retries == 0


async def test_concurrent_requests_are_answered_one_after_another() -> None:
    line = ScriptedLine([[(0.005, bytes([0xAA, n, 0, 0, 0]))] for n in range(8)])
    bus = Bus(line, PATIENT)
    replies = await asyncio.gather(*(bus.request(bytes([n]), five_bytes) for n in range(8)))
    assert [reply[1] for reply in replies] == list(range(8))
    assert line.written == [bytes([n]) for n in range(8)]
