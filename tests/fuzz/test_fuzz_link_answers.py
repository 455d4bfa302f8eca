"""The terminal's readers of the server's answers (HTTP bodies and MQTT replies alike) against any JSON: each
answer reads as a value of the declared types, or raises LinkDown; nothing else escapes."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

import pytest
from fuzz_settings import FUZZ, flip_bit, json_values, shaped_like
from hypothesis import given
from hypothesis import strategies as st
from link_answers import VALID, check_answer

from parcellocker.terminal.link import bodies
from parcellocker.terminal.link.port import LinkDown

pytestmark = pytest.mark.chaos

READERS = sorted(VALID)


def read_or_down(parse: Callable[[Any], Any], body: Any) -> None:
    try:
        value = bodies.read(parse, body)
    except LinkDown:
        return
    check_answer(parse, value)


@pytest.mark.parametrize("reader", READERS)
def test_valid_answer_reads_with_the_declared_types(reader: str) -> None:
    parse, body = VALID[reader]
    check_answer(parse, bodies.read(parse, body))


@pytest.mark.parametrize("reader", READERS)
@FUZZ
@given(data=st.data())
def test_answer_of_the_right_shape_with_any_values_reads_or_is_link_down(reader: str, data: st.DataObject) -> None:
    parse, body = VALID[reader]
    read_or_down(parse, data.draw(shaped_like(body)))


@pytest.mark.parametrize("reader", READERS)
@FUZZ
@given(body=json_values)
def test_any_json_reads_or_is_link_down(reader: str, body: Any) -> None:
    read_or_down(VALID[reader][0], body)


@pytest.mark.parametrize("reader", READERS)
@FUZZ
@given(bits=st.lists(st.integers(0, 100_000), min_size=1, max_size=4))
def test_valid_answer_with_flipped_bits_reads_or_is_link_down(reader: str, bits: list[int]) -> None:
    parse, body = VALID[reader]
    text = json.dumps(body).encode()
    for bit in bits:
        text = flip_bit(text, bit)
    try:
        damaged = json.loads(text)
    except ValueError:
        return  # the links turn text that is not JSON into LinkDown before any reader sees it
    read_or_down(parse, damaged)


@FUZZ
@given(status=st.integers(400, 499), error=json_values | shaped_like({"code": "c", "message": "m", "x": 1}))
def test_any_refusal_reads_as_link_refused_whose_details_the_kiosk_can_pass_on(status: int, error: Any) -> None:
    refused = bodies.refused(status, error)
    assert refused.status == status and isinstance(refused.code, str) and isinstance(refused.message, str)
    json.dumps(refused.details, allow_nan=False)
    for key in ("retry_after_seconds", "remaining_tries"):
        if key in refused.details:
            int(refused.details[key])


# Crashes the fuzzing found, each kept as a regression test.


def test_infinity_where_a_compartment_number_is_expected_is_link_down_not_overflow_error() -> None:
    item = {
        "shipment_id": "s",
        "tracking_number": "t",
        "compartment": math.inf,
        "expired_at": VALID["token"][1]["expires_at"],
    }
    with pytest.raises(LinkDown):
        bodies.read(bodies.parcels_to_collect, [item])


def test_command_whose_id_is_not_an_integer_is_link_down() -> None:
    with pytest.raises(LinkDown):  # it was read, then failed to compare with the runner's `after`
        bodies.read(bodies.command, {"id": "7", "kind": "sync_codes", "body": {}, "expires_at": None})


def test_command_whose_id_does_not_fit_sqlite_is_link_down() -> None:
    with pytest.raises(LinkDown):  # the terminal's store (SQLite) raised OverflowError when it wrote it down
        bodies.read(bodies.command, {"id": 2**64, "kind": "sync_codes", "body": {}, "expires_at": None})


def test_command_expiring_at_a_time_without_offset_is_link_down() -> None:
    with pytest.raises(LinkDown):  # compared with the terminal's aware clock, it raised TypeError in the runner
        bodies.read(bodies.command, {"id": 7, "kind": "sync_codes", "body": {}, "expires_at": "2030-01-01T00:00:00"})


def test_greeting_with_a_last_seq_that_is_no_integer_is_link_down() -> None:
    with pytest.raises(LinkDown):
        bodies.read(bodies.greeting, {"last_seq": "41", "qr_public_key": ""})


def test_refusal_with_infinity_for_retry_after_leaves_it_out() -> None:
    refused = bodies.refused(
        429, {"code": "locked_out", "message": "wait", "retry_after_seconds": math.inf, "n": math.nan}
    )
    assert refused.details == {}  # int(inf) raised OverflowError at the kiosk; NaN broke its JSON answer
