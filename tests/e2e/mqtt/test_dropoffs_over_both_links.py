"""The link calls of sending from a locker and of collecting, through the terminal's real link clients over HTTP and
over MQTT (the server's bridge): a sender's code opens a compartment and "does not fit" another, the door events
travel the same link, a courier collects the parcel with one call, and the refusals arrive as the API says them."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from e2e.conftest import COURIER_PIN, Locker, Site
from e2e.mqtt.conftest import BROKER, TOPIC_ROOT
from parcellocker.adapters.mqtt.topics import BrokerAddress
from parcellocker.terminal.link.http import HttpLink
from parcellocker.terminal.link.mqtt import MqttLink
from parcellocker.terminal.link.port import EventKind, Link, LinkRefused, OutboxEvent


@pytest.fixture(params=["http", "mqtt"])
async def locker_link(request: pytest.FixtureRequest, site: Site) -> AsyncIterator[tuple[Locker, Link]]:
    """A locker S 1-2, M 3 with its terminal's link of the kind asked for."""
    locker = site.new_locker("S:2,M:1")
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


def issue(site: Site, locker_id: str, kind: str = "send") -> tuple[dict[str, object], str]:
    """A parcel to send announced by the carrier, and the drop-off code its sender was e-mailed."""
    sender = f"{uuid.uuid4().hex[:12]}@sender.example"
    body = {"tracking_number": f"SND{uuid.uuid4().hex[:10].upper()}", "locker_id": locker_id, "size": "S"}
    reply = site.carrier().post("/dropoffs", json={**body, "sender": {"email": sender}, "kind": kind})
    assert reply.status_code == 201, reply.text
    return reply.json(), site.message_to(sender)["code"]


async def door(link: Link, site: Site, compartment: int, state: str) -> str:
    body = {"compartment": compartment, "state": state}
    event = OutboxEvent(site.next_seq(), EventKind.DOOR, datetime.now(UTC), body)
    return (await link.send_event(event)).outcome


async def test_a_parcel_dropped_off_and_collected_through_the_link(
    site: Site, locker_link: tuple[Locker, Link]
) -> None:
    locker, link = locker_link
    shipment, code = issue(site, locker.id, "return")
    first = await link.drop_off(code, reachable=True)
    assert first.tracking_number == shipment["tracking_number"] and first.compartment in (1, 2)
    bigger = await link.report_dropoff_problem(code, "does_not_fit")
    assert bigger.compartment == 3
    assert await door(link, site, 3, "open") == "recorded"
    assert await door(link, site, 3, "closed") == "parcel_dropped_off"
    assert site.carrier().get(f"/shipments/{shipment['id']}").json()["state"] == "dropped_off"

    token = await link.sign_in_courier(site.server.seeded.courier_id, COURIER_PIN)
    [listed] = await link.parcels_to_collect(token)
    assert (listed.tracking_number, listed.compartment, listed.state, listed.kind) == (
        shipment["tracking_number"],
        3,
        "dropped_off",
        "return",
    )
    opened = await link.collect(token, shipment["tracking_number"])
    assert (opened.compartment, opened.shipment_id) == (3, shipment["id"])
    assert await door(link, site, 3, "closed") == "parcel_collected"
    assert await link.parcels_to_collect(token) == []
    assert site.carrier().get(f"/shipments/{shipment['id']}").json()["state"] == "collected"


async def test_refusals_come_back_through_the_link_as_the_api_says_them(
    site: Site, locker_link: tuple[Locker, Link]
) -> None:
    locker, link = locker_link
    shipment, code = issue(site, locker.id)
    wrong = next(c for c in ("000000", "111111") if c != code)
    with pytest.raises(LinkRefused) as told:
        await link.drop_off(wrong)
    assert (told.value.status, told.value.code, told.value.details) == (
        404,
        "dropoff_code_not_found",
        {"remaining_tries": 4},
    )
    with pytest.raises(LinkRefused) as problem:
        await link.report_dropoff_problem(code, "does_not_fit")  # nothing open for it yet
    assert (problem.value.status, problem.value.code) == (409, "conflict")
    assert "type its drop-off code first" in problem.value.message

    token = await link.sign_in_courier(site.server.seeded.courier_id, COURIER_PIN)
    with pytest.raises(LinkRefused) as early:
        await link.collect(token, str(shipment["tracking_number"]))  # not in the locker yet
    assert (early.value.status, early.value.code) == (409, "illegal_transition")
    with pytest.raises(LinkRefused) as unknown:
        await link.collect(token, "NO-SUCH-PARCEL")
    assert (unknown.value.status, unknown.value.code) == (404, "not_found")
    with pytest.raises(LinkRefused) as not_signed_in:
        await link.collect("not-a-token", str(shipment["tracking_number"]))
    assert not_signed_in.value.status == 401

    for _ in range(3):
        with pytest.raises(LinkRefused):
            await link.drop_off(wrong)
    with pytest.raises(LinkRefused) as locked:
        await link.pick_up(code=wrong)  # the fifth wrong code, a pickup's: the same lockout
    assert (locked.value.status, locked.value.code) == (429, "locked_out")
    assert locked.value.details["retry_after_seconds"] > 0
