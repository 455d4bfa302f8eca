"""Renting at the kiosk in a real browser, against a real server and a terminal process on an emulated bus: a
walk-up rental paid by voucher, opened again twice with its code, whose code stops working once it has ended; a
booking made through the API used at the kiosk; and overdue time paid before the last opening."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from kiosk_rigs import KIOSK_VIEWPORT, Kiosk, ready
from playwright.async_api import expect
from rental_kiosk_rigs import (
    company,
    open_rent_screen,
    rental,
    rental_in,
    set_up_rentals,
    time_passes,
    type_on_keypad,
    voucher,
)
from terminal_rigs import eventually


async def _close_on_the_emulator(page: Any, number: int) -> None:
    await expect(page.get_by_test_id(f"emulator-door-{number}")).to_have_attribute("data-door", "open")
    await page.get_by_test_id(f"emulator-door-{number}-close").click()
    await expect(page.get_by_test_id(f"emulator-door-{number}")).to_have_attribute("data-door", "closed")


async def _open_with_code(page: Any, url: str, code: str) -> None:
    await open_rent_screen(page, url)
    await page.get_by_test_id("rent-have-code").click()
    await type_on_keypad(page, code)
    assert len(code) == 8
    await expect(page.get_by_test_id("rent-code-display")).to_have_text(code)
    await page.get_by_test_id("rent-code-open").click()


async def test_a_walk_up_renter_pays_by_voucher_reopens_twice_and_the_code_stops_when_it_has_ended(
    start_kiosk: Any, new_page: Any, screenshot: Any
) -> None:
    kiosk: Kiosk = await start_kiosk()
    rig = kiosk.rig
    await set_up_rentals(rig, "staff_collection")
    prepaid = await voucher(rig, 500)
    page = await new_page(KIOSK_VIEWPORT)
    await open_rent_screen(page, kiosk.url)
    await expect(page.get_by_test_id("rent-start")).to_be_visible()

    # Size S, for 2 hours (4.00 EUR), paid with the voucher typed on the keypad.
    await page.get_by_test_id("rent-new").click()
    await expect(page.get_by_test_id("rent-size-S")).to_contain_text("2 free")
    await expect(page.get_by_test_id("rent-size-M")).to_contain_text("2 free")
    await screenshot(page, "kiosk-rent-size")
    await page.get_by_test_id("rent-size-S").click()
    await page.get_by_test_id("rent-duration-120").click()
    await expect(page.get_by_test_id("rent-summary")).to_have_attribute("data-price", "400")
    await expect(page.get_by_test_id("rent-pay-free")).to_be_hidden()
    await type_on_keypad(page, prepaid)
    await expect(page.get_by_test_id("rent-voucher")).to_have_value(prepaid)
    await page.get_by_test_id("rent-pay-voucher").click()

    # The compartment opens, and the code is shown once.
    heading = page.get_by_test_id("rent-compartment")
    await expect(heading).to_have_attribute("data-mode", "new")
    await expect(heading).to_have_text("Compartment 1 is yours and open")
    code = await page.get_by_test_id("rent-code").get_attribute("data-code") or ""
    assert len(code) == 8
    await expect(page.locator('[data-testid="cabinet-door-1"].lit')).to_have_count(1)
    await expect(page.get_by_test_id("rent-door-state")).to_have_attribute("data-door", "open")
    await screenshot(page, "kiosk-rent-open")
    assert rig.unlocks() == {1: 1}
    await _close_on_the_emulator(page, 1)
    await expect(page.get_by_test_id("rent-door-state")).to_contain_text("Your code opens it again")
    await page.get_by_test_id("rent-done").click()

    # The renter comes back twice: the code opens compartment 1 each time.
    for opening in (2, 3):
        await _open_with_code(page, kiosk.url, code)
        await expect(heading).to_have_attribute("data-mode", "again")
        await expect(heading).to_have_text("Compartment 1 is open")
        await expect(page.get_by_test_id("rent-code-box")).to_be_hidden()  # the code is shown only once
        await eventually(lambda opening=opening: _unlocks(kiosk, 1), opening)
        await _close_on_the_emulator(page, 1)
        await page.get_by_test_id("rent-done").click()
    rented = await rental_in(rig, 1)
    assert rented["state"] == "in_use"

    # Its time passes: the code opens nothing any more, and the contents wait for the staff.
    await time_passes(rig, rented["id"], timedelta(minutes=30))
    await _open_with_code(page, kiosk.url, code)
    error = page.get_by_test_id("error-message")
    await expect(error).to_have_attribute("data-error-code", "rental_ended")
    await expect(error).to_contain_text("The staff keep what was left inside")
    await screenshot(page, "kiosk-rent-ended")
    assert rig.unlocks() == {1: 3}
    assert (await rental(rig, rented["id"]))["state"] == "to_collect"
    alarms = await rig.alarms()
    assert [alarm for alarm in alarms if alarm["kind"] == "forced_door"] == []


async def test_a_booking_made_through_the_api_is_used_at_the_kiosk_and_finished_there(
    start_kiosk: Any, new_page: Any
) -> None:
    kiosk: Kiosk = await start_kiosk()
    rig = kiosk.rig
    await set_up_rentals(rig, "charge")
    key = await company(rig)
    starts = datetime.now(UTC) - timedelta(minutes=1)
    booking = {
        "locker_id": rig.locker_id,
        "size": "M",
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=3)).isoformat(),
        "renter": {"name": "Guest in 12", "email": "guest12@hotel.example"},
    }
    async with httpx.AsyncClient(
        base_url=rig.lms.base_url + "/api/v1", headers={"Authorization": f"Bearer {key}"}
    ) as app:
        reply = await app.post("/rentals", json=booking)
    assert reply.status_code == 201, reply.text
    booked, code = reply.json()["rental"], reply.json()["code"]
    number = booked["compartment"]
    assert number in (11, 12)

    page = await new_page(KIOSK_VIEWPORT)
    await _open_with_code(page, kiosk.url, code)
    heading = page.get_by_test_id("rent-compartment")
    await expect(heading).to_have_attribute("data-compartment", str(number))
    await expect(page.locator(f'[data-testid="cabinet-door-{number}"].lit')).to_have_count(1)
    assert (await rental(rig, booked["id"]))["state"] == "in_use"
    await _close_on_the_emulator(page, number)
    await page.get_by_test_id("rent-done").click()

    # The guest leaves: the last opening, and the rental ends once the door is closed.
    await open_rent_screen(page, kiosk.url)
    await page.get_by_test_id("rent-have-code").click()
    await type_on_keypad(page, code)
    await page.get_by_test_id("rent-code-finish").click()
    await expect(heading).to_have_attribute("data-mode", "last")
    await expect(page.get_by_test_id("rent-until")).to_contain_text("last opening")
    await _close_on_the_emulator(page, number)
    await expect(page.get_by_test_id("rent-door-state")).to_contain_text("your rental has ended")
    await eventually(lambda: _state(kiosk, booked["id"]), "ended")
    assert rig.unlocks() == {number: 2}


async def test_overdue_time_is_paid_by_voucher_before_the_last_opening(start_kiosk: Any, new_page: Any) -> None:
    kiosk: Kiosk = await start_kiosk()
    rig = kiosk.rig
    await set_up_rentals(rig, "charge")
    first, extra = await voucher(rig, 200), await voucher(rig, 1000)
    page = await new_page(KIOSK_VIEWPORT)
    await open_rent_screen(page, kiosk.url)
    await page.get_by_test_id("rent-new").click()
    await page.get_by_test_id("rent-size-S").click()
    await page.get_by_test_id("rent-duration-60").click()
    await type_on_keypad(page, first)
    await page.get_by_test_id("rent-pay-voucher").click()
    await expect(page.get_by_test_id("rent-compartment")).to_have_attribute("data-mode", "new")
    code = await page.get_by_test_id("rent-code").get_attribute("data-code") or ""
    assert len(code) == 8
    await _close_on_the_emulator(page, 1)
    rented = await rental_in(rig, 1)

    await time_passes(rig, rented["id"], timedelta(hours=2, minutes=30))  # 3 started hours overdue: 6.00 EUR
    await _open_with_code(page, kiosk.url, code)
    fee = page.get_by_test_id("rent-overdue-fee")
    await expect(fee).to_have_attribute("data-amount", "600")
    await expect(fee).to_contain_text("150 minutes ago")
    assert rig.unlocks() == {1: 1}
    await ready(page, "rent")
    await page.get_by_test_id("rent-overdue-voucher").click()
    await type_on_keypad(page, extra)
    await page.get_by_test_id("rent-overdue-pay-voucher").click()
    heading = page.get_by_test_id("rent-compartment")
    await expect(heading).to_have_attribute("data-mode", "last")
    await eventually(lambda: _unlocks(kiosk, 1), 2)
    await _close_on_the_emulator(page, 1)
    await eventually(lambda: _state(kiosk, rented["id"]), "ended")
    await expect(page.get_by_test_id("rent-door-state")).to_contain_text("your rental has ended")


async def _unlocks(kiosk: Kiosk, number: int) -> int:
    return kiosk.rig.unlocks().get(number, 0)


async def _state(kiosk: Kiosk, rental_id: str) -> str:
    state: str = (await rental(kiosk.rig, rental_id))["state"]
    return state
