"""Two carriers at one locker, through the terminal's real link clients over HTTP and over MQTT (the server's bridge):
each courier's deposits keep to the operator's shares, and no courier sees or opens the other carrier's parcels."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from e2e.conftest import COURIER_PIN, Locker, Site
from e2e.mqtt.conftest import BROKER, TOPIC_ROOT
from parcellocker.adapters.mqtt.topics import BrokerAddress
from parcellocker.terminal.link.http import HttpLink
from parcellocker.terminal.link.mqtt import MqttLink
from parcellocker.terminal.link.port import Link, LinkRefused

SECOND_PIN = "7117"


@pytest.fixture(params=["http", "mqtt"])
async def shared_locker(request: pytest.FixtureRequest, site: Site) -> AsyncIterator[tuple[Locker, Link]]:
    """A locker S 1-2, M 3-4 whose door 3 is the seeded carrier's share, with its terminal's link."""
    locker = site.new_locker("S:2,M:2")
    shared = site.operator().put(
        f"/lockers/{locker.id}/carrier-shares/{site.server.seeded.carrier_id}", json={"compartments": [3]}
    )
    assert shared.status_code == 200, shared.text
    key = locker.terminal.headers["Authorization"].removeprefix("Bearer ")
    link: Link
    if request.param == "http":
        link = HttpLink(site.server.base_url, locker.id, key)
    else:
        link = MqttLink(BrokerAddress.parse(BROKER), locker.id, topic_root=TOPIC_ROOT)
    try:
        yield locker, link
    finally:
        await link.close()


def second_carrier(site: Site, locker: Locker) -> tuple[str, str]:
    """Another carrier with a courier, its share door 1 of the locker: (its API key, its courier's id)."""
    operator = site.operator()
    added = operator.post("/carriers", json={"name": "Slow Parcels"})
    assert added.status_code == 201, added.text
    carrier_id, courier_id = added.json()["id"], f"courier-{uuid.uuid4().hex[:8]}"
    body = {"courier_id": courier_id, "carrier_id": carrier_id, "name": "Ola", "pin": SECOND_PIN}
    assert operator.post("/couriers", json=body).status_code == 201
    shared = operator.put(f"/lockers/{locker.id}/carrier-shares/{carrier_id}", json={"compartments": [1]})
    assert shared.status_code == 200, shared.text
    return added.json()["api_key"], courier_id


async def test_each_courier_deposits_into_its_carriers_share_and_cannot_touch_the_others_parcels(
    site: Site, shared_locker: tuple[Locker, Link]
) -> None:
    locker, link = shared_locker
    second_key, second_courier = second_carrier(site, locker)
    first_token = await link.sign_in_courier(site.server.seeded.courier_id, COURIER_PIN)
    second_token = await link.sign_in_courier(second_courier, SECOND_PIN)
    mine = site.announce(locker.id, "S")
    under_way = site.announce(locker.id, "S")
    theirs = site.announce(locker.id, "S", carrier=site.client(second_key))

    assert (await link.deposit(first_token, under_way["tracking_number"])).compartment == 3  # its M, its share
    assert (await link.deposit(second_token, theirs["tracking_number"])).compartment == 1  # its own S

    with pytest.raises(LinkRefused) as scanned:
        await link.deposit(second_token, mine["tracking_number"])
    with pytest.raises(LinkRefused) as unknown:
        await link.deposit(second_token, "NO-SUCH-PARCEL")
    assert (scanned.value.status, unknown.value.status) == (404, 404)
    assert scanned.value.code == unknown.value.code
    assert scanned.value.message.replace(mine["tracking_number"], "X") == unknown.value.message.replace(
        "NO-SUCH-PARCEL", "X"
    )
    with pytest.raises(LinkRefused) as problem:  # the first courier's door, open for its parcel
        await link.report_deposit_problem(second_token, under_way["tracking_number"], "door_did_not_open")
    assert problem.value.status == 404
    assert await link.parcels_to_collect(second_token) == []

    terminal_key = locker.terminal.headers["Authorization"].removeprefix("Bearer ")
    for not_a_courier in (terminal_key, second_key):  # the locker's own key or a carrier's: no courier either
        with pytest.raises(LinkRefused) as refused:
            await link.deposit(not_a_courier, mine["tracking_number"])
        assert refused.value.status == 403

    assert (await link.deposit(first_token, mine["tracking_number"])).compartment == 2  # then the pool's S
    board = site.operator().get(f"/lockers/{locker.id}").json()["compartments"]
    assert [(c["number"], c["state"], c["reserved_for_carrier_id"]) for c in board] == [
        (1, "reserved", board[0]["reserved_for_carrier_id"]),
        (2, "reserved", None),
        (3, "reserved", site.server.seeded.carrier_id),
        (4, "free", None),
    ]
    assert board[0]["reserved_for_carrier_id"] != site.server.seeded.carrier_id
