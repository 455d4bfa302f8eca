"""One HTTP/1.1 keep-alive connection for a benchmark client, on asyncio with httptools parsing the responses.

`bench api` and `bench floor` run their clients on the same two cores as the server they measure, so every
millisecond of CPU the load generator spends is taken from the server (wrk is written in C for this reason).
With aiohttp the bench client process cost ~0.3-0.55 ms of CPU per operation, most of it aiohttp's own work per
request (its request and response objects, header multidicts, connection pool and timers). A benchmark client needs
none of that. It sends one request at a time to one server it knows, so
it keeps one connection of its own, writes each request in a single call and lets httptools (the C parser uvicorn
uses) read the answer, Content-Length or chunked.

Not supported, as the benchmarks never see them: TLS, HEAD, 1xx and upgrades, and bodies that end only when the
connection closes (uvicorn always sends a length or chunks).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from types import TracebackType
from typing import Self, cast
from urllib.parse import urlsplit

import httptools


class HttpConnectionError(Exception):
    """The connection could not be opened, closed before the whole response came, or did not speak HTTP."""


class _ToOneServer:
    """What a connection and a pool of them share: the server they send to, how long an idle connection is kept
    (`idle_limit`) and a request waited for (`timeout`), how many connections were opened, and `close()` when an
    `async with` block ends."""

    def __init__(self, host: str, port: int, *, idle_limit: float = 2.0, timeout: float = 60.0) -> None:
        self.host = host
        self.port = port
        self.idle_limit = idle_limit
        self.timeout = timeout
        self.opened = 0
        """Connections opened so far."""

    @classmethod
    def to(cls, base_url: str, *, idle_limit: float = 2.0, timeout: float = 60.0) -> Self:
        """One to the server of `base_url` (http://host:port); the paths of requests are absolute."""
        return cls(*_server_of(base_url), idle_limit=idle_limit, timeout=timeout)

    def close(self) -> None:
        raise NotImplementedError

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class HttpConnection(_ToOneServer):
    """A keep-alive connection to one server, for one request at a time, opened (again) when a request needs it.

    Before a request, the connection is opened anew if the server has closed it or if it has been idle longer than
    `idle_limit` (below uvicorn's 5 s keep-alive): a client waiting for a pickup code may sit idle for longer, and a
    request sent just as the server closes its end would fail, which is the tool's error, not the server's. A
    connection that breaks during a request raises HttpConnectionError and the request is not sent again (the
    server may have done it). Each request, connecting included, must be answered within `timeout` seconds
    (TimeoutError); the connection is then dropped, as it is after any failed request."""

    def __init__(self, host: str, port: int, *, idle_limit: float = 2.0, timeout: float = 60.0) -> None:
        super().__init__(host, port, idle_limit=idle_limit, timeout=timeout)
        self._host_line = f"Host: {host}:{port}\r\n"
        self._exchange: _Exchange | None = None

    async def request(
        self, method: str, path: str, body: bytes | None, headers: Mapping[str, str]
    ) -> tuple[int, bytes]:
        """Send one request and return the response's status and body, whatever the status."""
        head = f"{method} {path} HTTP/1.1\r\n{self._host_line}"
        head += "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        if body is None:
            message = (head + "\r\n").encode("latin-1")
        else:
            message = (head + f"Content-Length: {len(body)}\r\n\r\n").encode("latin-1") + body
        deadline = asyncio.get_running_loop().time() + self.timeout
        try:
            exchange = self._reusable() or await self._open(deadline)
            return await exchange.send(message, deadline)
        except BaseException:  # broken, timed out or cancelled: what the connection holds now is unknown
            self.close()
            raise

    def close(self) -> None:
        if self._exchange is not None:
            self._exchange.close()
            self._exchange = None

    def _reusable(self) -> _Exchange | None:
        """The open connection, unless the server has closed it or it has been idle too long (then closed)."""
        exchange = self._exchange
        if exchange is not None and exchange.open and exchange.idle_seconds() <= self.idle_limit:
            return exchange
        self.close()
        return None

    async def _open(self, deadline: float) -> _Exchange:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout_at(deadline):
                _, exchange = await loop.create_connection(lambda: _Exchange(loop), self.host, self.port)
        except TimeoutError:
            raise
        except OSError as error:  # refused, unreachable (TimeoutError is one too, and passes as it is)
            raise HttpConnectionError(f"cannot connect to {self.host}:{self.port}: {error}") from error
        self._exchange = exchange
        self.opened += 1
        return exchange


def _server_of(base_url: str) -> tuple[str, int]:
    """The host and port of `base_url` (http://host:port, no path)."""
    url = urlsplit(base_url)
    if url.scheme != "http" or not url.hostname or url.path not in ("", "/"):
        raise ValueError(f"not an http://host:port URL: {base_url}")
    return url.hostname, url.port or 80


class HttpConnectionPool(_ToOneServer):
    """Keep-alive connections to one server shared by many clients, each request on one of them: the one used
    last, if free, else a new one.

    Why shared, and not one connection per client: a client that waits longer than `idle_limit` (a recipient
    waiting for a pickup code) would open a new connection for its next request, and a saturated uvicorn worker
    accepts new connections only one per turn of its event loop (uvloop runs on libuv, which accepts one per
    readiness of the listening socket: libuv pull request 3696), so under load they queued for seconds
    in the listening socket's backlog (`ss -ltn`: ~300 waiting at 500 clients on SQLite, pickups taking up to 18
    s). Lent most recently used first, as aiohttp's pool did, the connections in use stay the few that are busy,
    and new ones are opened only as concurrency grows."""

    def __init__(self, host: str, port: int, *, idle_limit: float = 2.0, timeout: float = 60.0) -> None:
        super().__init__(host, port, idle_limit=idle_limit, timeout=timeout)  # `opened`: by all its connections
        self._free: list[HttpConnection] = []  # the one used last at the end

    async def request(
        self, method: str, path: str, body: bytes | None, headers: Mapping[str, str]
    ) -> tuple[int, bytes]:
        """As HttpConnection.request, on a connection of the pool."""
        if self._free:
            connection = self._free.pop()
        else:
            connection = HttpConnection(self.host, self.port, idle_limit=self.idle_limit, timeout=self.timeout)
        opened = connection.opened
        try:
            answer = await connection.request(method, path, body, headers)
        finally:
            self.opened += connection.opened - opened
        self._free.append(connection)  # closed after a failure: reopened when next lent
        return answer

    def close(self) -> None:
        for connection in self._free:
            connection.close()
        self._free.clear()


class _Exchange(asyncio.Protocol):
    """The protocol of one open connection: writes a request, hands the parsed response to whoever waits for it,
    and tells when the connection has closed. The on_* methods are httptools' callbacks."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._parser = httptools.HttpResponseParser(self)
        self._transport: asyncio.Transport | None = None
        self._answer: asyncio.Future[tuple[int, bytes]] | None = None
        self._chunks: list[bytes] = []
        self._status = 0
        self._keep_alive = True
        self._idle_since = loop.time()
        self._deadline = 0.0
        self._watchdog: asyncio.TimerHandle | None = None
        self.open = False

    def idle_seconds(self) -> float:
        return self._loop.time() - self._idle_since

    async def send(self, message: bytes, deadline: float) -> tuple[int, bytes]:
        """Write `message` and wait for the response until `deadline` (of the loop's clock)."""
        assert self._transport is not None and self._answer is None, "one request at a time"
        answer: asyncio.Future[tuple[int, bytes]] = self._loop.create_future()
        self._answer = answer
        self._deadline = deadline
        if self._watchdog is None:
            self._watchdog = self._loop.call_at(deadline, self._watch)
        self._transport.write(message)
        return await answer

    def close(self) -> None:
        self.open = False
        if self._watchdog is not None:
            self._watchdog.cancel()
            self._watchdog = None
        if self._transport is not None:
            self._transport.close()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)  # uvloop's transports do not subclass asyncio's
        self.open = True

    def connection_lost(self, exc: Exception | None) -> None:
        self.close()
        reason = f": {exc}" if exc else ""
        self._fail(HttpConnectionError(f"the connection closed before the response was complete{reason}"))

    def data_received(self, data: bytes) -> None:
        if self._answer is None:  # nothing was asked: a server's last words before it closes (a 408, say)
            self.close()
            return
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserError as error:
            self._fail(HttpConnectionError(f"not a valid HTTP response: {error}"))
            self.close()

    def on_headers_complete(self) -> None:
        self._status = self._parser.get_status_code()
        self._keep_alive = self._parser.should_keep_alive()  # False after Connection: close (or HTTP/1.0)

    def on_body(self, body: bytes) -> None:
        self._chunks.append(body)

    def on_message_complete(self) -> None:
        answer, self._answer = self._answer, None
        body = b"".join(self._chunks)
        self._chunks.clear()
        self._idle_since = self._loop.time()
        if not self._keep_alive:
            self.close()
        if answer is not None and not answer.done():
            answer.set_result((self._status, body))

    def _watch(self) -> None:
        """The timer of the deadlines: not one per request (setting and cancelling a timer costs more than the rest
        of a request's bookkeeping here) but one that, when it fires, times out the request in flight if its
        deadline has passed, or else waits for that deadline; it stops while no request is in flight."""
        self._watchdog = None
        if self._answer is None:
            return
        if self._loop.time() < self._deadline:
            self._watchdog = self._loop.call_at(self._deadline, self._watch)
            return
        self._fail(TimeoutError("no complete response in time"))
        self.close()

    def _fail(self, error: Exception) -> None:
        answer, self._answer = self._answer, None
        self._chunks.clear()
        if answer is not None and not answer.done():
            answer.set_exception(error)
