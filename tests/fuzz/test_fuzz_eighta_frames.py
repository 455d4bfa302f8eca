"""8A/80 frames against arbitrary bytes: every buffer decodes to a frame, to "more bytes needed" (None), or raises
EightAProtocolError; damaged frames never decode as frames; valid frames survive encode -> decode."""

from __future__ import annotations

import pytest
from fuzz_settings import FUZZ, flip_bit
from hypothesis import given
from hypothesis import strategies as st

from parcellocker.boards.eighta import EightAEmulator, EightAProtocolError, frames
from parcellocker.boards.emulator import eighta_emulator

pytestmark = pytest.mark.chaos

bytes_ = st.integers(0, 0xFF)


@st.composite
def requests(draw: st.DrawFn) -> frames.Frame:
    board, lock = draw(bytes_), draw(bytes_)
    return draw(st.sampled_from([frames.unlock_request(board, lock), frames.query_request(board, lock)]))


@st.composite
def replies(draw: st.DrawFn) -> frames.Frame:
    board = draw(bytes_)
    if draw(st.booleans()):
        head, state = draw(st.sampled_from(frames.HEADS)), draw(st.sampled_from([0x00, 0x11]))
        return frames.lock_reply(head, board, draw(bytes_), state)
    return frames.query_all_reply(board, draw(st.lists(st.booleans(), min_size=1, max_size=64)))


frames_ = st.one_of(requests(), replies())


@FUZZ
@given(st.binary(max_size=64), st.integers(4, 16))
def test_any_bytes_decode_to_a_frame_none_or_a_protocol_error(buffer: bytes, length: int) -> None:
    try:
        frame = frames.decode_frame(buffer, length)
    except EightAProtocolError:
        return
    if frame is not None:
        assert frame.head in frames.HEADS
        assert buffer.startswith(frame.encode()) and len(frame.encode()) == length


@FUZZ
@given(frames_, st.binary(max_size=16))
def test_frame_round_trips_whatever_follows_it(frame: frames.Frame, after: bytes) -> None:
    encoded = frame.encode()
    assert frames.decode_frame(encoded + after, len(encoded)) == frame


@FUZZ
@given(st.lists(st.booleans(), min_size=1, max_size=64))
def test_query_all_bits_round_trip(bits: list[bool]) -> None:
    reply = frames.query_all_reply(1, bits)
    decoded = frames.decode_frame(reply.encode(), frames.query_all_length(len(bits)))
    assert decoded is not None and decoded.body[-1] == frames.QUERY_COMMAND
    assert frames.unpack_bits(decoded.body[:-1], len(bits)) == tuple(bits)


@FUZZ
@given(frames_, st.integers(0, 10_000))
def test_one_flipped_bit_never_decodes_as_a_frame(frame: frames.Frame, bit: int) -> None:
    damaged = flip_bit(frame.encode(), bit)
    with pytest.raises(EightAProtocolError):
        frames.decode_frame(damaged, len(damaged))


@FUZZ
@given(frames_, st.data())
def test_cut_short_frame_asks_for_more_bytes(frame: frames.Frame, data: st.DataObject) -> None:
    encoded = frame.encode()
    cut = data.draw(st.integers(0, len(encoded) - 1))
    assert frames.decode_frame(encoded[:cut], len(encoded)) is None


@FUZZ
@given(frames_, bytes_)
def test_wrong_checksum_is_a_bad_checksum(frame: frames.Frame, wrong: int) -> None:
    encoded = frame.encode()
    if wrong == encoded[-1]:
        wrong ^= 0x01
    with pytest.raises(EightAProtocolError) as raised:
        frames.decode_frame(encoded[:-1] + bytes([wrong]), len(encoded))
    assert raised.value.fault == "bad checksum"


@FUZZ
@given(st.lists(st.one_of(requests().map(frames.Frame.encode), st.binary(max_size=12)), max_size=8))
def test_emulated_board_finds_requests_in_a_stream_of_junk_and_answers_without_failing(chunks: list[bytes]) -> None:
    stream = b"".join(chunks)
    parsed, rest = EightAEmulator().parse(stream)
    assert stream.endswith(rest)
    emulator = eighta_emulator((1, 2), 24)
    for request in parsed:
        assert request.encode() in stream
        if emulator.cabinet.has_board(request.board):
            emulator.protocol.respond(request, emulator.cabinet)
