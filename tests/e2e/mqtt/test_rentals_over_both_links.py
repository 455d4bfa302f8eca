"""Renting through the terminal's real link clients, over HTTP and over MQTT, against the running server: the offer,
a free walk-up rental, its code opening again, a wrong code with the tries left, and the last opening."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from e2e.conftest import Locker, Site
from e2e.mqtt.conftest import BROKER, TOPIC_ROOT
from parcellocker.adapters.mqtt.topics import BrokerAddress
from parcellocker.terminal.link.http import HttpLink
from parcellocker.terminal.link.mqtt import MqttLink
from parcellocker.terminal.link.port import LinkRefused

FREE = {"per_hour": 0, "per_day": 0, "max_minutes": 24 * 60}


@pytest.fixture(params=["http", "mqtt"])
async def rental_link(request: pytest.FixtureRequest, site: Site) -> AsyncIterator[tuple[Locker, HttpLink | MqttLink]]:
    locker = site.new_locker()
    operator = site.operator()
    terms = {"currency": "PLN", "prices": {"S": FREE, "M": FREE}, "overdue": "staff_collection"}
    assert operator.put(f"/lockers/{locker.id}/rental-terms", json=terms).status_code == 200
    assert operator.post(f"/lockers/{locker.id}/compartment-use", json={"use": "rental", "numbers": [3, 4]}).is_success
    key = locker.terminal.headers["Authorization"].removeprefix("Bearer ")
    link: HttpLink | MqttLink
    if request.param == "http":
        link = HttpLink(site.server.base_url, locker.id, key)
    else:
        link = MqttLink(BrokerAddress.parse(BROKER), locker.id, topic_root=TOPIC_ROOT)
    try:
        yield locker, link
    finally:
        await link.close()


async def test_a_free_rental_is_made_opened_again_and_emptied_through_the_link(
    site: Site, rental_link: tuple[Locker, HttpLink | MqttLink]
) -> None:
    locker, link = rental_link
    offer = await link.rental_offer()
    assert (offer.currency, offer.overdue, [s.size for s in offer.sizes]) == ("PLN", "staff_collection", ["M"])
    assert offer.sizes[0].free == 2 and offer.sizes[0].durations[0].price == 0

    rented = await link.rent("M", 120, "prepaid", phone="+48 600 100 200", language="pl")
    assert rented.code is not None and rented.payment is None and rented.compartment == 3
    site.door(locker, 3, "open")
    site.door(locker, 3, "closed")

    again = await link.open_rental(rented.code)
    assert (again.compartment, again.last) == (3, False)
    site.door(locker, 3, "open")
    site.door(locker, 3, "closed")
    with pytest.raises(LinkRefused) as wrong:
        await link.open_rental("9" + rented.code[1:] if rented.code[0] != "9" else "1" + rented.code[1:])
    assert (wrong.value.status, wrong.value.code, wrong.value.details["remaining_tries"]) == (
        404,
        "rental_code_not_found",
        4,
    )

    last = await link.open_rental_last(rented.code)
    assert (last.compartment, last.last) == (3, True)
    site.door(locker, 3, "open")
    assert site.door(locker, 3, "closed")["outcome"] == "rental_ended"
    with pytest.raises(LinkRefused) as ended:
        await link.open_rental(rented.code)
    assert ended.value.status == 404
    assert site.operator().get("/alarms", params={"locker_id": locker.id}).json() == []
