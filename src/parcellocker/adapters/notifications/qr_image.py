"""The pickup QR code as a PNG picture, for the e-mail (segno)."""

from __future__ import annotations

import io

import segno

# 6 pixels a module and the 4-module quiet zone the standard asks for: a token (version ~9, 53 modules) makes a
# picture of ~370 px, sharp on a phone held to the locker's scanner, and small (a few kB).
MODULE_PIXELS = 6


def qr_png(token: str) -> bytes:
    """The token as a QR code (error correction M), PNG."""
    picture = io.BytesIO()
    segno.make_qr(token, error="m").save(picture, kind="png", scale=MODULE_PIXELS, border=4)
    return picture.getvalue()
