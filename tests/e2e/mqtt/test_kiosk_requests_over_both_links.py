"""What the kiosk newly asks of the server, through the terminal's real link clients over HTTP and over MQTT: a
deposit at reachable height, the couriers' list of parcels to collect, and reopening after a pickup."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from e2e.conftest import COURIER_PIN, Locker, Site
from e2e.mqtt.conftest import BROKER, TOPIC_ROOT
from parcellocker.adapters.mqtt.topics import BrokerAddress
from parcellocker.terminal.link.http import HttpLink
from parcellocker.terminal.link.mqtt import MqttLink
from parcellocker.terminal.link.port import Link, LinkRefused


@pytest.fixture(params=["http", "mqtt"])
async def link_of(request: pytest.FixtureRequest, site: Site) -> AsyncIterator[tuple[Locker, Link]]:
    locker = site.new_locker()
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


async def test_a_courier_deposits_asking_for_reach_and_sees_no_parcels_to_collect_yet(
    site: Site, link_of: tuple[Locker, Link]
) -> None:
    locker, link = link_of
    token = await link.sign_in_courier(site.server.seeded.courier_id, COURIER_PIN)
    shipment = site.announce(locker.id, "S")

    opened = await link.deposit(token, shipment["tracking_number"], reachable=True)

    assert opened.tracking_number == shipment["tracking_number"]
    assert await link.parcels_to_collect(token) == []
    with pytest.raises(LinkRefused) as refused:
        await link.parcels_to_collect(site.server.seeded.carrier_key)  # a carrier is no courier
    assert refused.value.status == 403


async def test_the_compartment_of_a_pickup_just_closed_opens_again_without_a_forced_door_alarm(
    site: Site, link_of: tuple[Locker, Link]
) -> None:
    locker, link = link_of
    shipment, number = site.store(locker)
    code = site.message_to(shipment["recipient"]["email"])["code"]
    picked = await link.pick_up(code=code)
    site.door(locker, number, "open")
    assert site.door(locker, number, "closed")["outcome"] == "parcel_picked_up"

    await link.reopen_after_pickup(shipment["id"], picked.compartment)

    assert site.door(locker, number, "open")["outcome"] == "recorded"
    with pytest.raises(LinkRefused) as refused:  # open now: not again until it has closed
        await link.reopen_after_pickup(shipment["id"], picked.compartment)
    assert (refused.value.status, refused.value.code) == (409, "reopen_refused")
    assert site.door(locker, number, "closed")["outcome"] == "recorded"
    alarms = site.operator().get("/alarms", params={"locker_id": locker.id}).json()
    assert alarms == []
