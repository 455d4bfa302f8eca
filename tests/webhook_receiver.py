"""A carrier's webhook receiver for the tests: a real aiohttp server on 127.0.0.1 that keeps every request it gets
and answers 200, or fails the first attempts of the events it is told to.

`async with WebhookReceiver() as receiver:` runs it on the test's own event loop; `ThreadedReceiver` runs one on
a thread of its own, for tests that drive a server process with blocking HTTP calls.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from aiohttp import web

from parcellocker.security.webhook_signatures import EVENT_ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, verify
from patience import SOON

Match = Callable[[dict[str, Any]], bool]


@dataclass(frozen=True, slots=True)
class Received:
    path: str
    body: bytes
    headers: dict[str, str]
    answered: int
    at: float

    @property
    def event(self) -> dict[str, Any]:
        document: dict[str, Any] = json.loads(self.body)
        return document

    @property
    def event_id(self) -> str:
        return self.headers.get(EVENT_ID_HEADER, "")

    def verify_with(self, secret: str, now: float | None = None) -> None:
        verify(
            secret,
            self.body,
            self.headers.get(TIMESTAMP_HEADER),
            self.headers.get(SIGNATURE_HEADER),
            now=time.time() if now is None else now,
        )


@dataclass(slots=True)
class _Failing:
    match: Match
    times: int
    status: int


@dataclass(slots=True)
class WebhookReceiver:
    received: list[Received] = field(default_factory=list)
    _rules: list[_Failing] = field(default_factory=list)
    _attempts: Counter[str] = field(default_factory=Counter)
    _runner: web.AppRunner | None = None
    port: int = 0
    delay: float = 0.0  # seconds to wait before answering, to stand in for a slow receiver

    def url(self, path: str = "/hooks") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def fail_first(self, times: int, match: Match = lambda event: True, status: int = 500) -> None:
        """Answer `status` to the first `times` attempts of each event that `match`es."""
        self._rules.append(_Failing(match, times, status))

    def delivered(self, path: str | None = None) -> list[Received]:
        """The requests answered 2xx (to `path`, or any), in the order they came."""
        return [r for r in list(self.received) if 200 <= r.answered < 300 and path in (None, r.path)]

    async def __aenter__(self) -> WebhookReceiver:
        app = web.Application()
        app.router.add_post("/{path:.*}", self._take)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        listening = socket.socket()
        listening.bind(("127.0.0.1", 0))
        self.port = listening.getsockname()[1]
        await web.SockSite(self._runner, listening).start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def wait_for(self, done: Callable[[WebhookReceiver], bool], within: float = SOON) -> None:
        deadline = time.monotonic() + within
        while not done(self):
            if time.monotonic() > deadline:
                raise AssertionError(f"the receiver did not get what was expected within {within} s: {self.received}")
            await asyncio.sleep(0.01)

    async def _take(self, request: web.Request) -> web.Response:
        body = await request.read()
        if self.delay:
            await asyncio.sleep(self.delay)
        status = self._answer_to(body, request.headers.get(EVENT_ID_HEADER, ""))
        self.received.append(Received(request.path, body, dict(request.headers), status, time.monotonic()))
        return web.Response(status=status, text="ok" if status < 300 else "not now")

    def _answer_to(self, body: bytes, event_id: str) -> int:
        self._attempts[event_id] += 1
        try:
            event = json.loads(body)
        except ValueError:
            return 400
        for rule in self._rules:
            if rule.match(event) and self._attempts[event_id] <= rule.times:
                return rule.status
        return 200


class ThreadedReceiver:
    """`with ThreadedReceiver() as receiver:` a WebhookReceiver served from a thread with its own event loop."""

    def __init__(self) -> None:
        self.receiver = WebhookReceiver()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="webhook-receiver", daemon=True)

    def __enter__(self) -> WebhookReceiver:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self.receiver.__aenter__(), self._loop).result(timeout=10)
        return self.receiver

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        asyncio.run_coroutine_threadsafe(self.receiver.__aexit__(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()


def wait_until(done: Callable[[], bool], within: float = SOON, what: str = "the webhooks") -> None:
    """Block until `done()` (for the threaded receiver), or fail saying `what` did not arrive."""
    deadline = time.monotonic() + within
    while not done():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not arrive within {within} s")
        time.sleep(0.02)
