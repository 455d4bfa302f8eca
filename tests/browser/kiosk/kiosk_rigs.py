"""What the kiosk's browser tests share: the running kiosk (terminal, emulated bus, emulator control), the screen
size of the browser fixtures' conftest, and the steps a person takes at the screen."""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parents[2] / "integration" / "terminal"))

from emulator_stand_in import EmulatorControlStandIn
from terminal_rigs import COURIER_PIN, OPERATOR_PASSWORD, TerminalRig, eventually

from patience import PAGE_WITHIN


def _browser_fixtures() -> Any:
    """tests/browser/conftest.py, read under a name of its own (every conftest module is named `conftest`)."""
    spec = importlib.util.spec_from_file_location("browser_fixtures", Path(__file__).parents[1] / "conftest.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


KIOSK_VIEWPORT: dict[str, int] = _browser_fixtures().KIOSK_VIEWPORT


@dataclass
class Kiosk:
    rig: TerminalRig
    control: EmulatorControlStandIn

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.rig.kiosk_port}"


async def ready(page: Any, screen: str | None = None) -> None:
    """Wait until the page (of `screen`: home, pickup, courier…) has run its scripts: a tap before that would go
    unheard."""
    which = f"[data-page='{screen}']" if screen else ""
    await page.locator(f"body{which}[data-ready='true']").wait_for(state="attached")


async def type_code(page: Any, code: str) -> None:
    """Tap the code on the pickup keypad."""
    await ready(page, "pickup")
    for digit in code:
        await page.get_by_test_id(f"key-{digit}").click()


# The key presses of a scan, sent inside the page in one go, as fast as a scanner sends them: Playwright's own
# typing goes key by key through the browser's protocol, and on a loaded machine its gaps grew past the kiosk's
# limit between a scanner's keys (80 ms), so the kiosk rightly took it for a person typing.
_SCANNER_KEYS = """(text) => {
    const target = document.activeElement || document.body;
    for (const key of [...text, "Enter"]) {
        target.dispatchEvent(new KeyboardEvent("keydown", {key: key, bubbles: true, cancelable: true}));
    }
}"""


async def scan(page: Any, text: str) -> None:
    """A keyboard-wedge scanner: the whole text typed at once into the page, then Enter. Into a focused field
    (where the kiosk leaves typing to the field) the text is typed by the browser's keyboard instead."""
    await ready(page)
    if await page.evaluate("document.activeElement && document.activeElement.matches('input, textarea, select')"):
        await page.keyboard.type(text)
        await page.keyboard.press("Enter")
    else:
        await page.evaluate(_SCANNER_KEYS, text)


async def sign_in_courier(page: Any, kiosk: Kiosk) -> None:
    """At home: scan the courier's card, type the PIN on the keypad, sign in."""
    await ready(page)
    await scan(page, f"COURIER:{kiosk.rig.lms.courier_id}")
    await ready(page, "courier")
    for digit in COURIER_PIN:
        await page.get_by_test_id(f"key-{digit}").click()
    await page.get_by_test_id("courier-sign-in").click()
    await page.get_by_test_id("courier-deposits").wait_for()


async def store_a_parcel_nobody_collects(rig: TerminalRig, window_seconds: int = 2) -> tuple[dict[str, Any], int]:
    """A parcel stored at the kiosk's locker under a pickup window of `window_seconds` (the locker's pickup policy,
    put back as it was once the parcel is stored), left until the server's scheduler has expired it (the kiosk's
    server runs it every 0.2 s: conftest.py)."""
    path = f"/lockers/{rig.locker_id}/pickup-policy"
    async with rig.lms.api(rig.lms.operator_token) as operator:
        before = (await operator.get(path)).json()
        short = await operator.put(path, json={"pickup_window_hours": window_seconds / 3600})
        assert short.status_code == 200, short.text
    try:
        shipment, number = await rig.store("S")
    finally:
        async with rig.lms.api(rig.lms.operator_token) as operator:
            keys = ("pickup_window_hours", "extension_hours", "reminder_hours_before")
            restored = await operator.put(path, json={key: before[key] for key in keys})
            assert restored.status_code == 200, restored.text
    await eventually(lambda: rig.shipment_state(shipment["id"]), "expired", within=window_seconds + 10)
    return shipment, number


class DashboardWatch:
    """The operator dashboard's live grid of the kiosk's locker, open in a page of its own beside the kiosk's."""

    def __init__(self, page: Any) -> None:
        self.page = page

    @classmethod
    async def open(cls, page: Any, rig: TerminalRig) -> DashboardWatch:
        """Sign in as the server's operator and open the locker's grid; waits until its live stream is connected."""
        await page.goto(f"{rig.lms.base_url}/dashboard/sign-in")
        await page.get_by_label("Operator id").fill(rig.lms.operator_id)
        await page.get_by_label("Password").fill(OPERATOR_PASSWORD)
        await page.get_by_role("button", name="Sign in").click()
        await page.wait_for_url(f"{rig.lms.base_url}/dashboard/lockers")
        await page.goto(f"{rig.lms.base_url}/dashboard/lockers/{rig.locker_id}")
        await page.wait_for_selector('[data-testid="live-status"][data-live="connected"]')
        await page.evaluate("window.notReloaded = true")
        return cls(page)

    async def shows(self, number: int, *, state: str, door: str, within: float = PAGE_WITHIN) -> None:
        """Compartment `number`'s cell says `state` and `door`, within `within` s, and the page was never reloaded (a
        reload would show it too, but not live)."""
        cell = f'[data-testid="compartment-{number}"][data-state="{state}"][data-door="{door}"]'
        await self.page.wait_for_selector(cell, timeout=within * 1000)
        assert await self.page.evaluate("window.notReloaded") is True
