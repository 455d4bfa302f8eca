import base64

import pytest
from cryptography.exceptions import InvalidTag

from parcellocker.security.api_keys import hash_api_key, new_api_key
from parcellocker.security.keys import ServerKeys, decode_secret
from parcellocker.security.sealing import seal, unseal

KEYS = ServerKeys.from_secret(bytes(range(32)))


def test_each_purpose_gets_its_own_key() -> None:
    purposes = ["pickup-code", "session-token", "notification-seal"]
    derived = {KEYS.derive(purpose) for purpose in purposes}
    assert len(derived) == 3
    assert all(len(key) == 32 for key in derived)
    assert ServerKeys.from_secret(bytes(range(1, 33))).derive("pickup-code") != KEYS.derive("pickup-code")


def test_the_qr_signing_key_follows_from_the_server_secret() -> None:
    again = ServerKeys.from_secret(bytes(range(32)))
    assert again.verify_key.public_bytes_raw() == KEYS.verify_key.public_bytes_raw()


@pytest.mark.parametrize("text", ["", "c2hvcnQ=", "not base64 at all!"])
def test_a_short_or_malformed_server_key_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="at least 32"):
        decode_secret(text)


def test_a_server_key_is_read_from_base64_with_or_without_padding() -> None:
    text = base64.urlsafe_b64encode(bytes(range(32))).decode()
    assert decode_secret(text) == decode_secret(text.rstrip("=")) == bytes(range(32))


def test_a_sealed_payload_opens_only_with_its_key_and_hides_the_code() -> None:
    key = KEYS.derive("notification-seal")
    sealed = seal(key, {"code": "123456"})
    assert "123456" not in sealed and "123456" not in base64.urlsafe_b64decode(sealed).decode("latin-1")
    assert unseal(key, sealed) == {"code": "123456"}
    assert seal(key, {"code": "123456"}) != sealed
    with pytest.raises(InvalidTag):
        unseal(KEYS.derive("pickup-code"), sealed)


def test_api_keys_are_long_random_and_kept_only_as_their_hash() -> None:
    first, second = new_api_key("plk"), new_api_key("plk")
    assert first.startswith("plk_") and len(first) > 40 and first != second
    assert hash_api_key(first) == hash_api_key(first) != hash_api_key(second)
    assert first not in hash_api_key(first)
