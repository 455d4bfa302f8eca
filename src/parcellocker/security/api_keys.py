"""API keys of carriers and terminals: long random strings, stored only as their SHA-256."""

from __future__ import annotations

import hashlib
import secrets


def new_api_key(prefix: str) -> str:
    return f"{prefix}_{secrets.token_urlsafe(32)}"


def hash_api_key(key: str) -> str:
    # The keys carry 256 random bits, so a fast hash is enough (no dictionary to guess from).
    return hashlib.sha256(key.encode()).hexdigest()
