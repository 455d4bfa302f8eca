from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from parcellocker.security.keys import ServerKeys
from parcellocker.security.qr_tokens import QrClaim, _b64, _unb64, issue_qr_token, looks_like_qr_token, read_qr_token

NOW = datetime(2025, 3, 3, 8, 0, tzinfo=UTC)
KEYS = ServerKeys.from_secret(bytes(range(32)))
CLAIM = QrClaim("shipment-1", "LOCKER-1", int((NOW + timedelta(hours=72)).timestamp()))


def test_a_token_carries_its_claim_to_anyone_with_the_public_key() -> None:
    token = issue_qr_token(KEYS.signing_key, CLAIM)
    assert looks_like_qr_token(token)
    assert read_qr_token(KEYS.verify_key, token, NOW) == CLAIM
    assert read_qr_token(KEYS.verify_key, f"  {token}\n", NOW) == CLAIM


def test_a_token_is_refused_from_its_expiry_on() -> None:
    token = issue_qr_token(KEYS.signing_key, CLAIM)
    expiry = datetime.fromtimestamp(CLAIM.expires_at, UTC)
    assert read_qr_token(KEYS.verify_key, token, expiry - timedelta(seconds=1)) == CLAIM
    assert read_qr_token(KEYS.verify_key, token, expiry) is None


def test_a_token_signed_with_another_key_is_refused() -> None:
    forged = issue_qr_token(Ed25519PrivateKey.generate(), CLAIM)
    assert read_qr_token(KEYS.verify_key, forged, NOW) is None


def test_a_token_whose_claim_was_changed_is_refused() -> None:
    prefix, body, signature = issue_qr_token(KEYS.signing_key, CLAIM).split(".")
    other = _b64(_unb64(body).replace(b"shipment-1", b"shipment-2"))
    assert read_qr_token(KEYS.verify_key, f"{prefix}.{other}.{signature}", NOW) is None


def test_a_token_with_a_changed_signature_is_refused() -> None:
    prefix, body, signature = issue_qr_token(KEYS.signing_key, CLAIM).split(".")
    flipped = _b64(bytes([_unb64(signature)[0] ^ 1]) + _unb64(signature)[1:])
    assert read_qr_token(KEYS.verify_key, f"{prefix}.{body}.{flipped}", NOW) is None


@pytest.mark.parametrize(
    "junk",
    ["", "PLQR1", "PLQR1..", "PLQR1.a.b", "PLQR2.a.b", "PLQR1.a.b.c", "PLQR1.!!!.###", "PLQR1.é.é"],
)
def test_malformed_tokens_are_refused_without_an_error(junk: str) -> None:
    assert read_qr_token(KEYS.verify_key, junk, NOW) is None


def test_a_signed_body_that_is_not_a_claim_is_refused() -> None:
    for payload in (b"[1, 2]", b'{"s": "x"}', b"not json", b'{"s": "x", "l": "y", "e": "soon"}'):
        body = _b64(payload)
        token = f"PLQR1.{body}.{_b64(KEYS.signing_key.sign(body.encode()))}"
        assert read_qr_token(KEYS.verify_key, token, NOW) is None


def test_only_text_with_the_prefix_looks_like_a_token() -> None:
    assert not looks_like_qr_token("123456")
    assert not looks_like_qr_token("PLQR1")
