"""Two `parcellocker serve` processes, each on its own port, on one PostgreSQL database and one MQTT broker (the
machine's Mosquitto, under a topic root of this test's own), as a deployment grows past one process: the carrier's
and the operator's HTTP requests alternate between them (client-side round robin: a balancer in front would only
pick the next process the same way, the processes keep no state of their own), and bare MQTT clients stand in for
two lockers' terminals, speaking the link's protocol. Many deposits at once: no compartment given twice; every
door event published twice: applied once; one message per stored parcel; an operator's command reaches its
locker's terminal once."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiomqtt
import pytest
from scaleout_rigs import BROKER, COURIER_PIN, OPERATOR_PASSWORD, PROCESSES, RoundRobin, ServeProcesses, StartFleet

from parcellocker.adapters.mqtt import topics
from parcellocker.adapters.notifications.mailbox import mailbox_file
from parcellocker.sample_site import SampleSite

pytestmark = pytest.mark.postgres

COMPARTMENTS = 6
PARCELS_PER_LOCKER = 8  # two more than fit: those must be refused, not squeezed in
Body = dict[str, Any]


class StandInTerminal:
    """A locker's terminal on the link: its requests, its events and their acks, the commands pushed to it."""

    def __init__(self, client: aiomqtt.Client, named: topics.Topics, locker_id: str) -> None:
        self.client = client
        self.named = named
        self.locker_id = locker_id
        self.acks: list[Body] = []
        self.replies: dict[str, Body] = {}
        self.commands: list[Body] = []
        self.seq = 0

    async def listen(self) -> None:
        async for message in self.client.messages:
            assert isinstance(message.payload, bytes)
            body = json.loads(message.payload)
            leaf = message.topic.value.rsplit("/", 1)[1]
            if leaf == topics.ACKS:
                self.acks.append(body)
            elif leaf == topics.REPLIES:
                self.replies[body["id"]] = body
            elif leaf == topics.COMMANDS:
                self.commands.append(body)

    async def publish(self, leaf: str, body: Body | bytes) -> None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        await self.client.publish(self.named.locker(self.locker_id, leaf), data, qos=1)

    async def request(self, op: str, body: Body, within: float = 30) -> Body:
        """The server's reply (`body` or `error`) to one request, published once."""
        request_id = uuid.uuid4().hex
        await self.publish(topics.REQUESTS, {"id": request_id, "op": op, "body": body})
        deadline = time.monotonic() + within
        while request_id not in self.replies:
            assert time.monotonic() < deadline, f"no reply to {op} {body}"
            await asyncio.sleep(0.02)
        return self.replies[request_id]

    async def door_twice(self, compartment: int, state: str) -> int:
        """Publish one door event twice at once, as a terminal resending it would; its seq."""
        self.seq += 1
        event = {"seq": self.seq, "kind": "door", "at": datetime.now(UTC).isoformat(), "compartment": compartment,
                 "state": state}  # fmt: skip
        await asyncio.gather(self.publish(topics.EVENTS, event), self.publish(topics.EVENTS, event))
        return self.seq

    async def until_acked(self, seqs: list[int], copies: int = 1, within: float = 30) -> None:
        """Wait until each event has been acknowledged `copies` times (once for each copy published: the copy
        applied and the one answered as a replay may be acknowledged in either order, by two processes)."""
        deadline = time.monotonic() + within
        while missing := sorted(seq for seq in seqs if sum(ack["seq"] == seq for ack in self.acks) < copies):
            assert time.monotonic() < deadline, f"events {missing} of locker {self.locker_id} were never acknowledged"
            await asyncio.sleep(0.2)
        assert not [ack for ack in self.acks if "error" in ack], self.acks


@pytest.fixture
async def fleet(start_fleet: StartFleet) -> tuple[ServeProcesses, SampleSite]:
    return await start_fleet(lockers=2, layout=f"S:{COMPARTMENTS}")


@pytest.fixture
async def terminals(fleet: tuple[ServeProcesses, SampleSite], topic_root: str) -> AsyncIterator[list[StandInTerminal]]:
    _, site = fleet
    named = topics.Topics(topic_root)
    stand_ins: list[StandInTerminal] = []
    listeners: list[asyncio.Task[None]] = []
    clients = [aiomqtt.Client(*BROKER, identifier=f"scaleout-{uuid.uuid4().hex[:8]}") for _ in site.lockers]
    try:
        for client, locker in zip(clients, site.lockers, strict=True):
            await client.__aenter__()
            for leaf in (topics.ACKS, topics.REPLIES, topics.COMMANDS):
                await client.subscribe(named.locker(locker.id, leaf), qos=1)
            terminal = StandInTerminal(client, named, locker.id)
            listeners.append(asyncio.create_task(terminal.listen()))
            stand_ins.append(terminal)
        for terminal in stand_ins:  # each answered hello: one bridge or the other has subscribed
            for _ in range(PROCESSES * 3):
                assert "body" in await terminal.request("hello", {})
        yield stand_ins
    finally:
        for task in listeners:
            task.cancel()
        for client in clients:
            await client.__aexit__(None, None, None)


def _messages_to(mailbox: Path, address: str) -> list[Body]:
    path = mailbox_file(mailbox, address)
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


async def test_two_server_processes_allocate_apply_notify_and_command_once(
    fleet: tuple[ServeProcesses, SampleSite], terminals: list[StandInTerminal], tmp_path: Path
) -> None:
    servers, site = fleet
    carrier = RoundRobin(servers.base_urls, site.carrier_key)
    anonymous = RoundRobin(servers.base_urls)
    try:
        # Announced through both processes.
        parcels: dict[str, list[Body]] = {locker.id: [] for locker in site.lockers}
        for locker in site.lockers:
            for _ in range(PARCELS_PER_LOCKER):
                body = {"tracking_number": f"SO{uuid.uuid4().hex[:10].upper()}", "locker_id": locker.id, "size": "S",
                        "recipient": {"email": f"{uuid.uuid4().hex[:12]}@scaleout.example"}}  # fmt: skip
                reply = await carrier.next().post("/shipments", json=body)
                assert reply.status_code == 201, reply.text
                parcels[locker.id].append({**reply.json(), "email": body["recipient"]["email"]})  # type: ignore[index]

        # Every deposit of both lockers at once, half through the terminals' link (the shared subscription hands
        # each request to one process or the other), half over HTTP (alternating processes).
        signed_in = await terminals[0].request("courier_sign_in", {"courier_id": site.courier_id, "pin": COURIER_PIN})
        token = signed_in["body"]["token"]
        courier = RoundRobin(servers.base_urls, token)

        async def deposit(terminal: StandInTerminal, parcel: Body, over_mqtt: bool) -> int | None:
            body = {"courier_token": token, "tracking_number": parcel["tracking_number"]}
            if over_mqtt:
                reply = await terminal.request("deposit", body)
                if "error" in reply:
                    assert reply["error"]["status"] == 409, reply
                    return None
                number: int = reply["body"]["compartment"]["number"]
                return number
            answered = await courier.next().post(
                f"/lockers/{terminal.locker_id}/deposits", json={"tracking_number": parcel["tracking_number"]}
            )
            if answered.status_code != 200:
                assert answered.status_code == 409, answered.text
                return None
            number = answered.json()["compartment"]["number"]
            return number

        work = [(terminal, parcel, index % 2 == 0) for terminal in terminals
                for index, parcel in enumerate(parcels[terminal.locker_id])]  # fmt: skip
        given = await asyncio.gather(*(deposit(*job) for job in work))
        stored: dict[str, list[tuple[Body, int]]] = {terminal.locker_id: [] for terminal in terminals}
        for (terminal, parcel, _), number in zip(work, given, strict=True):
            if number is not None:
                stored[terminal.locker_id].append((parcel, number))
        for locker_id, deposited in stored.items():
            numbers = sorted(number for _, number in deposited)
            assert numbers == list(range(1, COMPARTMENTS + 1)), f"locker {locker_id}: compartments {numbers}"

        # Each door event published twice at once: both processes may get a copy; it is applied once.
        for terminal in terminals:
            seqs = []
            for _, number in stored[terminal.locker_id]:
                seqs.append(await terminal.door_twice(number, "open"))
                seqs.append(await terminal.door_twice(number, "closed"))
            await terminal.until_acked(seqs, copies=2)
            first_time = Counter(ack["seq"] for ack in terminal.acks if not ack.get("replayed"))
            assert sorted(first_time) == seqs and set(first_time.values()) == {1}, terminal.acks
            closes = [ack for ack in terminal.acks if not ack.get("replayed") and ack.get("outcome") == "parcel_stored"]
            assert len(closes) == COMPARTMENTS

        for locker_id, deposited in stored.items():
            for parcel, _ in deposited:
                reply = await carrier.next().get(f"/shipments/{parcel['id']}")
                assert reply.json()["state"] == "stored", (locker_id, reply.text)

        # One message per stored parcel, although both processes run an outbox worker.
        mailbox = tmp_path / "var" / "mailbox"
        recipients = [parcel["email"] for deposited in stored.values() for parcel, _ in deposited]
        deadline = time.monotonic() + 60
        while any(not _messages_to(mailbox, address) for address in recipients):
            assert time.monotonic() < deadline, "not every recipient got the message"
            await asyncio.sleep(0.2)
        await asyncio.sleep(5)  # both workers polled again (every second or sooner) in the meantime
        assert {address: len(_messages_to(mailbox, address)) for address in recipients} == dict.fromkeys(recipients, 1)

        # An operator's command, queued through one process, reaches its locker's terminal once, and only it.
        signed = await anonymous.next().post(
            "/sessions/operator", json={"operator_id": site.operator_id, "password": OPERATOR_PASSWORD}
        )
        assert signed.status_code == 200, signed.text
        operator = RoundRobin(servers.base_urls, signed.json()["token"])
        mine, other = terminals
        queued = await operator.next().post(
            f"/lockers/{mine.locker_id}/commands", json={"kind": "open_compartment", "compartment": 1}
        )
        assert queued.status_code == 201, queued.text
        command_id = queued.json()["id"]
        deadline = time.monotonic() + 30
        while not any(command["id"] == command_id for command in mine.commands):
            assert time.monotonic() < deadline, "the command did not reach the terminal"
            await asyncio.sleep(0.05)
        await asyncio.sleep(3)
        assert [command["id"] for command in mine.commands].count(command_id) == 1
        assert [command for command in other.commands if command["id"] == command_id] == []
        acked = await mine.request("command_ack", {"command_id": command_id, "outcome": "done"})
        assert acked["body"]["outcome"] == "done", acked
        read = await operator.next().get(f"/lockers/{mine.locker_id}/commands/{command_id}")
        assert read.json()["outcome"] == "done"

        assert all(served > 0 for served in carrier.served.values()) and len(carrier.served) == PROCESSES
        assert "Traceback" not in servers.logs(tail=10**9)
    finally:
        await carrier.aclose()
        await anonymous.aclose()
