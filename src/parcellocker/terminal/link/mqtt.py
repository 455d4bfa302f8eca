"""The link over MQTT (topics in `parcellocker.adapters.mqtt.topics`, QoS 1 everywhere).

The terminal keeps one connection to the broker, made on first use and made again with a doubling wait whenever
it is lost. On each connection it says `online` on its retained `status` topic; the broker says `offline` there for
it (its last will) when the connection dies, and the terminal says it itself when it stops.

Events go to `events`, one at a time, and each waits for its receipt on `acks`; an event without a receipt in time
is `LinkDown` and stays in the outbox, to be sent again (the server applies a seq once). Commands arrive on
`commands`, and are also asked for after every (re)connection and whenever none arrived for a whole wait, so none
is missed while the connection was down. Everything that needs an answer goes to `requests` with an `id` and is
answered on `replies`.

Once connected, a call made while the broker cannot be reached fails at once with `LinkDown` (a pickup is then
checked by the terminal itself without waiting); before the first connection a call waits for it up to its
timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from typing import Any, TypeVar

import aiomqtt

from parcellocker.adapters.mqtt import topics
from parcellocker.background_loop import BackgroundLoop
from parcellocker.terminal.link import bodies
from parcellocker.terminal.link.mqtt_rentals import MqttRentalCalls
from parcellocker.terminal.link.port import (
    CodeSheet,
    Command,
    CompartmentToOpen,
    EventReceipt,
    Greeting,
    Link,
    LinkDown,
    OutboxEvent,
    ParcelToCollect,
)
from parcellocker.wakeups import woken_within

log = logging.getLogger(__name__)

QOS = 1
T = TypeVar("T")


class MqttLink(MqttRentalCalls, Link):
    def __init__(
        self,
        broker: topics.BrokerAddress,
        locker_id: str,
        *,
        timeout: float = 5.0,
        pickup_timeout: float = 3.0,
        retry_initial: float = 0.5,
        retry_max: float = 15.0,
        keepalive: int = 10,
        topic_root: str = topics.DEFAULT_ROOT,
    ) -> None:
        """`keepalive`: seconds; the broker gives the locker up (last will) after 1.5 times this without a word."""
        self.locker_id = locker_id
        self.broker = broker
        self._timeout = timeout
        self._pickup_timeout = pickup_timeout
        self._retry_initial = retry_initial
        self._retry_max = retry_max
        self._keepalive = keepalive
        named = topics.Topics(topic_root)
        self._client_id = topics.terminal_client_id(named.root, locker_id)
        self._topic = {
            leaf: named.locker(locker_id, leaf)
            for leaf in (topics.COMMANDS, topics.EVENTS, topics.ACKS, topics.STATUS, topics.REQUESTS, topics.REPLIES)
        }
        self._client: aiomqtt.Client | None = None
        self._ever_connected = False
        self.connected = asyncio.Event()
        self._loop = BackgroundLoop("mqtt link", self._run)
        self._acks: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._replies: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._commands: dict[int, Command] = {}
        """Commands pushed by the server and not handed to the runner yet."""
        self._pushed = asyncio.Event()
        self._ask_for_commands = True
        """Ask the server for pending commands before waiting for pushes (after each (re)connection)."""

    # The Link port.

    async def greet(self) -> Greeting:
        return bodies.read(bodies.greeting, await self._request("hello", {}))

    async def send_event(self, event: OutboxEvent) -> EventReceipt:
        payload = {"seq": event.seq, "kind": event.kind.value, "at": event.at.isoformat(), **event.body}
        client = await self._connection(self._timeout)
        receipt = asyncio.get_running_loop().create_future()
        self._acks[event.seq] = receipt
        try:
            async with asyncio.timeout(self._timeout):
                await client.publish(self._topic[topics.EVENTS], _encode(payload), qos=QOS)
                ack = await receipt
        except TimeoutError:
            raise LinkDown(f"event {event.seq}: no receipt from the server within {self._timeout:g} s") from None
        except aiomqtt.MqttError as error:
            raise LinkDown(f"event {event.seq}: {error}") from error
        finally:
            if self._acks.get(event.seq) is receipt:
                del self._acks[event.seq]
        if "error" in ack:
            raise _refused_or_down(ack["error"])
        return bodies.read(bodies.receipt, ack)

    async def fetch_code_sheet(self) -> CodeSheet:
        return bodies.read(bodies.code_sheet, await self._request("code_sheet", {}))

    async def next_commands(self, after: int, wait: float) -> list[Command]:
        await self._connection(self._timeout)
        if self._ask_for_commands:
            self._ask_for_commands = False
            await self._pull_commands(after)
        if not self._waiting_after(after):
            self._pushed.clear()
            await woken_within(self._pushed, wait)
            if not self._waiting_after(after):  # nothing came: ask, which also tells whether the server answers
                await self._pull_commands(after)
        ready = sorted(self._waiting_after(after), key=lambda command: command.id)
        for command in ready:
            del self._commands[command.id]
        return ready

    async def acknowledge_command(self, command_id: int, outcome: str, detail: str | None) -> None:
        body = {"command_id": command_id, "outcome": outcome, "detail": None if detail is None else detail[:500]}
        await self._request("command_ack", body)

    async def pick_up(self, *, code: str | None = None, qr_token: str | None = None) -> CompartmentToOpen:
        body = {"code": code} if code is not None else {"qr_token": qr_token}
        return bodies.read(bodies.compartment_to_open, await self._request("pickup", body, self._pickup_timeout))

    async def sign_in_courier(self, courier_id: str, pin: str) -> str:
        body = await self._request("courier_sign_in", {"courier_id": courier_id, "pin": pin})
        return bodies.read(bodies.token, body)

    async def deposit(self, courier_token: str, tracking_number: str, reachable: bool = False) -> CompartmentToOpen:
        body: dict[str, Any] = {"courier_token": courier_token, "tracking_number": tracking_number}
        if reachable:
            body["reachable"] = True
        return bodies.read(bodies.compartment_to_open, await self._request("deposit", body))

    async def report_deposit_problem(self, courier_token: str, tracking_number: str, problem: str) -> CompartmentToOpen:
        body = {"courier_token": courier_token, "tracking_number": tracking_number, "problem": problem}
        return bodies.read(bodies.compartment_to_open, await self._request("deposit_problem", body))

    async def reopen_after_pickup(self, shipment_id: str, compartment: int) -> None:
        body = {"shipment_id": shipment_id, "compartment": compartment}
        await self._request("pickup_reopen", body, self._pickup_timeout)

    async def parcels_to_collect(self, courier_token: str) -> list[ParcelToCollect]:
        answer = await self._request("collections", {"courier_token": courier_token})
        return bodies.read(bodies.parcels_to_collect, answer)

    async def collect(self, courier_token: str, tracking_number: str) -> CompartmentToOpen:
        body = {"courier_token": courier_token, "tracking_number": tracking_number}
        return bodies.read(bodies.compartment_to_open, await self._request("collect", body))

    async def drop_off(self, code: str, reachable: bool = False) -> CompartmentToOpen:
        body: dict[str, Any] = {"code": code}
        if reachable:
            body["reachable"] = True
        return bodies.read(bodies.compartment_to_open, await self._request("dropoff", body, self._pickup_timeout))

    async def report_dropoff_problem(self, code: str, problem: str) -> CompartmentToOpen:
        body = {"code": code, "problem": problem}
        answer = await self._request("dropoff_problem", body, self._pickup_timeout)
        return bodies.read(bodies.compartment_to_open, answer)

    async def close(self) -> None:
        """Say `offline` (a stop is no crash, but the locker is offline all the same) and disconnect."""
        client = self._client
        if client is not None:
            with contextlib.suppress(aiomqtt.MqttError, TimeoutError):
                await client.publish(self._topic[topics.STATUS], topics.OFFLINE, qos=QOS, retain=True, timeout=2)
        await self._loop.stop()

    # The connection.

    async def _connection(self, within: float) -> aiomqtt.Client:
        """The connected client; LinkDown when there is none (waiting up to `within` s for the very first one)."""
        self._loop.start()
        if self._client is None and not self._ever_connected:
            await woken_within(self.connected, within)
        if self._client is None:
            raise LinkDown(f"not connected to the broker {self.broker}")
        return self._client

    async def _run(self) -> None:
        delay = self._retry_initial
        will = aiomqtt.Will(self._topic[topics.STATUS], topics.OFFLINE, qos=QOS, retain=True)
        while True:
            try:
                async with aiomqtt.Client(
                    self.broker.host,
                    self.broker.port,
                    username=self.broker.username,
                    password=self.broker.password,
                    identifier=self._client_id,
                    will=will,
                    keepalive=self._keepalive,
                    timeout=self._timeout,
                    socket_options=topics.NO_DELAY,
                ) as client:
                    for leaf in (topics.ACKS, topics.REPLIES, topics.COMMANDS):
                        await client.subscribe(self._topic[leaf], qos=QOS)
                    await client.publish(self._topic[topics.STATUS], topics.ONLINE, qos=QOS, retain=True)
                    self._connected_as(client)
                    delay = self._retry_initial
                    async for message in client.messages:
                        self._dispatch(message)
            except aiomqtt.MqttError as error:
                log.warning("the broker %s cannot be reached: %s; again in %.1f s", self.broker, error, delay)
            finally:
                self._disconnected()
            await asyncio.sleep(delay)
            delay = min(delay * 2, self._retry_max)

    def _connected_as(self, client: aiomqtt.Client) -> None:
        log.info("connected to the broker %s as locker %s", self.broker, self.locker_id)
        self._client = client
        self._ever_connected = True
        self._ask_for_commands = True
        self.connected.set()

    def _disconnected(self) -> None:
        self._client = None
        self.connected.clear()
        lost = LinkDown(f"the connection to the broker {self.broker} was lost")
        for waiting in [*self._acks.values(), *self._replies.values()]:
            if not waiting.done():
                waiting.set_exception(lost)
        self._acks.clear()
        self._replies.clear()
        self._pushed.set()  # a runner waiting for commands finds the connection gone

    def _dispatch(self, message: aiomqtt.Message) -> None:
        topic, payload = message.topic.value, message.payload
        try:
            body = json.loads(payload) if isinstance(payload, bytes | bytearray) else None
        except (ValueError, RecursionError):  # not JSON, not UTF-8, or nested past Python's recursion limit
            body = None
        if not isinstance(body, dict):
            log.warning("ignored a message on %s: not a JSON object", topic)
            return
        if topic == self._topic[topics.ACKS]:
            seq = body.get("seq")
            _resolve(self._acks.get(seq) if isinstance(seq, int) else None, body)
        elif topic == self._topic[topics.REPLIES]:
            request_id = body.get("id")
            _resolve(self._replies.get(request_id) if isinstance(request_id, str) else None, body)
        elif topic == self._topic[topics.COMMANDS]:
            try:
                command = bodies.command(body)
            except bodies.UNREADABLE:
                log.warning("ignored a command that could not be read: %s", str(body)[:200])
                return
            self._commands[command.id] = command
            self._pushed.set()

    # Requests.

    async def _request(self, op: str, body: dict[str, Any], within: float | None = None) -> Any:
        """The body of the server's reply; LinkDown without one within `within` s, LinkRefused for a refusal."""
        timeout = within or self._timeout
        client = await self._connection(timeout)
        request_id = uuid.uuid4().hex
        reply = asyncio.get_running_loop().create_future()
        self._replies[request_id] = reply
        try:
            async with asyncio.timeout(timeout):
                payload = {"id": request_id, "op": op, "body": body}
                await client.publish(self._topic[topics.REQUESTS], _encode(payload), qos=QOS)
                answer = await reply
        except TimeoutError:
            raise LinkDown(f"{op}: no answer from the server within {timeout:g} s") from None
        except aiomqtt.MqttError as error:
            raise LinkDown(f"{op}: {error}") from error
        finally:
            self._replies.pop(request_id, None)
        if "error" in answer:
            raise _refused_or_down(answer["error"])
        return answer.get("body")

    async def _pull_commands(self, after: int) -> None:
        try:
            pending = bodies.read(bodies.commands, await self._request("commands", {"after": after}))
        except LinkDown:
            self._ask_for_commands = True
            raise
        for command in pending:
            self._commands.setdefault(command.id, command)

    def _waiting_after(self, after: int) -> list[Command]:
        return [command for command in self._commands.values() if command.id > after]


def _resolve(waiting: asyncio.Future[dict[str, Any]] | None, body: dict[str, Any]) -> None:
    if waiting is not None and not waiting.done():
        waiting.set_result(body)


def _refused_or_down(error: Any) -> LinkDown | Exception:
    status = error.get("status") if isinstance(error, dict) else None
    if not isinstance(status, int) or isinstance(status, bool) or not 400 <= status < 500:
        return LinkDown(f"the server failed: {error}")
    return bodies.refused(status, error)


def _encode(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode()
