"""QR pickup tokens: shipment, locker and expiry signed with Ed25519, checkable offline by a terminal."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

PREFIX = "PLQR1"


@dataclass(frozen=True, slots=True)
class QrClaim:
    shipment_id: str
    locker_id: str
    expires_at: int  # unix seconds


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def issue_qr_token(key: Ed25519PrivateKey, claim: QrClaim) -> str:
    body = _b64(json.dumps({"s": claim.shipment_id, "l": claim.locker_id, "e": claim.expires_at}).encode())
    return f"{PREFIX}.{body}.{_b64(key.sign(body.encode()))}"


def looks_like_qr_token(text: str) -> bool:
    return text.startswith(PREFIX + ".")


def read_qr_token(key: Ed25519PublicKey, token: str, now: datetime) -> QrClaim | None:
    """The claim if the signature holds and it has not expired, else None."""
    parts = token.strip().split(".")
    if len(parts) != 3 or parts[0] != PREFIX:
        return None
    try:
        key.verify(_unb64(parts[2]), parts[1].encode())
        payload = json.loads(_unb64(parts[1]))
        claim = QrClaim(str(payload["s"]), str(payload["l"]), int(payload["e"]))
    except (InvalidSignature, ValueError, KeyError, TypeError):
        return None
    return claim if claim.expires_at > now.timestamp() else None
