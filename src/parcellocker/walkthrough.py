"""The demo's walk-through: one parcel from announcement to pickup, through the real API, step by step."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from pathlib import Path

import aiohttp

from parcellocker.api_client import LockerApiClient
from parcellocker.sample_site import SampleSite

Say = Callable[[str, str], None]  # (step title, detail)


async def walk_one_parcel(base_url: str, site: SampleSite, mailbox: Path, say: Say) -> str:
    """Announce → deposit → door closed → pickup → door closed; returns the shipment id."""
    locker = site.lockers[0]
    tracking_number = f"DEMO{int(time.time()) % 1_000_000:06d}"
    recipient = "anna.kowalska@example.com"
    async with aiohttp.ClientSession(base_url, timeout=aiohttp.ClientTimeout(total=30)) as http:
        anonymous = LockerApiClient(http)
        carrier = anonymous.as_party(site.carrier_key)
        terminal = anonymous.as_party(locker.terminal_key)

        shipment = await carrier.announce(tracking_number, locker.id, "M", recipient)
        say("1. carrier announces", f"parcel {tracking_number}, size M, for {recipient} at locker {locker.id}")

        courier = anonymous.as_party(await anonymous.sign_in_courier(site.courier_id, site.courier_pin))
        say("2. courier signs in", f"courier {site.courier_id} with a PIN at the locker's screen")

        opened = await courier.deposit(locker.id, tracking_number)
        number = opened["compartment"]["number"]
        say(
            "3. courier scans the parcel",
            f"the server opens compartment {number} (size {opened['compartment']['size']})",
        )

        await terminal.door_event(locker.id, number, "open", 1)
        closed = await terminal.door_event(locker.id, number, "closed", 2)
        say("4. courier shuts the door", f"the door sensor reports it: the parcel is {closed['shipment_state']}")

        code = await wait_for_pickup_code(mailbox, recipient)
        say("5. recipient is notified", f"a message with the pickup code and a QR code went to {recipient}")

        opened = await terminal.pick_up(locker.id, code)
        say("6. recipient types the code", f"the server opens compartment {opened['compartment']['number']}")

        await terminal.door_event(locker.id, number, "open", 3)
        closed = await terminal.door_event(locker.id, number, "closed", 4)
        say("7. recipient takes the parcel and shuts the door", f"the parcel is {closed['shipment_state']}")

        final = await carrier.shipment(shipment["id"])
        say("8. carrier checks", f"shipment {tracking_number} is {final['state']}; compartment {number} is free again")
        shipment_id: str = shipment["id"]
        return shipment_id


async def wait_for_pickup_code(mailbox: Path, address: str, within: float = 10) -> str:
    """The code in the newest message to `address` in the mailbox, waiting up to `within` seconds."""
    path = mailbox / f"{address}.jsonl"
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if path.exists() and (lines := path.read_text().splitlines()):
            code: str = json.loads(lines[-1])["code"]
            return code
        await asyncio.sleep(0.05)
    raise TimeoutError(f"no message reached {address} within {within:.0f} s")
