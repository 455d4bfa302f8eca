"""The demo's walk-through: one parcel from announcement to pickup, through the real server, the real terminal
(its kiosk API, as the touch screen uses it) and the emulated boards, whose doors are closed by hand here."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import aiohttp

from parcellocker.adapters.notifications.mailbox import mailbox_file
from parcellocker.aiohttp_transport import AiohttpTransport
from parcellocker.api_client import LockerApiClient

if TYPE_CHECKING:
    from parcellocker.demo_site import DemoSite

Say = Callable[[str, list[str]], None]  # (step title, lines of detail)
RECIPIENT = "anna.kowalska@example.com"
WITHIN = 10.0
"""Longest wait for anything the terminal or the server does on its own (a door seen, a state, a message)."""


async def walk_one_parcel(site: DemoSite, say: Say) -> dict[str, Any]:
    """Announce → deposit at the terminal → door closed on the boards → stored → code sent → pickup at the
    terminal → door closed → picked up; returns the shipment as the carrier sees it at the end."""
    locker = site.locker
    tracking_number = f"DEMO{int(time.time()) % 1_000_000:06d}"
    timeout = aiohttp.ClientTimeout(total=30)
    async with (
        aiohttp.ClientSession(site.server.base_url, timeout=timeout) as server_http,
        aiohttp.ClientSession(site.kiosk_url, timeout=timeout) as kiosk_http,
    ):
        carrier = LockerApiClient(AiohttpTransport(server_http), site.seeded.carrier_key)
        kiosk = LockerApiClient(AiohttpTransport(kiosk_http))

        shipment = await carrier.announce(tracking_number, locker.id, "M", RECIPIENT)
        say("1. The carrier announces a parcel", [
            f"server API: POST /api/v1/shipments  parcel {tracking_number}, size M, for {RECIPIENT} at {locker.id}",
            f"the server says: {shipment['state']}",
        ])  # fmt: skip

        signed_in = await kiosk.post("/courier/sign-in", {"courier_id": site.seeded.courier_id,
                                                          "pin": site.seeded.courier_pin})  # fmt: skip
        courier_token = signed_in["courier_token"]
        say("2. The courier signs in at the locker", [
            f"terminal: POST /courier/sign-in  courier {site.seeded.courier_id} and a PIN",
            "the terminal asked the server, which checked the PIN: signed in",
        ])  # fmt: skip

        number = await _deposit(site, kiosk, courier_token, tracking_number, say)
        await _close_door(site, carrier, shipment["id"], number, "stored", "4. The courier shuts the door", say)

        code = await wait_for_pickup_code(site.mailbox, RECIPIENT, WITHIN)
        say("5. The recipient is told", [
            f"the server's outbox sent a message with a pickup code and a QR code to {RECIPIENT}",
            f"(in the demo: a line in {mailbox_file(site.mailbox, RECIPIENT)})",
        ])  # fmt: skip

        await _pick_up(site, kiosk, code, number, say)
        await _close_door(site, carrier, shipment["id"], number, "picked_up",
                          "7. The recipient takes the parcel and shuts the door", say)  # fmt: skip

        final: dict[str, Any] = await carrier.shipment(shipment["id"])
        compartment = await _compartment(carrier, locker.id, number)
        say("8. The carrier checks", [
            f"server API: GET /api/v1/shipments/{shipment['id']}: {final['state']}",
            f"compartment {number} is {compartment['state']}, its door {compartment['door']}",
        ])  # fmt: skip
        return final


async def _deposit(site: DemoSite, kiosk: LockerApiClient, token: str, tracking_number: str, say: Say) -> int:
    seen_before = len(site.boards.unlocks)
    opened = await kiosk.post("/deposit", {"courier_token": token, "tracking_number": tracking_number})
    number: int = opened["compartment"]
    unlock = await site.boards.unlock_of(number, after=seen_before)
    say("3. The courier scans the parcel at the locker", [
        f"terminal: POST /deposit  {tracking_number}",
        f"the terminal asked the server, which gave compartment {number} (the smallest free one it fits)",
        f"the terminal sent the unlock frame for board {unlock.board}, lock {unlock.lock}",
        f"the emulated board received {unlock.frame_hex}: {_latch(unlock.fired, number)}",
    ])  # fmt: skip
    return number


async def _pick_up(site: DemoSite, kiosk: LockerApiClient, code: str, number: int, say: Say) -> None:
    seen_before = len(site.boards.unlocks)
    opened = await kiosk.post("/pickup", {"code": code})
    unlock = await site.boards.unlock_of(opened["compartment"], after=seen_before)
    say("6. The recipient types the code at the locker", [
        "terminal: POST /pickup  the 6-digit code",
        f"checked by the {opened['checked_by']}: compartment {opened['compartment']}",
        f"the emulated board received {unlock.frame_hex} (board {unlock.board}, lock {unlock.lock}): "
        f"{_latch(unlock.fired, number)}",
    ])  # fmt: skip


async def _close_door(
    site: DemoSite, carrier: LockerApiClient, shipment_id: str, number: int, state: str, title: str, say: Say
) -> None:
    """Shut the door on the emulated board, then wait for the terminal to see it and the server to apply it."""
    board, lock = site.boards.position(number)
    started = time.monotonic()
    site.boards.close_door(number)
    async with aiohttp.ClientSession(site.kiosk_url) as kiosk_http:
        await _until(lambda: _door_at_terminal(kiosk_http, number), "closed", f"the terminal saw door {number} shut")
    seen = time.monotonic() - started

    async def shipment_state() -> str:
        found: str = (await carrier.shipment(shipment_id))["state"]
        return found

    await _until(shipment_state, state, f"the server has the parcel {state}")
    applied = time.monotonic() - started
    say(title, [
        f"emulator: door of board {board}, lock {lock} closed (the sensor reads closed)",
        f"the terminal saw it {seen * 1000:.0f} ms later and reported the door event to the server",
        f"the server says: {state} ({applied * 1000:.0f} ms after the door closed)",
    ])  # fmt: skip


async def _door_at_terminal(kiosk_http: aiohttp.ClientSession, number: int) -> str | None:
    async with kiosk_http.get("/status") as response:
        status = await response.json()
    return next((door["door"] for door in status["doors"] if door["compartment"] == number), None)


async def _compartment(client: LockerApiClient, locker_id: str, number: int) -> dict[str, Any]:
    locker = await client.get(f"/api/v1/lockers/{locker_id}")
    found: dict[str, Any] = next(c for c in locker["compartments"] if c["number"] == number)
    return found


def _latch(fired: bool, number: int) -> str:
    return f"the latch fired, door {number} is open" if fired else f"the lock of compartment {number} stayed shut"


async def _until(read: Callable[[], Awaitable[object]], expected: object, what: str, within: float = WITHIN) -> None:
    deadline = time.monotonic() + within
    while (value := await read()) != expected:
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {within:.0f} s for this, in vain: {what} (still {value!r})")
        await asyncio.sleep(0.02)


async def wait_for_pickup_code(mailbox: Path, address: str, within: float = 10) -> str:
    """The code in the newest message to `address` in the mailbox, waiting up to `within` seconds."""
    path = mailbox_file(mailbox, address)
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if path.exists() and (lines := path.read_text().splitlines()):
            code: str = json.loads(lines[-1])["code"]
            return code
        await asyncio.sleep(0.05)
    raise TimeoutError(f"no message reached {address} within {within:.0f} s")
