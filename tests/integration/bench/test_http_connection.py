"""The benchmark's lean HTTP connection against a real HTTP server on 127.0.0.1, on asyncio's loop and on uvloop
(which the benchmark runs on): keep-alive, connections opened again when closed or idle, chunked bodies, errors
and timeouts; and through LockerApiClient, the same requests as over aiohttp."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import orjson
import pytest
import uvloop

from parcellocker.aiohttp_transport import AiohttpTransport
from parcellocker.api_client import ApiError, LockerApiClient
from parcellocker.bench.http_connection import HttpConnection, HttpConnectionError, HttpConnectionPool

ERROR_BODY = {"error": {"code": "compartment_taken", "message": "compartment 3 holds a parcel"}}


@dataclass
class ScriptedServer:
    """An HTTP/1.1 server whose answer depends on the path: /echo (the request as JSON), /chunked, /refused (409 in
    the API's error shape), /close (Connection: close), /break (closes halfway through the body), /silent (never
    answers). It closes connections idle for `idle_close` seconds, as uvicorn does after 5 s."""

    idle_close: float = 60.0
    connections: int = 0
    paths: list[str] = field(default_factory=list)
    port: int = 0

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), self.idle_close)
                request_line, *lines = head.decode("latin-1").split("\r\n")[:-2]
                method, path, _ = request_line.split(" ")
                headers = dict(line.split(": ", 1) for line in lines)
                body = await reader.readexactly(int(headers.get("Content-Length", "0")))
                self.paths.append(path)
                if not await self._answer(writer, method, path.split("?")[0], headers, body):
                    break
        except (TimeoutError, asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def _answer(
        self, writer: asyncio.StreamWriter, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> bool:
        """Answer one request; False when the connection is to be closed."""
        if path == "/silent":
            await asyncio.sleep(3600)
        if path == "/chunked":
            chunks = [b'{"parts": [', b'"one", ', b'"two"', b"]}"]
            encoded = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for chunk in chunks) + b"0\r\n\r\n"
            writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n")
            for part in (encoded[:7], encoded[7:20], encoded[20:]):  # chunk boundaries fall anywhere in the reads
                writer.write(part)
                await writer.drain()
            return True
        status, payload = {"/refused": (409, ERROR_BODY)}.get(path, (200, {}))
        if path in ("/echo", "/close", "/break"):
            payload = {"method": method, "path": path, "headers": headers, "body": body.decode()}
        content = orjson.dumps(payload)
        close = b"Connection: close\r\n" if path == "/close" else b""
        writer.write(b"HTTP/1.1 %d X\r\nContent-Length: %d\r\n%s\r\n" % (status, len(content), close))
        writer.write(content[:10] if path == "/break" else content)
        await writer.drain()
        return path not in ("/close", "/break")


Scenario = Callable[[ScriptedServer], Coroutine[Any, Any, None]]


def on_both_loops(scenario: Scenario) -> Callable[[Callable[[Coroutine[Any, Any, None]], None]], None]:
    """A test that plays `scenario` against a fresh ScriptedServer on asyncio's loop and on uvloop's (whose
    transports and timers differ: the benchmark runs on uvloop, the demo on asyncio)."""

    @pytest.mark.parametrize("run", [asyncio.run, uvloop.run], ids=["asyncio", "uvloop"])
    def test(run: Callable[[Coroutine[Any, Any, None]], None]) -> None:
        run(_against_server(scenario))

    test.__name__, test.__doc__ = scenario.__name__, scenario.__doc__
    return test


async def _against_server(scenario: Scenario) -> None:
    server = ScriptedServer()
    listening = await asyncio.start_server(server.serve, "127.0.0.1", 0)
    server.port = listening.sockets[0].getsockname()[1]
    async with listening:
        await scenario(server)
        listening.close()


def url_of(server: ScriptedServer) -> str:
    return f"http://127.0.0.1:{server.port}"


def connection_to(server: ScriptedServer, **options: float) -> HttpConnection:
    return HttpConnection.to(url_of(server), **options)


@on_both_loops
async def test_requests_in_turn_share_one_connection(server: ScriptedServer) -> None:
    async with connection_to(server) as connection:
        for number in range(3):
            status, body = await connection.request("POST", f"/echo?n={number}", b"{}", {"X-Number": str(number)})
            assert status == 200 and orjson.loads(body)["headers"]["X-Number"] == str(number)
    assert connection.opened == 1 and server.connections == 1


@on_both_loops
async def test_the_request_is_the_one_aiohttp_sends(server: ScriptedServer) -> None:
    """Method, path, body and the headers that matter (aiohttp adds Accept, Accept-Encoding and User-Agent)."""
    url = f"http://127.0.0.1:{server.port}"
    async with aiohttp.ClientSession(url) as session, connection_to(server) as connection:
        requests = []
        for transport in (AiohttpTransport(session), connection):
            carrier = LockerApiClient(transport, "carrier-key")
            requests.append(await carrier.post("/echo", {"tracking_number": "T1", "size": "S"}))
            requests.append(await carrier.get("/echo"))
    kept = ("Host", "Authorization", "Content-Type", "Content-Length")
    for request in requests:
        request["headers"] = {name: value for name, value in request["headers"].items() if name in kept}
    assert requests[2:] == requests[:2]
    assert requests[0]["headers"] == {
        "Host": f"127.0.0.1:{server.port}", "Authorization": "Bearer carrier-key",
        "Content-Type": "application/json", "Content-Length": "35",
    }  # fmt: skip
    assert requests[0]["body"] == '{"tracking_number":"T1","size":"S"}'
    assert requests[1]["method"] == "GET" and requests[1]["headers"] == {
        "Host": f"127.0.0.1:{server.port}",
        "Authorization": "Bearer carrier-key",
    }


@on_both_loops
async def test_a_connection_the_server_closed_while_idle_is_opened_again(server: ScriptedServer) -> None:
    server.idle_close = 0.1
    async with connection_to(server) as connection:
        await connection.request("GET", "/echo", None, {})
        await asyncio.sleep(0.3)  # the server has closed it: seen before the next request, not by its failure
        status, _ = await connection.request("GET", "/echo", None, {})
    assert status == 200 and connection.opened == 2 and server.connections == 2


@on_both_loops
async def test_a_connection_idle_longer_than_its_limit_is_not_reused(server: ScriptedServer) -> None:
    async with connection_to(server, idle_limit=0.05) as connection:
        await connection.request("GET", "/echo", None, {})
        await connection.request("GET", "/echo", None, {})
        await asyncio.sleep(0.1)
        await connection.request("GET", "/echo", None, {})
    assert connection.opened == 2 and server.connections == 2


@on_both_loops
async def test_a_chunked_body_comes_back_whole(server: ScriptedServer) -> None:
    async with connection_to(server) as connection:
        for _ in range(2):
            status, body = await connection.request("GET", "/chunked", None, {})
            assert status == 200 and orjson.loads(body) == {"parts": ["one", "two"]}
    assert connection.opened == 1


@on_both_loops
async def test_after_connection_close_the_next_request_opens_another(server: ScriptedServer) -> None:
    async with connection_to(server) as connection:
        status, body = await connection.request("GET", "/close", None, {})
        assert status == 200 and orjson.loads(body)["path"] == "/close"
        status, _ = await connection.request("GET", "/echo", None, {})
    assert status == 200 and connection.opened == 2


@on_both_loops
async def test_an_unexpected_status_is_an_api_error_with_the_code_and_message_of_the_body(
    server: ScriptedServer,
) -> None:
    async with connection_to(server) as connection:
        terminal = LockerApiClient(connection, "terminal-key")
        with pytest.raises(ApiError) as raised:
            await terminal.post("/refused", {"code": "123456"})
        assert await terminal.post("/echo", {}) is not None  # the connection goes on after an error status
    assert (raised.value.status, raised.value.code) == (409, "compartment_taken")
    assert raised.value.message == "compartment 3 holds a parcel"
    assert connection.opened == 1


@on_both_loops
async def test_a_connection_broken_during_the_response_raises_and_is_not_retried(server: ScriptedServer) -> None:
    async with connection_to(server) as connection:
        with pytest.raises(HttpConnectionError, match="before the response was complete"):
            await connection.request("POST", "/break", b"{}", {})
        status, _ = await connection.request("GET", "/echo", None, {})
    assert server.paths == ["/break", "/echo"] and status == 200


@on_both_loops
async def test_a_response_that_does_not_come_in_time_is_a_timeout(server: ScriptedServer) -> None:
    async with connection_to(server, timeout=0.2) as connection:
        with pytest.raises(TimeoutError):
            await connection.request("GET", "/silent", None, {})
        status, _ = await connection.request("GET", "/echo", None, {})  # on a new connection
    assert status == 200 and connection.opened == 2


@on_both_loops
async def test_each_request_is_given_the_whole_timeout(server: ScriptedServer) -> None:
    """Even when an earlier request on the connection set its timer of deadlines going."""
    async with connection_to(server, timeout=0.3) as connection:
        await connection.request("GET", "/echo", None, {})
        await asyncio.sleep(0.2)
        began = time.monotonic()
        with pytest.raises(TimeoutError):
            await connection.request("GET", "/silent", None, {})
    assert time.monotonic() - began > 0.25


@on_both_loops
async def test_a_server_that_is_not_there_is_a_connection_error(server: ScriptedServer) -> None:
    async with connection_to(server) as connection:
        connection.port = 1  # nothing listens on port 1 of loopback
        with pytest.raises(HttpConnectionError, match="cannot connect"):
            await connection.request("GET", "/echo", None, {})


def test_only_a_plain_http_url_of_a_server_is_taken() -> None:
    assert (HttpConnection.to("http://127.0.0.1:8000").port, HttpConnection.to("http://localhost").port) == (8000, 80)
    for url in ("https://127.0.0.1:8000", "http://127.0.0.1:8000/api", "127.0.0.1:8000"):
        with pytest.raises(ValueError):
            HttpConnection.to(url)


@on_both_loops
async def test_a_pool_lends_the_connection_used_last(server: ScriptedServer) -> None:
    """Clients taking turns share one connection; as many are opened as requests are in flight at once, no more."""
    async with HttpConnectionPool.to(url_of(server)) as pool:
        for number in range(4):
            assert (await pool.request("GET", f"/echo?turn={number}", None, {}))[0] == 200
        assert pool.opened == 1 and server.connections == 1
        answers = await asyncio.gather(*(pool.request("GET", f"/echo?at-once={n}", None, {}) for n in range(3)))
        assert [status for status, _ in answers] == [200, 200, 200]
        assert pool.opened == 3 and server.connections == 3
        for number in range(4):
            await pool.request("GET", f"/echo?again={number}", None, {})
        assert pool.opened == 3


@on_both_loops
async def test_a_pool_reopens_a_connection_that_failed(server: ScriptedServer) -> None:
    """A request that breaks raises and is not sent again; the connection is opened anew for the next one."""
    async with HttpConnectionPool.to(url_of(server)) as pool:
        with pytest.raises(HttpConnectionError):
            await pool.request("GET", "/break", None, {})
        assert (await pool.request("GET", "/echo", None, {}))[0] == 200
    assert pool.opened == 2 and server.paths == ["/break", "/echo"]
