"""The extension link's token: the shipment and the deadline it extends, signed; anything else is refused."""

from datetime import UTC, datetime, timedelta

import pytest

from parcellocker.security.extension_links import issue_extension_token, read_extension_token
from parcellocker.security.keys import ServerKeys

KEYS = ServerKeys.from_secret(bytes(range(32)))
KEY = KEYS.derive("extension-link")
DEADLINE = datetime(2025, 3, 6, 8, 0, tzinfo=UTC)


def test_a_token_names_the_shipment_and_the_deadline_it_extends() -> None:
    claim = read_extension_token(KEY, issue_extension_token(KEY, "shipment-1", DEADLINE))
    assert claim is not None
    assert (claim.shipment_id, claim.deadline_time) == ("shipment-1", DEADLINE)
    assert claim.is_for(DEADLINE) and not claim.is_for(DEADLINE + timedelta(hours=48)) and not claim.is_for(None)
    assert not claim.deadline_passed(DEADLINE - timedelta(seconds=1)) and claim.deadline_passed(DEADLINE)


def test_a_token_made_with_another_key_is_refused() -> None:
    other = ServerKeys.from_secret(bytes(range(1, 33))).derive("extension-link")
    assert read_extension_token(KEY, issue_extension_token(other, "shipment-1", DEADLINE)) is None
    assert read_extension_token(KEYS.derive("session-token"), issue_extension_token(KEY, "s", DEADLINE)) is None


@pytest.mark.parametrize("change", ["body", "signature", "prefix"])
def test_a_changed_token_is_refused(change: str) -> None:
    prefix, body, signature = issue_extension_token(KEY, "shipment-1", DEADLINE).split(".")
    other_body = issue_extension_token(KEY, "shipment-2", DEADLINE).split(".")[1]
    forged = {
        "body": f"{prefix}.{other_body}.{signature}",
        "signature": f"{prefix}.{body}.{signature[:-2]}AA",
        "prefix": f"pls.{body}.{signature}",
    }[change]
    assert read_extension_token(KEY, forged) is None


@pytest.mark.parametrize("junk", ["", "plx", "plx..", "plx.é.ü", "x" * 600, "plx.bm90IGpzb24.c2ln"])
def test_junk_is_refused_without_an_error(junk: str) -> None:
    assert read_extension_token(KEY, junk) is None
