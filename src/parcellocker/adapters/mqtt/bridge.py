"""The server's end of the link over MQTT: it applies the events that lockers' terminals publish (each once, by
its seq, through the same use cases as the HTTP link) and acknowledges each on the locker's `acks`, answers their
requests on `replies`, records each locker online or offline from its retained `status` (the last will says
`offline`), and publishes the commands queued for a terminal on its `commands`.

Whatever arrives on `…/lockers/{id}/…` acts for locker {id} only. The bridge reconnects to the broker with a
doubling wait when the connection is lost; terminals send their events again until they are acknowledged.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import defaultdict
from collections.abc import Coroutine
from typing import Any

import aiomqtt

from parcellocker.adapters.mqtt import topics
from parcellocker.adapters.mqtt.requests import Refused, TerminalRequests, terminal_of
from parcellocker.background_loop import BackgroundLoop
from parcellocker.domain.errors import DomainError
from parcellocker.domain.locker import LockerStatus
from parcellocker.service.context import Services
from parcellocker.service.locker_presence import RecordLockerPresence, record_locker_presence

log = logging.getLogger(__name__)

QOS = 1


class TerminalBridge:
    def __init__(
        self,
        services: Services,
        requests: TerminalRequests,
        broker: topics.BrokerAddress,
        *,
        topic_root: str = topics.DEFAULT_ROOT,
        client_id: str | None = None,
        retry_initial: float = 0.5,
        retry_max: float = 2.0,
        keepalive: int = 30,
    ) -> None:
        self._services = services
        self._requests = requests
        self._broker = broker
        self._topics = topics.Topics(topic_root)
        self._client_id = client_id
        self._retry_initial = retry_initial
        self._retry_max = retry_max
        self._keepalive = keepalive
        self._client: aiomqtt.Client | None = None
        self.connected = asyncio.Event()
        self._loop = BackgroundLoop("mqtt bridge", self._run)
        self._handlers: set[asyncio.Task[None]] = set()
        self._event_turns: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        """One event of a locker at a time, so a repeated seq is never applied by two handlers at once."""

    def start(self) -> None:
        self._loop.start()

    async def stop(self) -> None:
        """Stop the loop and every handler it started."""
        handlers = list(self._handlers)
        for task in handlers:
            task.cancel()
        await self._loop.stop()
        await asyncio.gather(*handlers, return_exceptions=True)

    def command_queued(self, locker_id: str) -> None:
        """A command was queued for the locker's terminal: publish what is pending for it now."""
        if self._client is not None:
            self._spawn(self._push_commands(self._client, locker_id))

    async def _run(self) -> None:
        delay = self._retry_initial
        while True:
            try:
                async with aiomqtt.Client(
                    self._broker.host,
                    self._broker.port,
                    username=self._broker.username,
                    password=self._broker.password,
                    identifier=self._client_id,
                    keepalive=self._keepalive,
                    socket_options=topics.NO_DELAY,
                ) as client:
                    await client.subscribe(topics.shared(self._topics.every_locker(topics.EVENTS)), qos=QOS)
                    await client.subscribe(topics.shared(self._topics.every_locker(topics.REQUESTS)), qos=QOS)
                    await client.subscribe(self._topics.every_locker(topics.STATUS), qos=QOS)
                    self._client = client
                    self.connected.set()
                    log.info("MQTT bridge connected to %s", self._broker)
                    delay = self._retry_initial
                    async for message in client.messages:
                        self._dispatch(client, message)
            except aiomqtt.MqttError as error:
                log.warning("MQTT bridge: cannot reach the broker %s (%s); again in %.1f s", self._broker, error, delay)
            finally:
                self._client = None
                self.connected.clear()
            await asyncio.sleep(delay)
            delay = min(delay * 2, self._retry_max)

    def _dispatch(self, client: aiomqtt.Client, message: aiomqtt.Message) -> None:
        topic = message.topic.value
        payload = message.payload
        if not isinstance(payload, bytes | bytearray) or len(payload) > topics.MAX_PAYLOAD:
            log.warning("MQTT bridge: ignored a message on %s (no payload, or too large)", topic)
            return
        for leaf, handle in (
            (topics.EVENTS, self._on_event),
            (topics.REQUESTS, self._on_request),
            (topics.STATUS, self._on_status),
        ):
            locker_id = self._topics.locker_of(topic, leaf)
            if locker_id is not None:
                self._spawn(handle(client, locker_id, bytes(payload)))
                return
        log.warning("MQTT bridge: ignored a message on %s", topic)

    async def _on_event(self, client: aiomqtt.Client, locker_id: str, payload: bytes) -> None:
        event = _json_object(payload)
        seq = event.get("seq") if event is not None else None
        if event is None or not isinstance(seq, int):
            log.warning("MQTT bridge: an event of locker %s without a seq was ignored", locker_id)
            return
        async with self._event_turns[locker_id]:
            try:
                ack: dict[str, Any] = await self._requests.apply_event(locker_id, event)
            except Refused as refused:
                log.warning("MQTT bridge: event %d of locker %s refused: %s", seq, locker_id, refused)
                ack = {"seq": seq, "error": refused.error}
            except Exception:
                log.exception("MQTT bridge: event %d of locker %s failed; the terminal sends it again", seq, locker_id)
                return
        await _publish(client, self._topics.locker(locker_id, topics.ACKS), ack)

    async def _on_request(self, client: aiomqtt.Client, locker_id: str, payload: bytes) -> None:
        request = _json_object(payload)
        request_id = request.get("id") if request is not None else None
        if request is None or not isinstance(request_id, str) or not request_id or len(request_id) > 100:
            log.warning("MQTT bridge: a request of locker %s without an id was ignored", locker_id)
            return
        op, body = str(request.get("op", "")), request.get("body") or {}
        try:
            if not isinstance(body, dict):
                raise Refused(422, "invalid_input", "the body of a request is a JSON object")
            reply: dict[str, Any] = {"id": request_id, "body": await self._requests.answer(locker_id, op, body)}
        except Refused as refused:
            reply = {"id": request_id, "error": refused.error}
        except Exception:
            log.exception("MQTT bridge: request %s of locker %s failed", op, locker_id)
            reply = {"id": request_id, "error": {"status": 500, "code": "internal_error", "message": "it was logged"}}
        await _publish(client, self._topics.locker(locker_id, topics.REPLIES), reply)

    async def _on_status(self, client: aiomqtt.Client, locker_id: str, payload: bytes) -> None:
        said = payload.strip().decode(errors="replace")
        if said not in (LockerStatus.ONLINE, LockerStatus.OFFLINE):
            if said:
                log.warning("MQTT bridge: locker %s said %r on its status topic", locker_id, said[:40])
            return
        command = RecordLockerPresence(
            terminal_of(locker_id), locker_id, LockerStatus(said), self._services.env.clock.now()
        )
        try:
            changed = await self._services.run(record_locker_presence, command, lambda changed: changed)
        except DomainError as error:
            log.warning("MQTT bridge: status of locker %s not recorded: %s", locker_id, error)
            return
        if changed:
            log.info("locker %s is %s", locker_id, said)
        if said == LockerStatus.ONLINE:
            await self._push_commands(client, locker_id)

    async def _push_commands(self, client: aiomqtt.Client, locker_id: str) -> None:
        for command in await self._requests.pending_commands(locker_id):
            await _publish(client, self._topics.locker(locker_id, topics.COMMANDS), command)

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._handlers.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._handlers.discard(task)
        if not task.cancelled() and (error := task.exception()) is not None:
            log.error("MQTT bridge: a handler failed", exc_info=error)


async def _publish(client: aiomqtt.Client, topic: str, body: Any) -> None:
    with contextlib.suppress(aiomqtt.MqttError):  # the connection was lost: the terminal will ask again
        await client.publish(topic, json.dumps(body, separators=(",", ":")), qos=QOS)


def _json_object(payload: bytes) -> dict[str, Any] | None:
    try:
        found = json.loads(payload)
    except (ValueError, RecursionError):  # not JSON, not UTF-8, or nested past Python's recursion limit
        return None
    return found if isinstance(found, dict) else None
