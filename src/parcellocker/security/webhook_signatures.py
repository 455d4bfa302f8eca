"""Signing carriers' webhooks: HMAC-SHA256 over `<timestamp>.<body>` with the carrier's secret (as Stripe does).

The request carries the time it was signed (`Parcellocker-Timestamp`, Unix seconds) and the signature
(`Parcellocker-Signature: v1=<hex>`; more than one `v1=` may follow, comma-separated, should secrets ever overlap).
A receiver recomputes the HMAC with its copy of the secret, compares in constant time, and refuses a timestamp
too far from its own clock, so that a recorded request cannot be replayed later. docs/webhooks.md shows a
receiver's side in a few lines of standard-library Python.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

TIMESTAMP_HEADER = "Parcellocker-Timestamp"
SIGNATURE_HEADER = "Parcellocker-Signature"
EVENT_ID_HEADER = "Parcellocker-Event-Id"
SCHEME = "v1"
SECRET_PREFIX = "whsec_"
DEFAULT_TOLERANCE_SECONDS = 300


class SignatureMismatch(Exception):
    """A webhook request whose signature or timestamp does not check out; its text says which."""


def new_webhook_secret() -> str:
    """A carrier's signing secret: 256 random bits, shown to the carrier once."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of `<timestamp>.<body>`, keyed with the secret's UTF-8 bytes."""
    signed = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signature_headers(secret: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {TIMESTAMP_HEADER: str(timestamp), SIGNATURE_HEADER: f"{SCHEME}={signature(secret, timestamp, body)}"}


def verify(
    secret: str,
    body: bytes,
    timestamp_header: str | None,
    signature_header: str | None,
    *,
    now: float,
    tolerance: float = DEFAULT_TOLERANCE_SECONDS,
) -> int:
    """Check a received webhook; returns its timestamp, or raises SignatureMismatch. `now` is Unix seconds."""
    if not timestamp_header or not timestamp_header.strip().isdigit():
        raise SignatureMismatch(f"the {TIMESTAMP_HEADER} header is missing or not whole Unix seconds")
    timestamp = int(timestamp_header.strip())
    if abs(now - timestamp) > tolerance:
        raise SignatureMismatch(f"the timestamp is more than {tolerance:.0f} s away from now: a replay, or a clock off")
    offered = [
        value.strip()
        for scheme, _, value in (part.strip().partition("=") for part in (signature_header or "").split(","))
        if scheme == SCHEME
    ]
    if not offered:
        raise SignatureMismatch(f"the {SIGNATURE_HEADER} header holds no {SCHEME}= signature")
    expected = signature(secret, timestamp, body).encode()
    if not any(hmac.compare_digest(expected, candidate.encode()) for candidate in offered):
        raise SignatureMismatch("the signature does not match the body and timestamp with this secret")
    return timestamp
