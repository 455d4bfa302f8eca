"""What the server's MQTT bridge reads from lockers' topics, whatever the bytes: a payload is a JSON object or
ignored, a topic names one locker or none, an event is a valid TerminalEventCreate or a validation error (which the
bridge answers as a 422 refusal) — never another exception."""

from __future__ import annotations

import json

import pytest
from fuzz_settings import FUZZ, flip_bit, json_values, shaped_like
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from parcellocker.adapters.mqtt import topics
from parcellocker.adapters.mqtt.bridge import _json_object
from parcellocker.api.schemas.terminal_link import TerminalEventCreate

pytestmark = pytest.mark.chaos

EVENTS = [
    {"seq": 3, "kind": "door", "at": "2030-05-01T12:00:00+00:00", "compartment": 4, "state": "closed"},
    {"seq": 4, "kind": "alarm", "at": "2030-05-01T12:00:00Z", "alarm": "forced_door", "compartment": 4, "door_seq": 3},
    {
        "seq": 5,
        "kind": "pickup_offline",
        "at": "2030-05-01T12:00:00Z",
        "compartment": 4,
        "shipment_id": "s",
        "via": "qr",
    },
]
payloads = st.one_of(
    st.binary(max_size=300),
    json_values.map(lambda value: json.dumps(value).encode()),
    st.sampled_from(EVENTS).flatmap(shaped_like).map(lambda value: json.dumps(value).encode()),
    st.tuples(st.sampled_from(EVENTS).map(lambda e: json.dumps(e).encode()), st.integers(0, 10_000)).map(
        lambda pair: flip_bit(*pair)
    ),
)


@FUZZ
@given(payloads)
def test_any_payload_is_a_json_object_or_ignored_and_any_object_is_an_event_or_a_validation_error(
    payload: bytes,
) -> None:
    found = _json_object(payload)
    if found is None:
        return
    assert isinstance(found, dict)
    try:
        event = TerminalEventCreate.model_validate(found)
    except ValidationError:
        return
    assert isinstance(event.seq, int) and 0 <= event.seq < 2**62
    json.dumps(event.body(), default=str, allow_nan=False)


@FUZZ
@given(st.text(max_size=80), st.sampled_from([topics.EVENTS, topics.REQUESTS, topics.STATUS]))
def test_any_topic_names_one_locker_or_none(topic: str, leaf: str) -> None:
    locker_id = topics.Topics().locker_of(topic, leaf)
    if locker_id is not None:
        assert topics.Topics().locker(locker_id, leaf) == topic


@FUZZ
@given(st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}", fullmatch=True))
def test_every_locker_id_round_trips_through_its_topics(locker_id: str) -> None:
    for leaf in (topics.EVENTS, topics.REQUESTS, topics.STATUS):
        assert topics.Topics().locker_of(topics.Topics().locker(locker_id, leaf), leaf) == locker_id


def test_event_nested_past_the_recursion_limit_is_ignored_not_a_recursion_error() -> None:
    assert _json_object(b"[" * 60_000) is None  # fits MAX_PAYLOAD; RecursionError failed the bridge's handler
