"""Sending a parcel and collecting at the kiosk's touch screen in Chromium, against a real server and a terminal
process on an emulated bus: a sender types the drop-off code the carrier had e-mailed them, the parcel does not fit
the first compartment and goes in the next size up; then a courier signs in and collects, with one scan each, the
parcel just sent and a parcel that expired; the summary counts both, and the carrier confirms it has the sent one.
A return (a customer sending a parcel back) takes the same way. The carrier's webhook receiver gets every change
of the parcel, signed, in order."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from kiosk_rigs import KIOSK_VIEWPORT, Kiosk, ready, scan, sign_in_courier, store_a_parcel_nobody_collects
from playwright.async_api import expect
from terminal_rigs import eventually

from webhook_receiver import WebhookReceiver


async def issue_dropoff(kiosk: Kiosk, kind: str = "send") -> dict[str, Any]:
    """The carrier has a drop-off code issued for an S parcel at the kiosk's locker (sent to the sender's e-mail)."""
    rig = kiosk.rig
    body = {
        "tracking_number": f"SEND{uuid.uuid4().hex[:8].upper()}",
        "locker_id": rig.locker_id,
        "size": "S",
        "sender": {"email": f"{uuid.uuid4().hex[:12]}@sender.example", "language": "en"},
        "kind": kind,
    }
    async with rig.lms.api(rig.lms.carrier_key) as carrier:
        reply = await carrier.post("/dropoffs", json=body)
    assert reply.status_code == 201, reply.text
    shipment: dict[str, Any] = reply.json()
    return shipment


async def register_webhook(kiosk: Kiosk, carrier_id: str, receiver: WebhookReceiver) -> str:
    """The kiosk's carrier has its webhook point at `receiver`, with a new secret (the server is shared by the tests of
    this module, and a secret is shown only when it is made); returns it."""
    async with kiosk.rig.lms.api(kiosk.rig.lms.carrier_key) as carrier:
        reply = await carrier.put(f"/carriers/{carrier_id}/webhook", json={"url": receiver.url(), "new_secret": True})
    assert reply.status_code == 200, reply.text
    secret: str = reply.json()["secret"]
    return secret


@pytest.mark.parametrize("kind", ["send", "return"])
async def test_a_sender_drops_a_parcel_off_and_a_courier_collects_it_and_an_expired_one_with_one_scan_each(
    start_kiosk: Any, new_page: Any, screenshot: Any, kind: str
) -> None:
    kiosk: Kiosk = await start_kiosk()
    rig = kiosk.rig
    expired, expired_in = await store_a_parcel_nobody_collects(rig)  # the server's scheduler expires it
    async with WebhookReceiver() as receiver:
        await _send_and_collect(kiosk, new_page, screenshot, kind, receiver, expired, expired_in)


async def _send_and_collect(
    kiosk: Kiosk,
    new_page: Any,
    screenshot: Any,
    kind: str,
    receiver: WebhookReceiver,
    expired: dict[str, Any],
    expired_in: int,
) -> None:
    rig = kiosk.rig
    secret = await register_webhook(kiosk, expired["carrier_id"], receiver)
    sent = await issue_dropoff(kiosk, kind)
    code = (await rig.message(sent))["code"]  # the sender's e-mail (the shipment's contact is the sender)
    page = await new_page(KIOSK_VIEWPORT)
    await page.goto(kiosk.url)

    # The sender touches "Send a parcel" and types the code from their message.
    await ready(page, "home")
    await page.get_by_test_id("home-send").click()
    await ready(page, "send")
    for digit in code:
        await page.get_by_test_id(f"key-{digit}").click()
    await expect(page.get_by_test_id("dropoff-code-display")).to_have_text(code)
    await page.get_by_test_id("dropoff-submit").click()
    heading = page.get_by_test_id("dropoff-open")
    await expect(heading).not_to_have_attribute("data-compartment", "")
    tried = int(await heading.get_attribute("data-compartment") or 0)
    assert 1 <= tried <= 10 and tried != expired_in  # a free S compartment
    await expect(page.get_by_test_id(f"emulator-door-{tried}")).to_have_attribute("data-door", "open")

    # It does not fit: the next size up opens, and the first is free again once its door is shut.
    await page.get_by_test_id("dropoff-does-not-fit").click()
    await expect(heading).not_to_have_attribute("data-compartment", str(tried))
    used = int(await heading.get_attribute("data-compartment") or 0)
    assert 11 <= used <= 16  # an M compartment
    await expect(heading).to_have_text(f"Compartment {used} is open")
    await expect(page.locator(f'[data-testid="cabinet-door-{used}"].lit')).to_have_count(1)
    await expect(page.get_by_test_id("dropoff-state")).to_have_text("Put your parcel in and close the door.")
    await expect(page.get_by_test_id(f"emulator-door-{used}")).to_have_attribute("data-door", "open")
    await screenshot(page, "kiosk-send-parcel")
    rig.close_door(tried)
    await page.get_by_test_id(f"emulator-door-{used}-close").click()
    await expect(page.get_by_test_id("dropoff-state")).to_have_attribute("data-state", "dropped_off")
    await expect(page.get_by_test_id("dropoff-problems")).to_be_hidden()
    await eventually(lambda: rig.shipment_state(sent["id"]), "dropped_off")
    assert (await rig.compartment(used))["state"] == "occupied"
    assert (await rig.compartment(tried))["state"] == "free"
    await page.get_by_test_id("done").click()

    # A courier signs in: the sent parcel and the expired one wait on their list.
    await sign_in_courier(page, kiosk)
    items = page.get_by_test_id("collection-item")
    await expect(items).to_have_count(2)
    sent_item = page.locator(f'[data-testid="collection-item"][data-tracking="{sent["tracking_number"]}"]')
    expired_item = page.locator(f'[data-testid="collection-item"][data-tracking="{expired["tracking_number"]}"]')
    await expect(sent_item).to_have_attribute("data-state", "dropped_off")
    await expect(sent_item).to_have_attribute("data-kind", kind)
    await expect(sent_item).to_have_attribute("data-compartment", str(used))
    await expect(sent_item).to_contain_text({"send": "to send since", "return": "returned"}[kind])
    await expect(expired_item).to_have_attribute("data-state", "expired")
    await expect(page.get_by_test_id("collections-note")).to_contain_text("Scan a parcel of this list")

    # One scan of the sent parcel's label: its door opens; the courier takes it and shuts the door.
    unlocked = rig.unlocks().get(used, 0)
    await scan(page, sent["tracking_number"])
    collecting = page.get_by_test_id("collect-open")
    await expect(collecting).to_have_attribute("data-tracking", sent["tracking_number"])
    await expect(collecting).to_have_attribute("data-compartment", str(used))
    await expect(page.get_by_test_id("deposit-problems")).to_be_hidden()
    assert rig.unlocks()[used] == unlocked + 1
    await expect(sent_item).to_have_attribute("data-status", "open")
    await expect(page.get_by_test_id(f"emulator-door-{used}")).to_have_attribute("data-door", "open")
    await screenshot(page, "kiosk-courier-collect")
    await page.get_by_test_id(f"emulator-door-{used}-close").click()
    await expect(sent_item).to_have_attribute("data-status", "collected")
    closed = f"Compartment {used} is closed: parcel {sent['tracking_number']} is collected."
    await expect(collecting).to_have_text(closed)
    await eventually(lambda: rig.shipment_state(sent["id"]), "collected")

    # And one scan of the expired parcel's label.
    await scan(page, expired["tracking_number"])
    await expect(collecting).to_have_attribute("data-tracking", expired["tracking_number"])
    await expect(expired_item).to_have_attribute("data-status", "open")
    rig.close_door(expired_in)
    await expect(expired_item).to_have_attribute("data-status", "collected")
    await eventually(lambda: rig.shipment_state(expired["id"]), "collected")
    await expect(page.get_by_test_id("collect-button")).to_have_count(0)  # nothing left to collect here
    assert [c["state"] for c in [await rig.compartment(used), await rig.compartment(expired_in)]] == ["free", "free"]

    await page.get_by_test_id("courier-finish").click()
    await expect(page.get_by_test_id("summary-collected")).to_have_text("2")
    await expect(page.get_by_test_id("summary-deposited")).to_have_text("0")
    await expect(page.get_by_test_id("summary-collected-item")).to_have_count(2)
    await page.get_by_test_id("courier-sign-out").click()

    async with rig.lms.api(rig.lms.carrier_key) as carrier:
        handed = await carrier.post(f"/shipments/{sent['id']}/handover")
    assert handed.status_code == 200 and handed.json()["state"] == "handed_to_carrier"

    # The carrier was told of every change of the parcel, signed with its secret, in order.
    def changes(receiver: WebhookReceiver) -> list[str]:
        return [r.event["to_state"] for r in receiver.delivered() if r.event["shipment_id"] == sent["id"]]

    states = ["announced", "dropped_off", "collected", "handed_to_carrier"]
    await receiver.wait_for(lambda receiver: changes(receiver) == states, within=20)
    for received in receiver.delivered():
        received.verify_with(secret)
    alarms = await rig.alarms()
    assert [alarm for alarm in alarms if alarm["kind"] == "forced_door"] == []


async def test_a_wrong_drop_off_code_says_not_found_with_the_tries_left(start_kiosk: Any, new_page: Any) -> None:
    kiosk: Kiosk = await start_kiosk()
    page = await new_page(KIOSK_VIEWPORT)
    await page.goto(f"{kiosk.url}/send")
    await ready(page, "send")
    for digit in "000000":
        await page.get_by_test_id(f"key-{digit}").click()
    await page.get_by_test_id("dropoff-submit").click()
    error = page.get_by_test_id("error-message")
    await expect(error).to_have_attribute("data-error-code", "dropoff_code_not_found")
    await expect(error).to_have_attribute("data-remaining-tries", "4")
    await expect(error).to_contain_text("No parcel to send waits here for this code")
    await expect(page.get_by_test_id("dropoff-code-display")).to_have_text("")
    assert kiosk.rig.unlocks() == {}
