"""Pickup terms: the server's, a locker's and a carrier's, setting by setting (carrier over locker over server)."""

from datetime import timedelta

import pytest

from parcellocker.domain.errors import InvalidInput
from parcellocker.domain.pickup_policy import PickupPolicy, PickupTerms, pickup_terms

HOUR = timedelta(hours=1)
SERVER = PickupTerms(pickup_window=72 * HOUR, extension=48 * HOUR, reminder_before=24 * HOUR)


def test_without_policies_the_servers_terms_hold() -> None:
    assert pickup_terms(SERVER) == SERVER
    assert pickup_terms(SERVER, locker=PickupPolicy(), carrier=PickupPolicy()) == SERVER


def test_a_lockers_policy_overrides_the_server_setting_by_setting() -> None:
    terms = pickup_terms(SERVER, locker=PickupPolicy(pickup_window=48 * HOUR))
    assert terms == PickupTerms(48 * HOUR, 48 * HOUR, 24 * HOUR)


def test_a_carriers_policy_overrides_the_lockers_where_it_sets_something() -> None:
    locker = PickupPolicy(pickup_window=48 * HOUR, extension=24 * HOUR)
    carrier = PickupPolicy(pickup_window=7 * 24 * HOUR, reminder_before=12 * HOUR)
    terms = pickup_terms(SERVER, locker=locker, carrier=carrier)
    assert terms == PickupTerms(pickup_window=7 * 24 * HOUR, extension=24 * HOUR, reminder_before=12 * HOUR)


@pytest.mark.parametrize(
    ("policy", "message"),
    [
        (dict(pickup_window=timedelta(0)), "at least one second"),
        (dict(extension=-HOUR), "at least one second"),
        (dict(pickup_window=61 * 24 * HOUR), "60 days at most"),
        (dict(extension=31 * 24 * HOUR), "30 days at most"),
        (dict(pickup_window=24 * HOUR, reminder_before=24 * HOUR), "reminder must come before the deadline"),
    ],
)
def test_a_policy_out_of_bounds_is_refused_with_the_reason(policy: dict[str, timedelta], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        PickupPolicy(**policy)


def test_a_reminder_lead_longer_than_a_window_set_elsewhere_is_allowed_and_gives_no_reminder() -> None:
    """A carrier's lead of 30 h with a locker's 24 h window: the parcel gets no reminder, not an error."""
    terms = pickup_terms(
        SERVER, locker=PickupPolicy(pickup_window=24 * HOUR), carrier=PickupPolicy(reminder_before=30 * HOUR)
    )
    assert (terms.pickup_window, terms.reminder_before) == (24 * HOUR, 30 * HOUR)
