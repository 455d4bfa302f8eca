"""POSTing one signed webhook to a carrier's receiver over HTTP (aiohttp)."""

from __future__ import annotations

import abc
import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver

from parcellocker.domain.webhooks import is_private_host

USER_AGENT = "parcellocker-webhooks/1"
_MAX_ANSWER_BYTES = 64 * 1024  # what is read of a receiver's answer (only to end the exchange cleanly)


class WebhookFailed(Exception):
    """The receiver did not take the webhook (no 2xx answer); its text says why and holds no secret."""


class WebhookSender(abc.ABC):
    timeout: float = 10.0  # seconds an attempt may take at most

    @abc.abstractmethod
    async def post(self, url: str, body: bytes, headers: dict[str, str]) -> None:
        """Deliver `body` to `url` (answered 2xx), or raise WebhookFailed."""

    async def close(self) -> None:  # noqa: B027 - most senders hold nothing
        """Release what it holds (connections)."""


class PublicOnlyResolver(AbstractResolver):
    """Resolves names like the default resolver, but refuses a name that resolves to a loopback, private,
    link-local or otherwise non-public address, so a webhook cannot be pointed at the server's own network."""

    def __init__(self) -> None:
        self._resolver = DefaultResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        found = await self._resolver.resolve(host, port, family)
        if any(not ipaddress.ip_address(result["host"]).is_global for result in found):
            raise OSError(f"{host} resolves to a local or private address")
        return found

    async def close(self) -> None:
        await self._resolver.close()


class HttpWebhookSender(WebhookSender):
    """One connection pool for every receiver; no redirects are followed (a 3xx is a failed delivery)."""

    def __init__(self, *, timeout: float = 10.0, private_addresses: bool = False, connections: int = 50) -> None:
        self.timeout = timeout
        self.private_addresses = private_addresses
        self.connections = connections
        self._session: aiohttp.ClientSession | None = None

    async def post(self, url: str, body: bytes, headers: dict[str, str]) -> None:
        host = urlsplit(url).hostname or ""
        if not self.private_addresses and is_private_host(host):
            raise WebhookFailed(f"{host} is a local or private address, which this server does not send to")
        request_headers = {**headers, "Content-Type": "application/json", "User-Agent": USER_AGENT}
        try:
            async with (
                asyncio.timeout(self.timeout),
                self._open().post(url, data=body, headers=request_headers, allow_redirects=False) as answer,
            ):
                await answer.content.read(_MAX_ANSWER_BYTES)
                status = answer.status
        except TimeoutError:
            raise WebhookFailed(f"the receiver did not answer within {self.timeout:g} s") from None
        except (aiohttp.ClientError, OSError) as error:
            raise WebhookFailed(f"could not reach the receiver ({_reason(error)})") from None
        if not 200 <= status < 300:
            raise WebhookFailed(f"the receiver answered HTTP {status}")

    async def close(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None:
            resolver = None if self.private_addresses else PublicOnlyResolver()
            connector = aiohttp.TCPConnector(limit=self.connections, resolver=resolver)
            self._session = aiohttp.ClientSession(connector=connector)
        return self._session


def _reason(error: BaseException) -> str:
    """What went wrong, in words that hold nothing the receiver said."""
    if isinstance(error, aiohttp.ClientConnectorError):
        return f"cannot connect: {error.os_error.strerror or error.os_error}"
    if isinstance(error, aiohttp.ServerDisconnectedError):
        return "it closed the connection"
    return type(error).__name__
