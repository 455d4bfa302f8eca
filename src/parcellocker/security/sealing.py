"""Sealing a notification's secrets (the pickup code) until it is sent: AES-GCM with a derived key."""

from __future__ import annotations

import base64
import json
import os
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM


def seal(key: bytes, payload: dict[str, Any]) -> str:
    nonce = os.urandom(12)
    data = AESGCM(key).encrypt(nonce, json.dumps(payload).encode(), None)
    return base64.urlsafe_b64encode(nonce + data).decode()


def unseal(key: bytes, sealed: str) -> dict[str, Any]:
    raw = base64.urlsafe_b64decode(sealed.encode())
    payload: dict[str, Any] = json.loads(AESGCM(key).decrypt(raw[:12], raw[12:], None))
    return payload
