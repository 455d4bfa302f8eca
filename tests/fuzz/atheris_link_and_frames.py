"""Coverage-guided fuzzing (atheris, libFuzzer) of the frame parsers and the link's decoding, one input at a time:

    .venv/bin/python tests/fuzz/atheris_link_and_frames.py -max_total_time=60
    .venv/bin/python tests/fuzz/atheris_link_and_frames.py -runs=5000 /tmp/corpus

The first byte of each input picks the target, the rest is its bytes. A target may return or raise the error its
module documents (KerongProtocolError, EightAProtocolError, LinkDown, pydantic's ValidationError); anything else is
a crash: atheris prints it with the input and stops (exit status 1), the input saved as crash-<sha1>.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Callable

import atheris

with atheris.instrument_imports(include=["parcellocker"]):
    from pydantic import ValidationError

    from parcellocker.adapters.mqtt.bridge import _json_object
    from parcellocker.api.schemas.terminal_link import TerminalEventCreate
    from parcellocker.boards.eighta import EightAEmulator, EightAProtocolError
    from parcellocker.boards.eighta import frames as eighta
    from parcellocker.boards.kerong import KerongEmulator, KerongProtocolError
    from parcellocker.boards.kerong import frames as kerong
    from parcellocker.terminal.link import bodies, rental_bodies
    from parcellocker.terminal.link.port import LinkDown

READERS: list[Callable[[object], object]] = [
    bodies.greeting,
    bodies.code_sheet,
    bodies.commands,
    bodies.command,
    bodies.receipt,
    bodies.token,
    bodies.compartment_to_open,
    bodies.parcels_to_collect,
    rental_bodies.offer,
    rental_bodies.walk_up,
    rental_bodies.door,
]


def kerong_target(data: bytes) -> None:
    for length in (0, 2, 4):
        try:
            frame = kerong.decode_frame(data, length)
            if frame is not None:
                kerong.read_status(frame)
        except KerongProtocolError:
            pass
    with contextlib.suppress(KerongProtocolError):
        kerong.decode_request(data)
    KerongEmulator().parse(data)


def eighta_target(data: bytes) -> None:
    for length in (5, 6, 7, 8):
        try:
            frame = eighta.decode_frame(data, length)
            if frame is not None and len(frame.body) > 1:
                eighta.unpack_bits(frame.body[:-1], 8 * (len(frame.body) - 1))
        except EightAProtocolError:
            pass
    EightAEmulator().parse(data)


def link_target(data: bytes) -> None:
    """What both links do with an answer: JSON (ValueError/RecursionError -> LinkDown there), then a reader."""
    try:
        body = json.loads(data)
    except (ValueError, RecursionError):
        return
    for read in READERS:
        with contextlib.suppress(LinkDown):
            bodies.read(read, body)
    refused = bodies.refused(409, body)
    json.dumps(refused.details, allow_nan=False)


def server_target(data: bytes) -> None:
    event = _json_object(data)
    if event is not None:
        with contextlib.suppress(ValidationError):
            TerminalEventCreate.model_validate(event).body()


TARGETS = [kerong_target, eighta_target, link_target, server_target]


def test_one_input(data: bytes) -> None:
    if data:
        TARGETS[data[0] % len(TARGETS)](data[1:])


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
