"""Short-lived bearer tokens for signed-in couriers and operators: HMAC-signed, nothing stored."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import datetime, timedelta

from parcellocker.domain.accounts import Principal, Role

PREFIX = "pls"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def issue_session_token(key: bytes, principal: Principal, now: datetime, ttl: timedelta) -> str:
    payload = {
        "r": principal.role.value,
        "i": principal.id,
        "c": principal.carrier_id,
        "l": principal.locker_id,
        "e": int((now + ttl).timestamp()),
    }
    body = _b64(json.dumps(payload, separators=(",", ":")).encode())
    signature = _b64(hmac.new(key, body.encode(), hashlib.sha256).digest())
    return f"{PREFIX}.{body}.{signature}"


def read_session_token(key: bytes, token: str, now: datetime) -> Principal | None:
    """The principal the token was issued to, or None if it is forged, malformed or expired."""
    parts = token.split(".")
    if len(parts) != 3 or parts[0] != PREFIX:
        return None
    body, signature = parts[1], parts[2]
    expected = _b64(hmac.new(key, body.encode(), hashlib.sha256).digest())
    if not hmac.compare_digest(expected.encode(), signature.encode()):  # bytes: junk may be non-ASCII
        return None
    try:
        payload = json.loads(_unb64(body))
        if int(payload["e"]) <= now.timestamp():
            return None
        return Principal(Role(payload["r"]), str(payload["i"]), payload.get("c"), payload.get("l"))
    except (ValueError, KeyError, TypeError):
        return None
