"""The dashboard's grid in Chromium marks the compartments set aside for a carrier and follows a change of share
live, without a reload. Writes docs/screenshots/dashboard-carrier-shares.png."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from e2e.conftest import Site

Screenshot = Callable[[Any, str], Awaitable[Path]]


async def test_the_grid_marks_each_carriers_share_and_follows_a_change_live(
    site: Site, new_page: Callable[..., Awaitable[Any]], screenshot: Screenshot
) -> None:
    seeded = site.server.seeded
    locker = await asyncio.to_thread(site.new_locker, "S:6,M:4,L:2")
    carrier = seeded.carrier_id
    shares = f"/lockers/{locker.id}/carrier-shares/{carrier}"
    assert (await asyncio.to_thread(site.operator().put, shares, json={"sizes": {"M": 2}})).status_code == 200
    page = await new_page({"width": 1280, "height": 900})
    base = site.server.base_url + "/dashboard"
    await page.goto(base + "/sign-in")
    await page.get_by_label("Operator id").fill(seeded.operator_id)
    await page.get_by_label("Password").fill(seeded.operator_password)
    await page.get_by_role("button", name="Sign in").click()
    await page.goto(f"{base}/lockers/{locker.id}")
    await page.wait_for_selector('[data-testid="live-status"][data-live="connected"]')
    await page.evaluate("window.notReloaded = true")
    marked = page.locator(f'.share[data-carrier="{carrier}"]')
    assert await marked.count() == 2
    assert (await page.get_by_test_id("share-7").inner_text()).strip() == carrier

    moved = await asyncio.to_thread(site.operator().put, shares, json={"compartments": [1, 11]})
    assert moved.status_code == 200, moved.text
    await page.wait_for_selector(f'[data-testid="share-11"][data-carrier="{carrier}"]', timeout=2000)
    await page.wait_for_selector('[data-testid="share-7"][data-carrier=""]', state="attached", timeout=2000)
    assert (await page.get_by_test_id("share-1").inner_text()).strip() == carrier
    assert await page.evaluate("window.notReloaded") is True
    await screenshot(page, "dashboard-carrier-shares")
