"""Carriers' webhooks: the address a carrier gives to hear of its shipments' changes, and when a delivery that
failed is tried again."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from parcellocker.domain.errors import InvalidInput

MAX_URL_LENGTH = 2000
_LOCAL_NAMES = ("localhost", "localhost.localdomain")
_LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".home.arpa")


@dataclass(frozen=True, slots=True)
class WebhookEndpoint:
    """Where one carrier's webhooks go. Its signing secret is kept apart, sealed (see service/webhooks.py)."""

    carrier_id: str
    url: str
    created_at: datetime
    updated_at: datetime


def check_webhook_url(url: str, *, private_addresses: bool) -> str:
    """`url` as a webhook address (http or https, a host, no credentials), or InvalidInput saying what is wrong.
    Without `private_addresses`, a host on loopback or a private network is refused too."""
    url = url.strip()
    if not url or len(url) > MAX_URL_LENGTH or not url.isprintable() or " " in url:
        raise InvalidInput(f"a webhook URL is 1 to {MAX_URL_LENGTH} characters, without spaces")
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        raise InvalidInput("a webhook URL starts with https:// (or http://)")
    if not parts.hostname:
        raise InvalidInput("a webhook URL names a host, e.g. https://hooks.example.com/parcellocker")
    if parts.username is not None or parts.password is not None:
        raise InvalidInput("a webhook URL holds no user name or password: the signature proves who sends it")
    if parts.fragment:
        raise InvalidInput("a webhook URL has no #fragment: it is never sent to the receiver")
    try:
        parts.port  # noqa: B018 - raises for a port that is not a number from 0 to 65535
    except ValueError:
        raise InvalidInput("the port in the webhook URL is not a number from 1 to 65535") from None
    if not private_addresses and is_private_host(parts.hostname):
        raise InvalidInput(
            f"{parts.hostname} is a local or private address; a webhook goes to a host reachable on the internet"
        )
    return url


def is_private_host(host: str) -> bool:
    """Whether `host` (a name or a literal address) is this machine or a private network, as far as its text
    tells: names are checked again when they are resolved (adapters/webhooks/sender.py)."""
    host = host.strip("[]").rstrip(".").lower()
    try:
        return not ipaddress.ip_address(host).is_global
    except ValueError:
        return host in _LOCAL_NAMES or host.endswith(_LOCAL_SUFFIXES) or "." not in host


@dataclass(frozen=True, slots=True)
class RetrySchedule:
    """After the n-th failed attempt a delivery waits first_delay · 2^(n-1), at most max_delay; it is given up
    when its next attempt would come more than give_up_after after the event."""

    first_delay: timedelta = timedelta(seconds=5)
    max_delay: timedelta = timedelta(hours=1)
    give_up_after: timedelta = timedelta(hours=72)

    def __post_init__(self) -> None:
        if self.first_delay <= timedelta(0) or self.max_delay < self.first_delay:
            raise ValueError("retry delays must be positive, the largest no smaller than the first")

    def delay_after(self, failures: int) -> timedelta:
        if failures < 1:
            raise ValueError("a delay follows a failed attempt: failures is 1 or more")
        # Doubling stops at max_delay; the exponent is bounded so that many failures cannot overflow.
        delay: timedelta = self.first_delay * 2 ** min(failures - 1, 40)
        return min(delay, self.max_delay)

    def next_attempt(self, created_at: datetime, failures: int, now: datetime) -> datetime | None:
        """When to try again after `failures` failed attempts, or None: give up."""
        at = now + self.delay_after(failures)
        return None if at - created_at > self.give_up_after else at
