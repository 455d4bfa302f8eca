"""The kiosk in a real browser, against a real server and a terminal process on an emulated bus: a courier
deposits two parcels through the touch screen (one of them does not fit its first compartment), then each
recipient picks theirs up, one with the code on the keypad, the other by holding the QR code to the scanner. An
operator watches the locker's grid on the dashboard in a second page: it follows every door event, never reloaded."""

from __future__ import annotations

from typing import Any

from kiosk_rigs import (
    KIOSK_VIEWPORT,
    DashboardWatch,
    Kiosk,
    scan,
    sign_in_courier,
    store_a_parcel_nobody_collects,
    type_code,
)
from playwright.async_api import expect
from terminal_rigs import eventually


async def test_a_courier_deposits_two_parcels_and_the_recipients_pick_them_up_by_code_and_by_scanner(
    start_kiosk: Any, new_page: Any, screenshot: Any
) -> None:
    kiosk: Kiosk = await start_kiosk()
    rig = kiosk.rig
    waiting, waiting_in = await store_a_parcel_nobody_collects(rig)  # the server's scheduler expires it
    small, medium = await rig.announce("S"), await rig.announce("M")
    dashboard = await DashboardWatch.open(await new_page(), rig)
    page = await new_page(KIOSK_VIEWPORT)
    await page.goto(kiosk.url)
    await expect(page.get_by_test_id("home-pickup")).to_be_visible()
    await screenshot(page, "kiosk-home")

    # The courier scans their card on the home screen, types the PIN, and sees what waits to be collected.
    await sign_in_courier(page, kiosk)
    collect = page.get_by_test_id("collection-item")
    await expect(collect).to_have_count(1)
    await expect(collect).to_have_attribute("data-tracking", waiting["tracking_number"])
    await expect(collect).to_have_attribute("data-compartment", str(waiting_in))
    await expect(collect).to_have_attribute("data-state", "expired")
    await expect(page.get_by_test_id("collections-note")).to_be_visible()

    # The first parcel is scanned: a fitting compartment opens; the courier shuts it with the emulator's panel.
    await scan(page, small["tracking_number"])
    opened = page.get_by_test_id("deposit-open")
    await expect(opened).to_have_attribute("data-tracking", small["tracking_number"])
    first = int(await opened.get_attribute("data-compartment") or 0)
    assert rig.unlocks().get(first) == 1
    await expect(page.locator(f'[data-testid="cabinet-door-{first}"].lit')).to_have_count(1)
    await dashboard.shows(first, state="reserved", door="open")
    await page.get_by_test_id(f"emulator-door-{first}-close").click()
    await expect(page.locator(f'[data-testid="deposit-item"][data-compartment="{first}"]')).to_have_attribute(
        "data-status", "stored"
    )
    await dashboard.shows(first, state="occupied", door="closed")

    # The second is typed; it does not fit its M compartment, and the next size up opens.
    await page.get_by_test_id("tracking-number").fill(medium["tracking_number"])
    await page.get_by_test_id("deposit-submit").click()
    await expect(opened).to_have_attribute("data-tracking", medium["tracking_number"])
    tried = int(await opened.get_attribute("data-compartment") or 0)
    assert 11 <= tried <= 16  # an M compartment
    await page.get_by_test_id("problem-does-not-fit").click()
    await expect(opened).not_to_have_attribute("data-compartment", str(tried))
    second = int(await opened.get_attribute("data-compartment") or 0)
    assert second in (17, 18)  # an L one
    await expect(page.get_by_test_id(f"emulator-door-{second}")).to_have_attribute("data-door", "open")
    await screenshot(page, "kiosk-courier")
    await dashboard.shows(second, state="reserved", door="open")
    rig.close_door(tried)
    rig.close_door(second)
    await expect(page.locator(f'[data-testid="deposit-item"][data-compartment="{second}"]')).to_have_attribute(
        "data-status", "stored"
    )
    await dashboard.shows(tried, state="free", door="closed")
    await dashboard.shows(second, state="occupied", door="closed")

    await page.get_by_test_id("courier-finish").click()
    await expect(page.get_by_test_id("summary-deposited")).to_have_text("2")
    await expect(page.get_by_test_id("summary-problems")).to_have_text("1")
    await page.get_by_test_id("courier-sign-out").click()
    await expect(page.get_by_test_id("home-pickup")).to_be_visible()
    for shipment in (small, medium):
        await eventually(lambda shipment=shipment: rig.shipment_state(shipment["id"]), "stored")

    # The first recipient types the code from their message on the keypad.
    code = (await rig.message(small))["code"]
    await page.get_by_test_id("home-pickup").click()
    await type_code(page, code)
    await expect(page.get_by_test_id("code-display")).to_have_text(code)
    await screenshot(page, "kiosk-pickup-keypad")
    await page.get_by_test_id("key-ok").click()
    heading = page.get_by_test_id("compartment-open")
    await expect(heading).to_have_attribute("data-compartment", str(first))
    await expect(heading).to_have_text(f"Compartment {first} is open")
    await expect(page.locator(f'[data-testid="cabinet-door-{first}"].lit')).to_have_count(1)
    await expect(page.get_by_test_id(f"emulator-door-{first}")).to_have_attribute("data-door", "open")
    await dashboard.shows(first, state="occupied", door="open")
    await screenshot(page, "kiosk-compartment-open")
    assert rig.unlocks()[first] == 2

    # They close the door, remember something left inside, and have it opened again within the 30 s.
    await page.get_by_test_id(f"emulator-door-{first}-close").click()
    await expect(page.get_by_test_id("reopen-button")).to_be_visible()
    await eventually(lambda: rig.shipment_state(small["id"]), "picked_up")
    await dashboard.shows(first, state="free", door="closed")
    await page.get_by_test_id("reopen-button").click()
    await eventually(lambda: _unlocks(kiosk, first), 3)
    rig.close_door(first)
    await page.get_by_test_id("done").click()

    # The second recipient holds the QR code of their message to the scanner, on the home screen.
    qr_token = (await rig.message(medium))["qr_token"]
    await expect(page.get_by_test_id("home-pickup")).to_be_visible()
    await scan(page, qr_token)
    await expect(page.get_by_test_id("compartment-open")).to_have_attribute("data-compartment", str(second))
    assert rig.unlocks()[second] == 2
    await dashboard.shows(second, state="occupied", door="open")
    rig.close_door(second)
    await eventually(lambda: rig.shipment_state(medium["id"]), "picked_up")
    await dashboard.shows(second, state="free", door="closed")
    alarms = await rig.alarms()  # doors are left open past the rig's 1 s now and then; none was forced
    assert [alarm for alarm in alarms if alarm["kind"] == "forced_door"] == []


async def _unlocks(kiosk: Kiosk, number: int) -> int:
    return kiosk.rig.unlocks().get(number, 0)
