import pytest
from hypothesis import given
from hypothesis import strategies as st

from parcellocker.boards.kerong import KerongEmulator, KerongProtocolError, frames
from parcellocker.boards.port import FrameFault

DESIGN_REQUESTS = [
    (frames.status_request(0), "02 00 30 03 35"),
    (frames.unlock_request(0, 1), "02 00 31 03 36"),
    (frames.unlock_request(0, 16), "02 0f 31 03 45"),
    (frames.unlock_request(1, 1), "02 10 31 03 46"),
]


@pytest.mark.parametrize(("frame", "wire"), DESIGN_REQUESTS)
def test_requests_encode_to_the_design_examples(frame: frames.Frame, wire: str) -> None:
    assert frame.encode() == bytes.fromhex(wire)


@pytest.mark.parametrize(("frame", "wire"), DESIGN_REQUESTS)
def test_design_examples_decode_to_their_requests(frame: frames.Frame, wire: str) -> None:
    assert frames.decode_request(bytes.fromhex(wire)) == frame


def test_address_puts_the_board_in_the_high_nibble_and_lock_minus_one_in_the_low() -> None:
    assert frames.address(0, 1) == 0x00
    assert frames.address(0, 16) == 0x0F
    assert frames.address(1, 1) == 0x10
    assert frames.address(9, 3) == 0x92


@pytest.mark.parametrize(("board", "lock"), [(-1, 1), (16, 1), (0, 0), (0, 17)])
def test_address_refuses_boards_and_locks_off_the_nibbles(board: int, lock: int) -> None:
    with pytest.raises(ValueError):
        frames.address(board, lock)


def test_unlock_all_and_set_pulse_requests_are_byte_exact() -> None:
    assert frames.unlock_all_request(0).encode() == bytes.fromhex("02 00 33 03 38")
    assert frames.set_pulse_request(0, 500).encode() == bytes.fromhex("02 00 37 00 32 03 6e")


def test_status_reply_bits_are_lowest_bit_lock_one_and_d1_before_d2() -> None:
    reply = bytes.fromhex("02 00 30 05 80 01 00 03") + bytes([sum(bytes.fromhex("02 00 30 05 80 01 00 03")) & 0xFF])
    frame = frames.decode_frame(reply, frames.STATUS_DATA_LENGTH)
    assert frame is not None
    status = frames.read_status(frame)
    closed = {lock for lock, flag in enumerate(status.closed, start=1) if flag}
    items = {lock for lock, flag in enumerate(status.items, start=1) if flag}
    assert closed == {1, 3, 16}
    assert items == {1}


def test_status_reply_is_nine_bytes_and_round_trips() -> None:
    status = frames.Status(closed=(True,) * 12 + (False,) * 4, items=(False, True) + (False,) * 14)
    wire = frames.status_reply(0x10, status).encode()
    assert len(wire) == 9
    assert wire[:3] == bytes.fromhex("02 10 30")
    frame = frames.decode_frame(wire, frames.STATUS_DATA_LENGTH)
    assert frame is not None and frames.read_status(frame) == status


def test_bad_checksum_is_rejected() -> None:
    with pytest.raises(KerongProtocolError) as caught:
        frames.decode_frame(bytes.fromhex("02 00 30 03 36"), 0)
    assert caught.value.fault is FrameFault.BAD_CHECKSUM


def test_reply_longer_than_a_status_reply_is_a_length_error() -> None:
    with pytest.raises(KerongProtocolError) as caught:
        frames.decode_frame(bytes.fromhex("02 00 30 01 02 03 04 05 03"), frames.STATUS_DATA_LENGTH)
    assert caught.value.fault is FrameFault.BAD_LENGTH


def test_short_frame_waits_for_more_bytes_since_its_length_shows_only_at_the_deadline() -> None:
    assert frames.decode_frame(bytes.fromhex("02 00 30 03 35"), frames.STATUS_DATA_LENGTH) is None


def test_frame_not_starting_with_stx_is_malformed() -> None:
    with pytest.raises(KerongProtocolError) as caught:
        frames.decode_frame(b"\x00\x02", 0)
    assert caught.value.fault is FrameFault.MALFORMED


def test_unknown_request_command_is_malformed() -> None:
    with pytest.raises(KerongProtocolError):
        frames.decode_request(bytes.fromhex("02 00 99 03 9e"))


frames_strategy = st.builds(
    frames.Frame,
    address=st.integers(0, 0xFF),
    command=st.integers(0, 0xFF),
    data=st.binary(max_size=8),
)


@given(frames_strategy)
def test_every_valid_frame_round_trips(frame: frames.Frame) -> None:
    assert frames.decode_frame(frame.encode(), len(frame.data)) == frame


@given(frames_strategy, st.data())
def test_every_prefix_of_a_valid_frame_needs_more_bytes(frame: frames.Frame, data: st.DataObject) -> None:
    wire = frame.encode()
    cut = data.draw(st.integers(0, len(wire) - 1))
    assert frames.decode_frame(wire[:cut], len(frame.data)) is None


@given(frames_strategy, st.data())
def test_any_single_changed_byte_is_rejected(frame: frames.Frame, data: st.DataObject) -> None:
    wire = bytearray(frame.encode())
    at = data.draw(st.integers(0, len(wire) - 1))
    wire[at] ^= data.draw(st.integers(1, 0xFF))
    with pytest.raises(KerongProtocolError):
        frames.decode_frame(bytes(wire), len(frame.data))


@given(st.binary(max_size=40), st.integers(0, 8))
def test_random_bytes_never_crash_the_frame_decoder(buffer: bytes, data_length: int) -> None:
    try:
        frame = frames.decode_frame(buffer, data_length)
    except KerongProtocolError:
        return
    if frame is not None:
        assert frame.encode() == buffer[: data_length + 5]


@given(st.binary(max_size=40))
def test_random_bytes_never_crash_the_request_decoder(buffer: bytes) -> None:
    try:
        request = frames.decode_request(buffer)
    except KerongProtocolError:
        return
    assert request is None or buffer.startswith(request.encode())


@given(st.binary(max_size=20), st.sampled_from([wire for _, wire in DESIGN_REQUESTS]), st.binary(max_size=20))
def test_emulator_finds_a_request_among_line_noise(before: bytes, wire: str, after: bytes) -> None:
    request = frames.decode_request(bytes.fromhex(wire))
    found, rest = KerongEmulator().parse(before + bytes.fromhex(wire) + after)
    assert request in found
    assert len(rest) <= len(after) + len(bytes.fromhex(wire))
