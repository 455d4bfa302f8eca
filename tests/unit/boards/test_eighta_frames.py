import pytest
from hypothesis import given
from hypothesis import strategies as st

from parcellocker.boards.eighta import EightAConfig, EightAEmulator, EightAProtocolError, frames
from parcellocker.boards.port import FrameFault

DESIGN_QUERY_ALL_REPLY = bytes.fromhex("80 01 01 01 01 33 b3")


def test_unlock_request_encodes_to_the_design_example() -> None:
    assert frames.unlock_request(1, 1).encode() == bytes.fromhex("8a 01 01 11 9b")


def test_unlock_all_and_queries_are_byte_exact() -> None:
    assert frames.unlock_request(1, frames.ALL_LOCKS).encode() == bytes.fromhex("8a 01 00 11 9a")
    assert frames.query_request(1, 1).encode() == bytes.fromhex("80 01 01 33 b3")
    assert frames.query_request(1, frames.ALL_LOCKS).encode() == bytes.fromhex("80 01 00 33 b2")


def test_design_query_all_reply_means_locks_1_9_and_17_closed() -> None:
    frame = frames.decode_frame(DESIGN_QUERY_ALL_REPLY, frames.query_all_length(24))
    assert frame is not None
    assert (frame.head, frame.board, frame.body[-1]) == (frames.QUERY, 1, frames.QUERY_COMMAND)
    bits = frames.unpack_bits(frame.body[:-1], 24)
    assert {lock for lock, bit in enumerate(bits, start=1) if bit} == {1, 9, 17}


def test_query_all_reply_for_locks_1_9_and_17_encodes_to_the_design_example() -> None:
    bits = [lock in (1, 9, 17) for lock in range(1, 25)]
    assert frames.query_all_reply(1, bits).encode() == DESIGN_QUERY_ALL_REPLY


def test_query_all_puts_the_highest_group_first_and_the_lowest_lock_in_the_lowest_bit() -> None:
    bits = [lock in (2, 24) for lock in range(1, 25)]
    assert frames.pack_bits(bits) == bytes.fromhex("80 00 02")


def test_partial_last_group_takes_a_whole_byte() -> None:
    assert frames.groups(12) == 2
    assert frames.pack_bits([True] * 12) == bytes.fromhex("0f ff")
    assert frames.unpack_bits(bytes.fromhex("0f ff"), 12) == (True,) * 12


def test_bad_checksum_is_rejected() -> None:
    with pytest.raises(EightAProtocolError) as caught:
        frames.decode_frame(bytes.fromhex("8a 01 01 11 9c"), 5)
    assert caught.value.fault is FrameFault.BAD_CHECKSUM


def test_frame_not_starting_with_8a_or_80_is_malformed() -> None:
    with pytest.raises(EightAProtocolError) as caught:
        frames.decode_frame(b"\x81", 5)
    assert caught.value.fault is FrameFault.MALFORMED


@pytest.mark.parametrize("value", [0x01, 0x10, 0xFF])
def test_config_accepts_only_00_and_11_as_states(value: int) -> None:
    with pytest.raises(ValueError):
        EightAConfig(closed_state=value)
    with pytest.raises(ValueError):
        EightAConfig(opened_state=value)


frames_strategy = st.builds(
    frames.Frame,
    head=st.sampled_from(frames.HEADS),
    board=st.integers(0, 0xFF),
    body=st.binary(min_size=2, max_size=9),
)


@given(frames_strategy)
def test_every_valid_frame_round_trips(frame: frames.Frame) -> None:
    wire = frame.encode()
    assert frames.decode_frame(wire, len(wire)) == frame


@given(frames_strategy, st.data())
def test_every_prefix_of_a_valid_frame_needs_more_bytes(frame: frames.Frame, data: st.DataObject) -> None:
    wire = frame.encode()
    cut = data.draw(st.integers(0, len(wire) - 1))
    assert frames.decode_frame(wire[:cut], len(wire)) is None


@given(frames_strategy, st.data())
def test_any_single_changed_byte_is_rejected(frame: frames.Frame, data: st.DataObject) -> None:
    wire = bytearray(frame.encode())
    at = data.draw(st.integers(0, len(wire) - 1))
    wire[at] ^= data.draw(st.integers(1, 0xFF))
    with pytest.raises(EightAProtocolError):
        frames.decode_frame(bytes(wire), len(wire))


@given(st.lists(st.booleans(), min_size=1, max_size=64))
def test_lock_bits_round_trip(bits: list[bool]) -> None:
    assert frames.unpack_bits(frames.pack_bits(bits), len(bits)) == tuple(bits)


@given(st.binary(max_size=40), st.integers(4, 12))
def test_random_bytes_never_crash_the_frame_decoder(buffer: bytes, length: int) -> None:
    try:
        frame = frames.decode_frame(buffer, length)
    except EightAProtocolError:
        return
    if frame is not None:
        assert frame.encode() == buffer[:length]


@given(st.binary(max_size=40))
def test_random_bytes_never_crash_the_emulator_parser(buffer: bytes) -> None:
    found, rest = EightAEmulator().parse(buffer)
    assert all(len(request.encode()) == frames.REQUEST_LENGTH for request in found)
    assert len(rest) < frames.REQUEST_LENGTH
