"""Pickup codes: drawn from `secrets`, kept only as HMAC-SHA256(server key, locker id + code)."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from parcellocker.domain.errors import InvalidInput

DEFAULT_CODE_LENGTH = 6
MIN_CODE_LENGTH = 6
MAX_CODE_LENGTH = 8


def generate_pickup_code(length: int = DEFAULT_CODE_LENGTH) -> str:
    if not MIN_CODE_LENGTH <= length <= MAX_CODE_LENGTH:
        raise InvalidInput(f"pickup codes are {MIN_CODE_LENGTH} to {MAX_CODE_LENGTH} digits long")
    return f"{secrets.randbelow(10**length):0{length}d}"


def hash_pickup_code(key: bytes, locker_id: str, code: str) -> str:
    message = f"{locker_id}\x00{code}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def normalise_entered_code(text: str) -> str:
    """What a person typed, without spaces or dashes; refuses anything but 6-8 ASCII digits."""
    code = text.replace(" ", "").replace("-", "")
    if not (code.isascii() and code.isdigit()) or not MIN_CODE_LENGTH <= len(code) <= MAX_CODE_LENGTH:
        raise InvalidInput(f"a pickup code is {MIN_CODE_LENGTH} to {MAX_CODE_LENGTH} digits")
    return code


def same_hash(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
