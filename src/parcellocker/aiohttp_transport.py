"""The API client's transport over an aiohttp session (api_client.ApiTransport), for the demo and the tools."""

from __future__ import annotations

from collections.abc import Mapping

import aiohttp


class AiohttpTransport:
    """Sends each request through `session` (its base URL, connection pool and timeout); aiohttp's errors pass."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self.session = session

    async def request(
        self, method: str, path: str, body: bytes | None, headers: Mapping[str, str]
    ) -> tuple[int, bytes]:
        async with self.session.request(method, path, data=body, headers=headers) as response:
            return response.status, await response.read()
