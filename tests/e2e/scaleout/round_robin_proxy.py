"""A tiny HTTP balancer for the scale-out tests: an aiohttp reverse proxy on loopback that sends each request to the
next server process in turn and says, as a balancer terminating TLS would, whom it forwards for (X-Forwarded-For,
-Proto, -Host). It connects to the servers from `source` (another loopback address than the test's own, 127.0.0.1),
so that the servers can be told to believe it and not the test."""

from __future__ import annotations

import socket
from collections import Counter

import aiohttp
from aiohttp import web
from multidict import CIMultiDict

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-connection"}
"""Headers of one connection, not passed on (and Host, Content-Length: aiohttp sets its own)."""


class RoundRobinProxy:
    def __init__(self, upstreams: list[str], *, source: str = "127.0.0.2", proto: str = "https") -> None:
        self.upstreams = upstreams
        self.source = source
        self.proto = proto
        self.served = Counter[str]()
        self.port = 0
        self._turn = 0
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def __aenter__(self) -> RoundRobinProxy:
        connector = aiohttp.TCPConnector(local_addr=(self.source, 0))
        self._session = aiohttp.ClientSession(connector=connector, auto_decompress=False)
        app = web.Application()
        app.router.add_route("*", "/{path:.*}", self._forward)
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
        if self._session is not None:
            await self._session.close()

    async def _forward(self, request: web.Request) -> web.Response:
        assert self._session is not None
        upstream = self.upstreams[self._turn % len(self.upstreams)]
        self._turn += 1
        self.served[upstream] += 1
        headers = CIMultiDict(
            (name, value) for name, value in request.headers.items()
            if name.lower() not in HOP_BY_HOP | {"host", "content-length"}
        )  # fmt: skip
        headers["X-Forwarded-For"] = request.remote or ""
        headers["X-Forwarded-Proto"] = self.proto
        headers["X-Forwarded-Host"] = request.host
        body = await request.read()
        async with self._session.request(
            request.method, upstream + request.path_qs, headers=headers, data=body, allow_redirects=False
        ) as answer:
            content = await answer.read()
            passed = CIMultiDict(
                (name, value) for name, value in answer.headers.items()
                if name.lower() not in HOP_BY_HOP | {"content-length"}
            )  # fmt: skip
            return web.Response(status=answer.status, body=content, headers=passed)
