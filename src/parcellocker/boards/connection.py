"""Open the transport a bus URL names."""

from __future__ import annotations

from urllib.parse import urlsplit

from parcellocker.boards.port import Transport
from parcellocker.boards.serial_transport import SerialTransport
from parcellocker.boards.tcp_transport import TcpTransport


async def open_transport(url: str, *, baudrate: int, default_tcp_port: int | None = None) -> Transport:
    """`tcp://host[:port]` opens an asyncio TCP connection; anything else (/dev/ttyUSB0, a pty path,
    socket://host:port, rfc2217://...) goes to pyserial at `baudrate` 8N1."""
    if not url.startswith("tcp://"):
        return await SerialTransport.open(url, baudrate=baudrate)
    parts = urlsplit(url)
    port = parts.port or default_tcp_port
    if parts.hostname is None or port is None:
        raise ValueError(f"{url!r} needs a host and a port")
    return await TcpTransport.open(parts.hostname, port)
