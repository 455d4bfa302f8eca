"""The server's keys: an HMAC key for codes and tokens, and an Ed25519 key pair for QR tokens."""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey


@dataclass(frozen=True)
class ServerKeys:
    secret: bytes  # at least 32 random bytes
    signing_key: Ed25519PrivateKey

    @property
    def verify_key(self) -> Ed25519PublicKey:
        return self.signing_key.public_key()

    def derive(self, purpose: str) -> bytes:
        """A separate 32-byte key for one purpose, so no key is used for two things."""
        return hashlib.blake2b(purpose.encode(), key=self.secret[:64], digest_size=32).digest()

    @classmethod
    def from_secret(cls, secret: bytes) -> ServerKeys:
        if len(secret) < 32:
            raise ValueError("the server key must be at least 32 bytes")
        seed = hashlib.blake2b(b"ed25519-qr-signing", key=secret[:64], digest_size=32).digest()
        return cls(secret, Ed25519PrivateKey.from_private_bytes(seed))


def load_or_create_secret(path: Path) -> bytes:
    """Read the server key from `path`, creating it (mode 600) on first use."""
    if path.exists():
        return decode_secret(path.read_text().strip())
    path.parent.mkdir(parents=True, exist_ok=True)
    text = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text + "\n")
    return decode_secret(text)


def decode_secret(text: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(text.encode() + b"=" * (-len(text) % 4))
    except ValueError:
        raw = b""
    if len(raw) < 32:
        raise ValueError("the server key must be base64 of at least 32 random bytes")
    return raw
