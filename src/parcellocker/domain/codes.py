"""Pickup codes: drawn from `secrets`, kept only as HMAC-SHA256(locker code key, code).

Each locker has its own code key, derived from the server's key for the purpose `locker_code_key_purpose(locker
id)`. The server hashes with it, and gives it to that locker's terminal so that the terminal can check codes while
the server is unreachable; the server's key itself never leaves the server, and a terminal's key is good for its
own locker's codes only."""

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


def locker_code_key_purpose(locker_id: str) -> str:
    """What the server's key is derived for to give the code key of one locker."""
    return f"pickup-code:{locker_id}"


def hash_pickup_code(locker_key: bytes, code: str) -> str:
    """The hash kept of `code`, with the code key of its locker."""
    return hmac.new(locker_key, code.encode(), hashlib.sha256).hexdigest()


def normalise_entered_code(text: str) -> str:
    """What a person typed, without spaces or dashes; refuses anything but 6-8 ASCII digits."""
    code = text.replace(" ", "").replace("-", "")
    if not (code.isascii() and code.isdigit()) or not MIN_CODE_LENGTH <= len(code) <= MAX_CODE_LENGTH:
        raise InvalidInput(f"a pickup code is {MIN_CODE_LENGTH} to {MAX_CODE_LENGTH} digits")
    return code


def same_hash(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
