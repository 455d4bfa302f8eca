"""Where a carrier's webhooks may go, and when a delivery that failed is tried again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from parcellocker.domain.errors import InvalidInput
from parcellocker.domain.webhooks import RetrySchedule, check_webhook_url, is_private_host

AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    "url",
    ["https://hooks.example.com/parcellocker", "http://hooks.example.com:8080/in?carrier=acme", "HTTPS://EX.COM/"],
)
def test_an_http_or_https_url_with_a_host_is_taken(url: str) -> None:
    assert check_webhook_url(f"  {url} ", private_addresses=False) == url


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("ftp://hooks.example.com/in", "starts with https://"),
        ("hooks.example.com/in", "starts with https://"),
        ("javascript:alert(1)", "starts with https://"),
        ("https:///in", "names a host"),
        ("https://user:pass@hooks.example.com/in", "no user name or password"),
        ("https://hooks.example.com/in#part", "no #fragment"),
        ("https://hooks.example.com:99999/in", "port"),
        ("https://hooks.example.com/a b", "without spaces"),
        ("", "1 to 2000 characters"),
        ("https://example.com/" + "a" * 2000, "1 to 2000 characters"),
    ],
)
def test_a_url_that_cannot_be_a_webhook_is_refused_saying_why(url: str, says: str) -> None:
    with pytest.raises(InvalidInput, match=says):
        check_webhook_url(url, private_addresses=True)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/in",
        "http://localhost/in",
        "http://[::1]/in",
        "http://10.1.2.3/in",
        "http://192.168.0.10/in",
        "http://169.254.169.254/latest/meta-data",
        "http://printer.local/in",
        "http://intranet/in",
    ],
)
def test_a_local_or_private_host_is_refused_unless_allowed(url: str) -> None:
    with pytest.raises(InvalidInput, match="local or private address"):
        check_webhook_url(url, private_addresses=False)
    assert check_webhook_url(url, private_addresses=True) == url


def test_public_hosts_are_not_private() -> None:
    assert not is_private_host("hooks.example.com")
    assert not is_private_host("93.184.216.34")
    assert is_private_host("127.0.0.2") and is_private_host("LOCALHOST.") and is_private_host("fd00::1")


def test_the_pause_doubles_after_each_failure_up_to_the_largest() -> None:
    schedule = RetrySchedule(first_delay=timedelta(seconds=5), max_delay=timedelta(minutes=1))
    pauses = [schedule.delay_after(failures).total_seconds() for failures in range(1, 8)]
    assert pauses == [5, 10, 20, 40, 60, 60, 60]
    assert schedule.delay_after(10_000) == timedelta(minutes=1)


def test_a_delivery_is_given_up_when_its_next_try_would_come_too_long_after_the_change() -> None:
    schedule = RetrySchedule(timedelta(seconds=5), timedelta(hours=1), give_up_after=timedelta(hours=3))
    assert schedule.next_attempt(AT, 1, AT) == AT + timedelta(seconds=5)
    assert schedule.next_attempt(AT, 20, AT + timedelta(hours=1)) == AT + timedelta(hours=2)
    assert schedule.next_attempt(AT, 20, AT + timedelta(hours=2, seconds=1)) is None


def test_a_schedule_that_makes_no_sense_is_refused() -> None:
    with pytest.raises(ValueError, match="positive"):
        RetrySchedule(first_delay=timedelta(0))
    with pytest.raises(ValueError, match="largest"):
        RetrySchedule(first_delay=timedelta(minutes=2), max_delay=timedelta(minutes=1))
