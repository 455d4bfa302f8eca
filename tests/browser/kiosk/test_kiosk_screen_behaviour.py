"""The kiosk's screens in a real browser against a real server and terminal: what a person is told when a code is
wrong, the locker makes them wait, or a door will not open; switching languages; going home and the screen saver
after inactivity; accessibility mode; and the scanner, caught only when no field has the focus."""

from __future__ import annotations

import re
from typing import Any

from kiosk_rigs import KIOSK_VIEWPORT, Kiosk, ready, scan, sign_in_courier, type_code
from playwright.async_api import expect
from terminal_rigs import eventually

WRONG = "000000"
A11Y = re.compile(r"(^|\s)a11y(\s|$)")

CONTRAST = """
(element) => {
  const rgb = (text) => text.match(/[\\d.]+/g).slice(0, 4).map(Number);
  const luminance = ([r, g, b]) => {
    const channel = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  };
  let behind = element;
  let background = null;
  while (behind) {
    const color = rgb(getComputedStyle(behind).backgroundColor);
    if (color.length < 4 || color[3] > 0) { background = color; break; }
    behind = behind.parentElement;
  }
  background = background || [255, 255, 255];
  const [a, b] = [luminance(rgb(getComputedStyle(element).color)), luminance(background)];
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}
"""


async def test_wrong_codes_say_how_many_tries_remain_then_the_wait_counts_down(
    start_kiosk: Any, new_page: Any, screenshot: Any
) -> None:
    kiosk: Kiosk = await start_kiosk()
    page = await new_page(KIOSK_VIEWPORT)
    await page.goto(kiosk.url + "/pickup")
    error = page.get_by_test_id("error-message")

    for remaining in (4, 3, 2, 1):
        await type_code(page, WRONG)
        await page.get_by_test_id("key-ok").click()
        await expect(error).to_have_attribute("data-remaining-tries", str(remaining))
        await expect(error).to_contain_text(f"Tries left before a wait: {remaining}")
        await expect(page.get_by_test_id("code-display")).to_have_text("")
        if remaining == 3:
            await screenshot(page, "kiosk-wrong-code")
    assert kiosk.rig.unlocks() == {}

    await type_code(page, WRONG)
    await page.get_by_test_id("key-ok").click()
    countdown = page.get_by_test_id("lockout-countdown")
    await expect(countdown).to_be_visible()
    await expect(countdown).to_contain_text("Please wait")
    first = int(await countdown.get_attribute("data-seconds") or 0)
    assert 50 <= first <= 60  # the server's first wait after 5 wrong codes
    await expect(countdown).not_to_have_attribute("data-seconds", str(first), timeout=3000)  # it counts down live
    await page.get_by_test_id("key-1").click()
    await expect(page.get_by_test_id("code-display")).to_have_text("")  # the keypad waits too
    await expect(page.get_by_test_id("key-ok")).to_be_disabled()


async def test_a_door_that_does_not_open_may_be_tried_again_then_the_help_number_is_given(
    start_kiosk: Any, new_page: Any
) -> None:
    kiosk: Kiosk = await start_kiosk(help_phone="+48 22 100 20 30")
    shipment, number = await kiosk.rig.store("S")
    code = (await kiosk.rig.message(shipment))["code"]
    kiosk.rig.emulator.jam_lock(*kiosk.rig.lock_of(number))
    page = await new_page(KIOSK_VIEWPORT)
    await page.goto(kiosk.url + "/pickup")

    await type_code(page, code)
    await page.get_by_test_id("key-ok").click()
    error = page.get_by_test_id("error-message")
    await expect(error).to_have_attribute("data-error-code", "door_did_not_open")
    await expect(error).to_have_text("The door did not open. Please try once more.")
    await expect(page.get_by_test_id("help-phone")).to_be_hidden()
    await page.get_by_test_id("retry-door").click()
    await expect(error).to_have_text("The door did not open again. Please call for help.")
    await expect(page.get_by_test_id("help-phone")).to_have_text("Call +48 22 100 20 30")
    await expect(page.get_by_test_id("retry-door")).to_be_hidden()

    kiosk.rig.emulator.free_lock(*kiosk.rig.lock_of(number))  # fixed: the same code still opens it
    await page.get_by_test_id("back-home").click()
    await page.get_by_test_id("home-pickup").click()
    await type_code(page, code)
    await page.get_by_test_id("key-ok").click()
    await expect(page.get_by_test_id("compartment-open")).to_have_attribute("data-compartment", str(number))


async def test_the_language_switches_on_every_screen_and_the_kiosk_goes_back_to_its_own_when_idle(
    start_kiosk: Any, new_page: Any, screenshot: Any
) -> None:
    kiosk: Kiosk = await start_kiosk(idle_seconds=4, screensaver_seconds=3)
    page = await new_page(KIOSK_VIEWPORT)
    await page.goto(kiosk.url)
    await expect(page.get_by_test_id("home-pickup")).to_have_text("Pick up a parcel")

    await page.get_by_test_id("lang-pl").click()
    await expect(page.get_by_test_id("home-pickup")).to_have_text("Odbierz paczkę")
    await expect(page.locator("html")).to_have_attribute("lang", "pl")
    await expect(page.get_by_test_id("lang-pl")).to_have_attribute("aria-current", "true")
    await page.get_by_test_id("home-pickup").click()
    await expect(page.get_by_test_id("key-ok")).to_have_text("Otwórz skrytkę")  # the next screen too

    await page.get_by_test_id("lang-de").click()  # on the pickup screen: the same screen, in German
    await expect(page.get_by_test_id("key-ok")).to_have_text("Fach öffnen")
    await type_code(page, WRONG)
    await page.get_by_test_id("key-ok").click()  # the script's texts follow the language too
    await expect(page.get_by_test_id("error-message")).to_contain_text("Verbleibende Versuche bis zur Wartezeit: 4")

    await page.get_by_test_id("lang-zh").click()
    await expect(page.get_by_test_id("key-ok")).to_have_text("打开格口")

    # Nobody touches the screen: home, in the kiosk's own language, then the screen saver.
    await expect(page.get_by_test_id("home-pickup")).to_have_text("Pick up a parcel", timeout=10_000)
    saver = page.get_by_test_id("screensaver")
    await expect(saver).to_be_visible(timeout=10_000)
    await expect(saver).to_contain_text("How to use this locker")
    await screenshot(page, "kiosk-screensaver")
    await saver.click()
    await expect(saver).to_be_hidden()
    await expect(page.get_by_test_id("home-pickup")).to_be_visible()


async def test_accessibility_mode_puts_the_controls_low_and_asks_for_compartments_within_reach(
    start_kiosk: Any, new_page: Any
) -> None:
    kiosk: Kiosk = await start_kiosk()
    page = await new_page(KIOSK_VIEWPORT)
    await page.goto(kiosk.url)
    await ready(page, "home")
    plain_size = await page.locator(".hint").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")

    toggle = page.get_by_test_id("a11y-toggle")
    await toggle.click()
    await expect(toggle).to_have_attribute("aria-pressed", "true")
    await expect(page.locator("body")).to_have_class(A11Y)
    large_size = await page.locator(".hint").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert large_size > plain_size * 1.2
    await controls_are_low_and_on_the_screen(page)
    await page.get_by_test_id("home-pickup").click()
    await ready(page, "pickup")
    await controls_are_low_and_on_the_screen(page)

    # It stays on for the next screen: a courier's deposits ask for a compartment within reach.
    shipment = await kiosk.rig.announce("S")
    await sign_in_courier(page, kiosk)
    await expect(page.locator("body")).to_have_class(A11Y)
    await expect(page.locator("body")).to_have_attribute("data-page", "courier")
    await expect(page.get_by_test_id("reachable-toggle")).to_be_checked()
    async with page.expect_request(lambda request: request.url.endswith("/deposit")) as deposit:
        await scan(page, shipment["tracking_number"])
    assert (await deposit.value).post_data_json["reachable"] is True
    await expect(page.get_by_test_id("deposit-open")).to_have_attribute("data-tracking", shipment["tracking_number"])


async def controls_are_low_and_on_the_screen(page: Any) -> None:
    """Nothing to reach for at the top, and nothing below the screen's edge (no scrolling)."""
    controls = page.locator(".screen a:visible, .screen button:visible")
    boxes = [await controls.nth(i).bounding_box() for i in range(await controls.count())]
    assert boxes and min(box["y"] for box in boxes if box) > KIOSK_VIEWPORT["height"] * 0.15
    assert max(box["y"] + box["height"] for box in boxes if box) <= KIOSK_VIEWPORT["height"]


async def test_the_text_has_at_least_aa_contrast_on_the_main_screens(start_kiosk: Any, new_page: Any) -> None:
    kiosk: Kiosk = await start_kiosk()
    page = await new_page(KIOSK_VIEWPORT)
    await page.goto(kiosk.url)
    checked = ["home-pickup", "home-send", "lang-en", "lang-pl", "a11y-toggle", "emulator-door-1-open"]
    for testid in checked:
        assert await page.get_by_test_id(testid).evaluate(CONTRAST) >= 4.5, testid
    await page.get_by_test_id("home-pickup").click()
    await type_code(page, WRONG)
    await page.get_by_test_id("key-ok").click()
    await expect(page.get_by_test_id("error-message")).to_be_visible()
    for testid in ("key-5", "key-ok", "error-message", "back-home"):
        assert await page.get_by_test_id(testid).evaluate(CONTRAST) >= 4.5, testid
    assert await page.locator(".footer span").first.evaluate(CONTRAST) >= 4.5


async def test_the_scanner_is_heard_only_without_a_focused_field_and_only_when_fast(
    start_kiosk: Any, new_page: Any
) -> None:
    kiosk: Kiosk = await start_kiosk()
    page = await new_page(KIOSK_VIEWPORT)
    await page.goto(kiosk.url)
    await ready(page, "home")

    await page.keyboard.type("PLQR1.typed.slowly", delay=150)  # a person at a keyboard, not a scanner
    await page.keyboard.press("Enter")
    await page.wait_for_timeout(300)
    assert page.url.rstrip("/") == kiosk.url

    await scan(page, "PTY-NOT-A-CODE")
    await expect(page.get_by_test_id("scan-toast")).to_have_text("This code is not a pickup code.")

    await scan(page, f"COURIER:{kiosk.rig.lms.courier_id}")  # a courier's card, on any screen
    await expect(page.get_by_test_id("courier-id")).to_have_value(kiosk.rig.lms.courier_id)
    await expect(page.get_by_test_id("courier-pin")).to_be_focused()
    await page.keyboard.type("PLQR1.into.the.pin")  # typed into the focused field: no pickup
    await page.keyboard.press("Enter")
    await expect(page.get_by_test_id("error-message")).to_have_attribute("data-error-code", "not_authenticated")
    assert "/courier" in page.url
    await eventually(lambda: _no_unlocks(kiosk), True)


async def _no_unlocks(kiosk: Kiosk) -> bool:
    return kiosk.rig.unlocks() == {}


async def test_a_courier_reports_a_door_that_did_not_open_and_is_signed_out_when_idle(
    start_kiosk: Any, new_page: Any
) -> None:
    kiosk: Kiosk = await start_kiosk(courier_idle_seconds=4)
    shipment = await kiosk.rig.announce("S")
    page = await new_page(KIOSK_VIEWPORT)
    await page.goto(kiosk.url)
    await sign_in_courier(page, kiosk)
    await expect(page.get_by_test_id("collections-empty")).to_be_visible()

    await scan(page, shipment["tracking_number"])
    opened = page.get_by_test_id("deposit-open")
    await expect(opened).to_have_attribute("data-tracking", shipment["tracking_number"])
    stuck = int(await opened.get_attribute("data-compartment") or 0)
    await page.get_by_test_id("problem-door-did-not-open").click()
    await expect(opened).not_to_have_attribute("data-compartment", str(stuck))
    assert (await kiosk.rig.compartment(stuck))["state"] == "out_of_order"
    kiosk.rig.close_door(stuck)

    # Nobody touches the screen for the courier's 4 s here (2 minutes by default): signed out, back home.
    await expect(page.get_by_test_id("home-pickup")).to_be_visible(timeout=10_000)
    await page.goto(kiosk.url + "/courier")
    await expect(page.get_by_test_id("courier-sign-in-panel")).to_be_visible()
    await expect(page.get_by_test_id("courier-deposits")).to_be_hidden()
