"""Kerong frames against arbitrary bytes: every buffer decodes to a frame, to "more bytes needed" (None), or raises
KerongProtocolError; damaged frames never decode as frames; valid frames survive encode -> decode."""

from __future__ import annotations

import contextlib

import pytest
from fuzz_settings import FUZZ, flip_bit
from hypothesis import given
from hypothesis import strategies as st

from parcellocker.boards.emulator import kerong_emulator
from parcellocker.boards.kerong import KerongEmulator, KerongProtocolError, frames

pytestmark = pytest.mark.chaos

boards = st.integers(0, frames.MAX_BOARD)
locks = st.integers(1, frames.LOCKS_PER_BOARD)
flags = st.lists(st.booleans(), min_size=frames.LOCKS_PER_BOARD, max_size=frames.LOCKS_PER_BOARD)


@st.composite
def requests(draw: st.DrawFn) -> frames.Frame:
    board = draw(boards)
    kind = draw(st.sampled_from(["status", "unlock", "unlock_all", "pulse"]))
    if kind == "status":
        return frames.status_request(board)
    if kind == "unlock":
        return frames.unlock_request(board, draw(locks))
    if kind == "unlock_all":
        return frames.unlock_all_request(board)
    return frames.set_pulse_request(board, draw(st.integers(0, 0xFFFF)) * frames.PULSE_UNIT_MS)


status_replies = st.builds(
    lambda address, closed, items: frames.status_reply(address, frames.Status(tuple(closed), tuple(items))),
    st.integers(0, 0xFF),
    flags,
    flags,
)


@FUZZ
@given(st.binary(max_size=64), st.integers(0, 8))
def test_any_bytes_decode_to_a_frame_none_or_a_protocol_error(buffer: bytes, data_length: int) -> None:
    try:
        frame = frames.decode_frame(buffer, data_length)
    except KerongProtocolError:
        return
    if frame is not None:
        assert len(frame.data) == data_length
        assert buffer.startswith(frame.encode())


@FUZZ
@given(st.binary(max_size=64))
def test_any_bytes_decode_to_a_request_none_or_a_protocol_error(buffer: bytes) -> None:
    try:
        request = frames.decode_request(buffer)
    except KerongProtocolError:
        return
    if request is not None:
        assert request.command in frames.REQUEST_DATA_LENGTH
        assert buffer.startswith(request.encode())


@FUZZ
@given(st.integers(0, 0xFF), st.integers(0, 0xFF), st.binary(max_size=8))
def test_any_frame_reads_as_a_status_or_a_protocol_error(address: int, command: int, data: bytes) -> None:
    try:
        status = frames.read_status(frames.Frame(address, command, data))
    except KerongProtocolError:
        return
    assert len(status.closed) == len(status.items) == frames.LOCKS_PER_BOARD


@FUZZ
@given(requests(), st.binary(max_size=16))
def test_request_round_trips_whatever_follows_it(request: frames.Frame, after: bytes) -> None:
    assert frames.decode_request(request.encode() + after) == request


@FUZZ
@given(st.integers(0, 0xFF), flags, flags, st.binary(max_size=16))
def test_status_reply_round_trips(address: int, closed: list[bool], items: list[bool], after: bytes) -> None:
    reply = frames.status_reply(address, frames.Status(tuple(closed), tuple(items)))
    decoded = frames.decode_frame(reply.encode() + after, frames.STATUS_DATA_LENGTH)
    assert decoded == reply
    assert frames.read_status(decoded) == frames.Status(tuple(closed), tuple(items))


@FUZZ
@given(st.one_of(requests(), status_replies), st.integers(0, 10_000))
def test_one_flipped_bit_never_decodes_as_a_frame(frame: frames.Frame, bit: int) -> None:
    damaged = flip_bit(frame.encode(), bit)
    with contextlib.suppress(KerongProtocolError):
        assert frames.decode_frame(damaged, len(frame.data)) is None
    try:
        decoded = frames.decode_request(damaged)
    except KerongProtocolError:
        return
    assert decoded is None


@FUZZ
@given(st.one_of(requests(), status_replies), st.data())
def test_cut_short_frame_asks_for_more_bytes(frame: frames.Frame, data: st.DataObject) -> None:
    encoded = frame.encode()
    cut = data.draw(st.integers(0, len(encoded) - 1))
    assert frames.decode_frame(encoded[:cut], len(frame.data)) is None


@FUZZ
@given(st.one_of(requests(), status_replies), st.integers(0, 0xFF))
def test_wrong_checksum_is_a_bad_checksum(frame: frames.Frame, wrong: int) -> None:
    encoded = frame.encode()
    if wrong == encoded[-1]:
        wrong ^= 0x01
    with pytest.raises(KerongProtocolError) as raised:
        frames.decode_frame(encoded[:-1] + bytes([wrong]), len(frame.data))
    assert raised.value.fault == "bad checksum"


@FUZZ
@given(st.lists(st.one_of(requests().map(frames.Frame.encode), st.binary(max_size=12)), max_size=8))
def test_emulated_board_finds_every_request_in_a_stream_of_junk_and_answers_without_failing(
    chunks: list[bytes],
) -> None:
    stream = b"".join(chunks)
    parsed, rest = KerongEmulator().parse(stream)
    assert stream.endswith(rest)
    for request in parsed:
        assert request.command in frames.REQUEST_DATA_LENGTH
        assert request.encode() in stream
    emulator = kerong_emulator((0, 1), 16)
    for request in parsed:
        if emulator.cabinet.has_board(request.board):
            emulator.protocol.respond(request, emulator.cabinet)
