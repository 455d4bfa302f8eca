"""What reaches the terminal's MQTT link on its `acks`, `replies` and `commands` topics, whatever its bytes: a
message that cannot be read is ignored, a command is kept only when it reads with the declared types, and the
receiving loop's `_dispatch` never raises (it runs inside the loop that reads the broker: one raise ends it)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiomqtt
import pytest
from fuzz_settings import FUZZ, flip_bit, json_values, shaped_like
from hypothesis import given
from hypothesis import strategies as st
from link_answers import VALID, check_types

from parcellocker.adapters.mqtt import topics
from parcellocker.terminal.link.mqtt import MqttLink
from parcellocker.terminal.link.port import Command

pytestmark = pytest.mark.chaos

LOCKER = "fuzz-locker"
LEAVES = (topics.ACKS, topics.REPLIES, topics.COMMANDS)
COMMAND = VALID["command"][1]


def link() -> MqttLink:
    return MqttLink(topics.BrokerAddress("127.0.0.1", 1), LOCKER)  # never connects: only its _dispatch is used


def message(leaf: str, payload: bytes) -> aiomqtt.Message:
    return aiomqtt.Message(topics.Topics().locker(LOCKER, leaf), payload, 1, False, 1, None)


def check_kept_commands(terminal: MqttLink) -> None:
    for command_id, command in terminal._commands.items():
        assert command_id == command.id
        check_types(command, Command)


payloads = st.one_of(
    st.binary(max_size=200),
    json_values.map(lambda value: json.dumps(value).encode()),
    shaped_like(COMMAND).map(lambda value: json.dumps(value).encode()),
    st.tuples(st.just(json.dumps(COMMAND).encode()), st.integers(0, 10_000)).map(lambda pair: flip_bit(*pair)),
)


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(LEAVES), payloads), max_size=6))
def test_any_messages_on_the_terminals_topics_are_read_or_ignored(received: list[tuple[str, bytes]]) -> None:
    terminal = link()
    for leaf, payload in received:
        terminal._dispatch(message(leaf, payload))
    check_kept_commands(terminal)


async def test_a_waiting_request_gets_only_a_json_object_with_its_id() -> None:
    terminal = link()
    reply: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
    terminal._replies["r1"] = reply
    for junk in (b"\xff\xfe", b"[1, 2]", b'{"id": 5}', b'{"id": ["r1"]}', b"[" * 50_000):
        terminal._dispatch(message(topics.REPLIES, junk))
    assert not reply.done()
    terminal._dispatch(message(topics.REPLIES, b'{"id": "r1", "body": {"x": 1}}'))
    assert reply.result() == {"id": "r1", "body": {"x": 1}}


# Crashes the fuzzing found, each kept as a regression test.


def test_json_nested_past_the_recursion_limit_is_ignored_not_a_recursion_error() -> None:
    terminal = link()
    for leaf in LEAVES:
        terminal._dispatch(message(leaf, b"[" * 100_000))  # RecursionError ended the link's receiving loop
    assert terminal._commands == {}


def test_pushed_command_with_an_id_that_cannot_be_kept_is_ignored() -> None:
    terminal = link()
    for bad_id in ("7", 2**64, [7], 1.5, True):
        command = {"id": bad_id, "kind": "sync_codes", "body": {}, "expires_at": None}
        terminal._dispatch(message(topics.COMMANDS, json.dumps(command).encode()))  # [7]: TypeError, unhashable
    assert terminal._commands == {}
