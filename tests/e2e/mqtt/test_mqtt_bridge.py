"""The server's end of the MQTT link, end to end through the real broker: events applied once and acknowledged by
seq, each on its own locker only, status recorded with an alarm when a locker goes offline, requests answered as
the HTTP API answers them, and commands pushed to the terminal."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import aiomqtt

from e2e.conftest import Locker, Site
from e2e.mqtt.conftest import TOPIC_ROOT
from parcellocker.adapters.mqtt import topics
from patience import SOON

Body = dict[str, Any]
NAMED = topics.Topics(TOPIC_ROOT)


class Terminal:
    """A bare MQTT client standing in for a locker's terminal."""

    def __init__(self, client: aiomqtt.Client, locker_id: str) -> None:
        self.client = client
        self.locker_id = locker_id
        self.received: list[tuple[str, Body]] = []
        self._arrived = asyncio.Event()

    async def listen(self) -> None:
        async for message in self.client.messages:
            assert isinstance(message.payload, bytes)
            self.received.append((message.topic.value.rsplit("/", 1)[1], json.loads(message.payload)))
            self._arrived.set()

    async def publish(self, leaf: str, payload: Body | bytes, *, retain: bool = False) -> None:
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        await self.client.publish(NAMED.locker(self.locker_id, leaf), data, qos=1, retain=retain)

    async def exchange(self, leaf: str, payload: Body, answer: str, match: Callable[[Body], bool]) -> Body:
        """Publish until an answer on `answer` matches (the bridge may still be subscribing), and return it."""
        for _ in range(40):
            await self.publish(leaf, payload)
            if (found := await self.wait_for(answer, match, within=0.5)) is not None:
                return found
        raise AssertionError(f"no answer on {answer} to {payload}")

    async def wait_for(self, leaf: str, match: Callable[[Body], bool], within: float = SOON) -> Body | None:
        deadline = asyncio.get_running_loop().time() + within
        while True:
            found = [body for got, body in self.received if got == leaf and match(body)]
            if found:
                return found[-1]
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                return None
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), remaining)
            except TimeoutError:
                return None

    async def request(self, op: str, body: Body) -> Body:
        request_id = uuid.uuid4().hex
        return await self.exchange(
            topics.REQUESTS, {"id": request_id, "op": op, "body": body}, topics.REPLIES, lambda r: r["id"] == request_id
        )


@asynccontextmanager
async def terminal_of(locker_id: str) -> AsyncIterator[Terminal]:
    async with aiomqtt.Client("127.0.0.1", 1883, identifier=f"e2e-{uuid.uuid4().hex[:8]}") as client:
        for leaf in (topics.ACKS, topics.REPLIES, topics.COMMANDS):
            await client.subscribe(NAMED.locker(locker_id, leaf), qos=1)
        terminal = Terminal(client, locker_id)
        listening = asyncio.create_task(terminal.listen())
        try:
            yield terminal
        finally:
            listening.cancel()


def door(seq: int, compartment: int, state: str) -> Body:
    return {"seq": seq, "kind": "door", "at": datetime.now(UTC).isoformat(), "compartment": compartment, "state": state}


def compartment(site: Site, locker: Locker, number: int) -> Body:
    reply = site.operator().get(f"/lockers/{locker.id}")
    found: Body = next(c for c in reply.json()["compartments"] if c["number"] == number)
    return found


def alarms(site: Site, locker: Locker) -> list[Body]:
    reply = site.operator().get("/alarms", params={"locker_id": locker.id})
    assert reply.status_code == 200, reply.text
    found: list[Body] = reply.json()
    return found


async def test_an_event_sent_twice_is_applied_once_and_each_delivery_is_acknowledged_by_seq(site: Site) -> None:
    locker = site.new_locker()
    async with terminal_of(locker.id) as terminal:
        first = await terminal.exchange(topics.EVENTS, door(1, 2, "open"), topics.ACKS, lambda ack: ack["seq"] == 1)
        terminal.received.clear()
        again = await terminal.exchange(topics.EVENTS, door(1, 2, "open"), topics.ACKS, lambda ack: ack["seq"] == 1)

    assert (first["outcome"], first["replayed"]) == ("forced_door", False)
    assert (again["outcome"], again["replayed"]) == ("forced_door", True)
    assert [a["kind"] for a in alarms(site, locker)] == ["forced_door"]


async def test_an_event_on_a_lockers_topic_acts_on_that_locker_only(site: Site) -> None:
    mine, other = site.new_locker(), site.new_locker()
    async with terminal_of(mine.id) as terminal:
        event = {**door(1, 1, "open"), "locker_id": other.id}  # naming another locker in the payload changes nothing
        ack = await terminal.exchange(topics.EVENTS, event, topics.ACKS, lambda ack: ack["seq"] == 1)

    assert ack["outcome"] == "forced_door"
    assert compartment(site, mine, 1)["door"] == "open"
    assert compartment(site, other, 1)["door"] == "closed"
    assert alarms(site, other) == []


async def test_an_event_the_server_refuses_is_acknowledged_with_the_reason(site: Site) -> None:
    locker = site.new_locker()
    async with terminal_of(locker.id) as terminal:
        ack = await terminal.exchange(topics.EVENTS, door(1, 99, "open"), topics.ACKS, lambda ack: ack["seq"] == 1)
    assert ack["error"]["status"] == 404 and ack["error"]["code"] == "not_found"


async def test_status_online_then_offline_is_recorded_with_one_alarm(site: Site) -> None:
    locker = site.new_locker()
    status_of = lambda: site.operator().get(f"/lockers/{locker.id}").json()["status"]  # noqa: E731
    assert status_of() == "offline"  # a new locker has not been heard from
    async with terminal_of(locker.id) as terminal:
        await terminal.publish(topics.STATUS, topics.ONLINE, retain=True)
        assert await _eventually(status_of, "online")
        assert alarms(site, locker) == []
        await terminal.publish(topics.STATUS, topics.OFFLINE, retain=True)
        await terminal.publish(topics.STATUS, topics.OFFLINE, retain=True)  # said again: nothing new
        assert await _eventually(status_of, "offline")
        await asyncio.sleep(0.3)
        await terminal.publish(topics.STATUS, b"", retain=True)  # clear the retained message
    assert [a["kind"] for a in alarms(site, locker)] == ["locker_offline"]


async def test_requests_are_answered_as_the_http_api_answers_them(site: Site) -> None:
    locker = site.new_locker()
    async with terminal_of(locker.id) as terminal:
        hello = await terminal.request("hello", {})
        wrong = await terminal.request("pickup", {"code": "000000"})
        unknown = await terminal.request("teleport", {})
    assert hello["body"]["locker_id"] == locker.id and hello["body"]["last_seq"] is None
    assert wrong["error"]["status"] == 404
    assert (wrong["error"]["code"], wrong["error"]["remaining_tries"]) == ("pickup_code_not_found", 4)
    assert unknown["error"]["status"] == 400


async def test_a_queued_command_is_pushed_to_the_terminal(site: Site) -> None:
    locker = site.new_locker()
    async with terminal_of(locker.id) as terminal:
        await terminal.request("hello", {})  # the bridge is listening
        queued = site.operator().post(f"/lockers/{locker.id}/commands", json={"kind": "sync_codes"})
        assert queued.status_code == 201, queued.text
        pushed = await terminal.wait_for(topics.COMMANDS, lambda command: command["id"] == queued.json()["id"])
    assert pushed is not None and pushed["kind"] == "sync_codes"


async def test_a_deposit_request_asking_for_reach_opens_a_compartment_within_reach(site: Site) -> None:
    locker = site.new_locker("S:8,M:6,L:4")  # within reach: S 7-8, M 9-11, L 15-16
    plain, wished = site.announce(locker.id), site.announce(locker.id)
    token = site.courier().headers["Authorization"].removeprefix("Bearer ")
    async with terminal_of(locker.id) as terminal:
        first = await terminal.request("deposit", {"courier_token": token, "tracking_number": plain["tracking_number"]})
        asked = {"courier_token": token, "tracking_number": wished["tracking_number"], "reachable": True}
        second = await terminal.request("deposit", asked)
    assert (first["body"]["compartment"]["number"], first["body"]["compartment"]["reachable"]) == (1, False)
    assert (second["body"]["compartment"]["number"], second["body"]["compartment"]["reachable"]) == (7, True)


async def _eventually(read: Callable[[], Any], expected: Any, within: float = SOON) -> bool:
    deadline = asyncio.get_running_loop().time() + within
    while read() != expected:
        if asyncio.get_running_loop().time() > deadline:
            return False
        await asyncio.sleep(0.05)
    return True
