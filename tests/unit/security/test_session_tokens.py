import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest

from parcellocker.domain.accounts import Principal, Role
from parcellocker.security.session_tokens import _b64, _unb64, issue_session_token, read_session_token

NOW = datetime(2025, 3, 3, 8, 0, tzinfo=UTC)
KEY = b"s" * 32
COURIER = Principal(Role.COURIER, "kuba", carrier_id="fast")
TTL = timedelta(hours=12)


@pytest.mark.parametrize(
    "principal",
    [COURIER, Principal(Role.OPERATOR, "anna"), Principal(Role.TERMINAL, "terminal-L", locker_id="L")],
)
def test_a_token_names_the_principal_it_was_issued_to(principal: Principal) -> None:
    token = issue_session_token(KEY, principal, NOW, TTL)
    assert token.startswith("pls.")
    assert read_session_token(KEY, token, NOW + TTL - timedelta(seconds=1)) == principal


def test_a_token_is_refused_from_its_expiry_on() -> None:
    token = issue_session_token(KEY, COURIER, NOW, TTL)
    assert read_session_token(KEY, token, NOW + TTL) is None


def test_a_token_made_with_another_key_is_refused() -> None:
    forged = issue_session_token(b"x" * 32, COURIER, NOW, TTL)
    assert read_session_token(KEY, forged, NOW) is None


def test_a_token_whose_role_was_changed_is_refused() -> None:
    prefix, body, signature = issue_session_token(KEY, COURIER, NOW, TTL).split(".")
    promoted = _b64(_unb64(body).replace(b'"courier"', b'"operator"'))
    assert read_session_token(KEY, f"{prefix}.{promoted}.{signature}", NOW) is None


def test_a_token_whose_expiry_was_pushed_back_is_refused() -> None:
    prefix, body, signature = issue_session_token(KEY, COURIER, NOW, TTL).split(".")
    expiry = str(int((NOW + TTL).timestamp())).encode()
    later = _b64(_unb64(body).replace(expiry, str(int((NOW + TTL * 100).timestamp())).encode()))
    assert read_session_token(KEY, f"{prefix}.{later}.{signature}", NOW + TTL * 2) is None


@pytest.mark.parametrize(
    "junk", ["", "pls", "pls..", "pls.a.b", "plx.a.b", "pls.a.b.c", "pls.é.é", "pls.abc.ñandú", "pls.\x00.\x00"]
)
def test_malformed_tokens_are_refused_without_an_error(junk: str) -> None:
    assert read_session_token(KEY, junk, NOW) is None


def test_a_properly_signed_body_that_is_not_a_principal_is_refused() -> None:
    for payload in (b"[]", b'{"r": "king", "i": "x", "e": 9999999999}', b'{"r": "courier"}', b"\xff"):
        body = _b64(payload)
        signature = _b64(hmac.new(KEY, body.encode(), hashlib.sha256).digest())
        assert read_session_token(KEY, f"pls.{body}.{signature}", NOW) is None
