"""The operator dashboard in Debian's Chromium, against the server as its own process (SQLite): sign in, the lockers,
a locker's grid following a deposit and its door events live (no reload), an alarm acknowledged, the utilisation.
Writes the dashboard's screenshots under docs/screenshots/."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from e2e.conftest import Locker, Site

VIEWPORT = {"width": 1280, "height": 1000}
Screenshot = Callable[[Any, str], Awaitable[Path]]


async def test_an_operator_watches_a_locker_live_acknowledges_an_alarm_and_reads_its_utilisation(
    site: Site, new_page: Callable[..., Awaitable[Any]], screenshot: Screenshot
) -> None:
    seeded = site.server.seeded
    locker = Locker(seeded.lockers[0].id, site.client(seeded.lockers[0].terminal_key), [])
    await asyncio.to_thread(lay_out_a_busy_locker, site, locker)
    page = await new_page(VIEWPORT)
    base = site.server.base_url + "/dashboard"

    # Signing in: any page sends a browser without a session to the sign-in form first.
    await page.goto(base + "/lockers")
    assert page.url.startswith(base + "/sign-in?next=")
    await screenshot(page, "dashboard-sign-in")
    await page.get_by_label("Operator id").fill(seeded.operator_id)
    await page.get_by_label("Password").fill(seeded.operator_password)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(base + "/lockers")
    row = page.get_by_test_id(f"locker-{locker.id}")
    assert await row.get_by_test_id("fill-S").get_attribute("data-in-use") == "2"
    await screenshot(page, "dashboard-lockers")

    # The grid, live: a deposit and its door events through the API show without a reload.
    await row.get_by_role("link", name="Demo locker 1").click()
    await page.wait_for_selector('[data-testid="live-status"][data-live="connected"]')
    await page.evaluate("window.notReloaded = true")
    shipment = await asyncio.to_thread(site.announce, locker.id, "M")
    number = await asyncio.to_thread(deposit, site, locker, shipment["tracking_number"])
    cell = f'[data-testid="compartment-{number}"]'
    await page.wait_for_selector(f'{cell}[data-state="reserved"]', timeout=2000)
    for door, state in (("open", "reserved"), ("closed", "occupied")):
        sent = time.monotonic()
        await asyncio.to_thread(site.door, locker, number, door)
        await page.wait_for_selector(f'{cell}[data-door="{door}"][data-state="{state}"]', timeout=1000)
        assert time.monotonic() - sent < 1.0
        if door == "open":
            await screenshot(page, "dashboard-locker-grid")
    assert shipment["tracking_number"] in await page.locator(cell).inner_text()
    assert await page.evaluate("window.notReloaded") is True

    # An alarm: the door forced open a moment ago is acknowledged from the feed.
    await page.get_by_role("link", name="Alarms").click()
    waiting = page.locator('[data-kind="forced_door"][data-acknowledged="no"]')
    assert await waiting.count() == 2
    alarm_row = waiting.first
    alarm_id = (await alarm_row.get_attribute("data-testid") or "").removeprefix("alarm-")
    await alarm_row.get_by_role("button", name="Acknowledge").click()
    await page.wait_for_selector(f'[data-testid="alarm-{alarm_id}"][data-acknowledged="yes"]')
    assert (await page.get_by_test_id("notice").inner_text()).startswith("Alarm acknowledged")
    await screenshot(page, "dashboard-alarms")

    # The utilisation of the locker: a chart per size, drawn by the server.
    await page.goto(f"{base}/lockers/{locker.id}")
    await page.get_by_test_id("utilisation-link").click()
    await page.get_by_role("link", name="1 day", exact=True).click()
    for size in ("S", "M", "L"):
        assert await page.get_by_test_id(f"utilisation-{size}").locator("svg path.average").count() == 1
    assert float(await page.get_by_test_id("utilisation-S").get_attribute("data-average") or "0") > 0
    await screenshot(page, "dashboard-utilisation")


def lay_out_a_busy_locker(site: Site, locker: Locker) -> None:
    """Two small parcels stored, a compartment out of order, and two doors forced open (two alarms)."""
    site.store(locker, "S")
    site.store(locker, "S")
    reply = site.operator().post(f"/lockers/{locker.id}/compartments/13/out-of-order", json={"reason": "hinge broken"})
    assert reply.status_code == 200, reply.text
    for number in (17, 8):
        assert site.door(locker, number, "open")["outcome"] == "forced_door"
    site.door(locker, 8, "closed")


def deposit(site: Site, locker: Locker, tracking_number: str) -> int:
    opened = site.courier().post(f"/lockers/{locker.id}/deposits", json={"tracking_number": tracking_number})
    assert opened.status_code == 200, opened.text
    number: int = opened.json()["compartment"]["number"]
    return number
