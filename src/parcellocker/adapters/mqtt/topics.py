"""The topics of the link over MQTT (DESIGN §6) and where the broker is. Every topic of a locker is under
`{root}/lockers/{locker_id}/`, the root being `parcellocker/v1` unless a deployment sharing its broker with others
sets its own; the server and the terminal both name them from here.

- `commands` server → terminal: a command queued for the terminal (open a compartment, sync codes, set config).
- `events`   terminal → server: one event of the terminal's outbox, with its `seq`.
- `acks`     server → terminal: the receipt of an event, by `seq` (or why it was refused).
- `status`   terminal (and the broker, as its last will) → server: `online` / `offline`, retained.
- `requests` terminal → server, `replies` server → terminal: what the kiosk needs an answer to (pickups,
  deposits, a courier's sign-in), the greeting, the code sheet and the commands' acknowledgements, matched by `id`.
"""

from __future__ import annotations

import hashlib
import re
import socket
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

DEFAULT_ROOT = "parcellocker/v1"
COMMANDS = "commands"
EVENTS = "events"
ACKS = "acks"
STATUS = "status"
REQUESTS = "requests"
REPLIES = "replies"
ONLINE = b"online"
OFFLINE = b"offline"
SERVER_GROUP = "parcellocker-server"
"""The shared-subscription group of the server's processes: each event or request reaches one of them."""
DEFAULT_PORT = 1883
MAX_PAYLOAD = 64 * 1024
"""Larger messages on a locker's topics are ignored."""
NO_DELAY = ((socket.IPPROTO_TCP, socket.TCP_NODELAY, 1),)
"""Socket options of both ends: without TCP_NODELAY a small message may wait for the peer's delayed ACK (~40 ms on
Linux) behind the one before it (Nagle's algorithm), which is most of a pickup's time online."""

_LOCKER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")


def terminal_client_id(root: str, locker_id: str) -> str:
    """The MQTT client id of a locker's terminal: one per locker and topic root. The broker lets one connection hold
    a client id, so two deployments sharing a broker under different roots must not share ids, or their terminals of
    the same locker id would throw each other off in turn (each time with an offline last will)."""
    if root == DEFAULT_ROOT:
        return f"parcellocker-terminal-{locker_id}"
    return f"parcellocker-terminal-{hashlib.sha256(root.encode()).hexdigest()[:12]}-{locker_id}"


def shared(topic_filter: str) -> str:
    """`topic_filter` as a subscription shared by the server's processes."""
    return f"$share/{SERVER_GROUP}/{topic_filter}"


@dataclass(frozen=True, slots=True)
class Topics:
    """The topics under one root."""

    root: str = DEFAULT_ROOT

    def __post_init__(self) -> None:
        levels = self.root.split("/")
        if not self.root or any(not level or "+" in level or "#" in level for level in levels):
            raise ValueError("a topic root is levels separated by /, without wildcards, e.g. parcellocker/v1")

    def locker(self, locker_id: str, leaf: str) -> str:
        return f"{self.root}/lockers/{locker_id}/{leaf}"

    def every_locker(self, leaf: str) -> str:
        """The filter matching `leaf` of every locker."""
        return f"{self.root}/lockers/+/{leaf}"

    def locker_of(self, topic: str, leaf: str) -> str | None:
        """The locker id of a topic `…/lockers/{id}/{leaf}`, or None when the topic is not one (or the id is not a
        locker id)."""
        head, _, locker_id = topic.removesuffix(f"/{leaf}").rpartition("/")
        if head != f"{self.root}/lockers" or not topic.endswith(f"/{leaf}") or not _LOCKER_ID.match(locker_id):
            return None
        return locker_id


@dataclass(frozen=True, slots=True)
class BrokerAddress:
    host: str
    port: int = DEFAULT_PORT
    username: str | None = None
    password: str | None = None

    @classmethod
    def parse(cls, url: str) -> BrokerAddress:
        """`mqtt://[user[:password]@]host[:port]`; raises ValueError for anything else."""
        parts = urlsplit(url)
        if parts.scheme != "mqtt" or not parts.hostname:
            raise ValueError("the broker is mqtt://host[:port] (with user:password@ before the host if it asks)")
        if parts.path not in ("", "/") or parts.query or parts.fragment:
            raise ValueError("the broker's URL names a host and a port only")
        try:
            port = parts.port or DEFAULT_PORT
        except ValueError:
            raise ValueError("the broker's port is a number from 1 to 65535") from None
        username = unquote(parts.username) if parts.username else None
        password = unquote(parts.password) if parts.password else None
        return cls(parts.hostname, port, username, password)

    def __str__(self) -> str:
        return f"mqtt://{self.host}:{self.port}"
