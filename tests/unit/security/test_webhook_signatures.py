"""Signing and verifying carriers' webhooks: HMAC-SHA256 over `<timestamp>.<body>` with the carrier's secret."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from parcellocker.security.webhook_signatures import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    SignatureMismatch,
    new_webhook_secret,
    signature,
    signature_headers,
    verify,
)

SECRET = "whsec_test-secret-0123456789"
BODY = b'{"event_id":"e-1","to_state":"stored"}'
AT = 1_767_000_000


def test_the_signature_is_the_hmac_sha256_of_timestamp_dot_body_keyed_with_the_secret() -> None:
    expected = hmac.new(SECRET.encode(), f"{AT}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert signature(SECRET, AT, BODY) == expected
    assert signature_headers(SECRET, AT, BODY) == {TIMESTAMP_HEADER: str(AT), SIGNATURE_HEADER: f"v1={expected}"}


def test_a_signed_request_verifies_and_gives_its_timestamp() -> None:
    headers = signature_headers(SECRET, AT, BODY)
    assert verify(SECRET, BODY, headers[TIMESTAMP_HEADER], headers[SIGNATURE_HEADER], now=AT + 10) == AT


@pytest.mark.parametrize(
    ("secret", "body", "timestamp"),
    [
        ("whsec_another-carriers-secret", BODY, AT),  # signed with someone else's secret
        (SECRET, BODY + b" ", AT),  # the body changed on the way
        (SECRET, BODY, AT + 1),  # the timestamp changed on the way
    ],
)
def test_anything_changed_fails_verification(secret: str, body: bytes, timestamp: int) -> None:
    headers = signature_headers(SECRET, AT, BODY)
    with pytest.raises(SignatureMismatch, match="does not match"):
        verify(secret, body, str(timestamp), headers[SIGNATURE_HEADER], now=AT)


def test_a_request_older_or_newer_than_the_tolerance_is_refused_as_a_replay() -> None:
    headers = signature_headers(SECRET, AT, BODY)
    for now in (AT + 301, AT - 301):
        with pytest.raises(SignatureMismatch, match="away from now"):
            verify(SECRET, BODY, headers[TIMESTAMP_HEADER], headers[SIGNATURE_HEADER], now=now)
    assert verify(SECRET, BODY, headers[TIMESTAMP_HEADER], headers[SIGNATURE_HEADER], now=AT + 900, tolerance=900)


@pytest.mark.parametrize("timestamp", [None, "", "soon", "-5", "1.5"])
def test_a_missing_or_malformed_timestamp_is_refused(timestamp: str | None) -> None:
    with pytest.raises(SignatureMismatch, match="Timestamp header"):
        verify(SECRET, BODY, timestamp, signature_headers(SECRET, AT, BODY)[SIGNATURE_HEADER], now=AT)


@pytest.mark.parametrize("header", [None, "", "v0=abc", "sha256=abc", "v1"])
def test_a_signature_header_without_a_v1_signature_is_refused(header: str | None) -> None:
    with pytest.raises(SignatureMismatch):
        verify(SECRET, BODY, str(AT), header, now=AT)


def test_any_one_matching_v1_signature_of_several_verifies() -> None:
    good = signature(SECRET, AT, BODY)
    header = f"v1={'0' * 64}, v1={good}"
    assert verify(SECRET, BODY, str(AT), header, now=AT) == AT
    with pytest.raises(SignatureMismatch):
        verify(SECRET, BODY, str(AT), "v1=é" + good[2:], now=AT)  # not even ASCII: refused, not an error


def test_every_secret_is_new_long_and_marked() -> None:
    secrets = {new_webhook_secret() for _ in range(50)}
    assert len(secrets) == 50
    assert all(secret.startswith("whsec_") and len(secret) >= 6 + 43 for secret in secrets)
