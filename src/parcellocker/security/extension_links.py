"""The link in a recipient's message that extends the pickup deadline: the shipment and the deadline it extends,
signed with HMAC-SHA256 under a key derived for this purpose alone. Nothing is stored: the link is good while
that deadline is the shipment's and has not passed, so it stops working once used."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime

PREFIX = "plx"
KEY_PURPOSE = "extension-link"
MAX_TOKEN_LENGTH = 512


@dataclass(frozen=True, slots=True)
class ExtensionClaim:
    shipment_id: str
    deadline: int
    """The pickup deadline the link extends, unix seconds."""

    def deadline_passed(self, now: datetime) -> bool:
        return now.timestamp() >= self.deadline

    def is_for(self, deadline: datetime | None) -> bool:
        return deadline is not None and int(deadline.timestamp()) == self.deadline

    @property
    def deadline_time(self) -> datetime:
        return datetime.fromtimestamp(self.deadline, UTC)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def issue_extension_token(key: bytes, shipment_id: str, deadline: datetime) -> str:
    body = _b64(json.dumps({"s": shipment_id, "d": int(deadline.timestamp())}, separators=(",", ":")).encode())
    signature = _b64(hmac.new(key, body.encode(), hashlib.sha256).digest())
    return f"{PREFIX}.{body}.{signature}"


def read_extension_token(key: bytes, token: str) -> ExtensionClaim | None:
    """The claim if the signature holds, else None. Whether its deadline passed is for the caller to ask."""
    parts = token.strip().split(".")
    if len(token) > MAX_TOKEN_LENGTH or len(parts) != 3 or parts[0] != PREFIX:
        return None
    expected = _b64(hmac.new(key, parts[1].encode(), hashlib.sha256).digest())
    if not hmac.compare_digest(expected.encode(), parts[2].encode("utf-8", "replace")):
        return None
    try:
        payload = json.loads(_unb64(parts[1]))
        return ExtensionClaim(str(payload["s"]), int(payload["d"]))
    except (ValueError, KeyError, TypeError):
        return None
