import secrets
from collections import Counter

import pytest

from parcellocker.domain.codes import (
    generate_pickup_code,
    hash_pickup_code,
    locker_code_key_purpose,
    normalise_entered_code,
    same_hash,
)
from parcellocker.domain.errors import InvalidInput
from parcellocker.security.keys import ServerKeys

KEY = b"k" * 32


@pytest.mark.parametrize("length", [6, 7, 8])
def test_a_code_has_the_asked_number_of_digits(length: int) -> None:
    for _ in range(200):
        code = generate_pickup_code(length)
        assert len(code) == length
        assert code.isascii() and code.isdigit()


def test_six_digits_is_the_default() -> None:
    assert len(generate_pickup_code()) == 6


@pytest.mark.parametrize("length", [0, 4, 5, 9])
def test_codes_shorter_than_six_or_longer_than_eight_digits_are_refused(length: int) -> None:
    with pytest.raises(InvalidInput):
        generate_pickup_code(length)


def test_codes_come_from_the_secrets_module(monkeypatch: pytest.MonkeyPatch) -> None:
    drawn: list[int] = []

    def randbelow(n: int) -> int:
        drawn.append(n)
        return 42

    monkeypatch.setattr(secrets, "randbelow", randbelow)
    assert generate_pickup_code(6) == "000042"
    assert drawn == [10**6]


def test_codes_spread_evenly_over_the_digits() -> None:
    draws = [generate_pickup_code(6) for _ in range(5000)]
    assert len(set(draws)) > 4950  # 5000 draws from a million: a handful of repeats at most
    for position in range(6):
        counts = Counter(code[position] for code in draws)
        assert set(counts) == set("0123456789")
        # Each digit is expected 500 times per position; a fair source stays well inside 380..620.
        assert all(380 <= n <= 620 for n in counts.values()), counts


def test_the_hash_is_an_hmac_that_depends_on_key_and_code() -> None:
    base = hash_pickup_code(KEY, "123456")
    assert len(base) == 64 and base == hash_pickup_code(KEY, "123456")
    assert hash_pickup_code(b"j" * 32, "123456") != base
    assert hash_pickup_code(KEY, "123457") != base
    assert "123456" not in base


def test_each_locker_hashes_with_its_own_key_derived_from_the_server_key() -> None:
    keys = ServerKeys.from_secret(bytes(range(32)))
    first, other = (keys.derive(locker_code_key_purpose(locker)) for locker in ("L-1", "L-12"))
    assert first != other and first != keys.derive("pickup-code")
    assert hash_pickup_code(first, "234567") != hash_pickup_code(other, "234567")


@pytest.mark.parametrize(("typed", "code"), [("123456", "123456"), ("123 456", "123456"), ("12-34-56-78", "12345678")])
def test_spaces_and_dashes_a_person_types_are_ignored(typed: str, code: str) -> None:
    assert normalise_entered_code(typed) == code


@pytest.mark.parametrize(
    "junk",
    ["", "12345", "123456789", "12345a", "abcdef", "12.3456", "١٢٣٤٥٦", "¹²³⁴⁵⁶", "１２３４５６", "123456\n"],
)
def test_anything_that_cannot_be_a_code_is_refused(junk: str) -> None:
    with pytest.raises(InvalidInput, match="6 to 8 digits"):
        normalise_entered_code(junk)


def test_hashes_are_compared_whole() -> None:
    digest = hash_pickup_code(KEY, "123456")
    assert same_hash(digest, digest)
    assert not same_hash(digest, digest[:-1] + ("0" if digest[-1] != "0" else "1"))
    assert not same_hash(digest, digest[:10])
