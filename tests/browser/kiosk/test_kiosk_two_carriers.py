"""Two carriers at one locker, at the kiosk's touch screen in Chromium: a courier who leaves the courier screen by the
home link is signed out, so the next courier finds the sign-in, never the first one's parcels to collect; that next
courier, of the other carrier, sees none of the first carrier's parcels, is told "unknown parcel" for one of them, and
their own parcel opens a door of their carrier's share."""

from __future__ import annotations

import re
import uuid
from typing import Any

from kiosk_rigs import KIOSK_VIEWPORT, Kiosk, ready, scan, sign_in_courier, store_a_parcel_nobody_collects
from playwright.async_api import expect

SECOND_PIN = "3141"


async def second_carrier(kiosk: Kiosk) -> tuple[str, str]:
    """Another carrier with a courier, whose share of the locker is S door 9: (its API key, its courier's id)."""
    rig = kiosk.rig
    async with rig.lms.api(rig.lms.operator_token) as operator:
        added = await operator.post("/carriers", json={"name": "Slow Parcels"})
        carrier_id, courier_id = added.json()["id"], f"courier-{uuid.uuid4().hex[:8]}"
        body = {"courier_id": courier_id, "carrier_id": carrier_id, "name": "Ola", "pin": SECOND_PIN}
        assert (await operator.post("/couriers", json=body)).status_code == 201
        shares = f"/lockers/{rig.locker_id}/carrier-shares/{carrier_id}"
        assert (await operator.put(shares, json={"compartments": [9]})).status_code == 200
    return added.json()["api_key"], courier_id


async def announce_for(kiosk: Kiosk, carrier_key: str) -> dict[str, Any]:
    rig = kiosk.rig
    body = {
        "tracking_number": f"SLOW{uuid.uuid4().hex[:8].upper()}",
        "locker_id": rig.locker_id,
        "size": "S",
        "recipient": {"email": f"{uuid.uuid4().hex[:12]}@terminal.example"},
    }
    async with rig.lms.api(carrier_key) as carrier:
        reply = await carrier.post("/shipments", json=body)
    assert reply.status_code == 201, reply.text
    found: dict[str, Any] = reply.json()
    return found


async def test_the_next_courier_never_finds_the_first_signed_in_nor_sees_another_carriers_parcels(
    start_kiosk: Any, new_page: Any
) -> None:
    kiosk: Kiosk = await start_kiosk()
    rig = kiosk.rig
    second_key, second_courier = await second_carrier(kiosk)
    waiting, _ = await store_a_parcel_nobody_collects(rig)  # the first carrier's, expired: on its couriers' list
    first_carriers = await rig.announce("S")
    own = await announce_for(kiosk, second_key)
    page = await new_page(KIOSK_VIEWPORT)
    await page.goto(kiosk.url)

    await sign_in_courier(page, kiosk)
    await expect(page.get_by_test_id("collection-item")).to_have_attribute("data-tracking", waiting["tracking_number"])
    await page.get_by_test_id("home-link").click()  # walks away without finishing
    await ready(page, "home")
    await page.get_by_test_id("home-courier").click()
    await ready(page, "courier")
    await expect(page.get_by_test_id("courier-sign-in-panel")).to_be_visible()
    await expect(page.get_by_test_id("courier-deposits")).to_be_hidden()
    assert await page.evaluate("sessionStorage.getItem('kiosk.courier')") is None

    await page.get_by_test_id("courier-id").fill(second_courier)
    for digit in SECOND_PIN:
        await page.get_by_test_id(f"key-{digit}").click()
    await page.get_by_test_id("courier-sign-in").click()
    await expect(page.get_by_test_id("courier-deposits")).to_be_visible()
    await expect(page.get_by_test_id("collections-empty")).to_be_visible()
    await expect(page.get_by_test_id("collection-item")).to_have_count(0)

    told = page.get_by_test_id("error-message")
    await scan(page, first_carriers["tracking_number"])
    await expect(told).to_have_attribute("data-error-code", "not_found")
    await expect(told).to_have_attribute("data-detail", re.compile(first_carriers["tracking_number"]))
    theirs_text = await told.inner_text()
    await scan(page, "NO-SUCH-PARCEL-1")
    await expect(told).to_have_attribute("data-detail", re.compile("NO-SUCH-PARCEL-1"))
    await expect(told).to_have_attribute("data-error-code", "not_found")
    assert await told.inner_text() == theirs_text  # the same words as for a number nobody announced
    await scan(page, own["tracking_number"])
    await expect(page.get_by_test_id("deposit-open")).to_have_attribute("data-compartment", "9")
    assert rig.unlocks().get(9) == 1
