"""Parcels the demo announces after its walk-through, through the carrier's real API, so that a person at the kiosk
can deposit them as the courier and then pick them up with the codes the recipients receive."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import aiohttp

from parcellocker.aiohttp_transport import AiohttpTransport
from parcellocker.api_client import LockerApiClient

if TYPE_CHECKING:
    from parcellocker.demo_site import DemoSite

RECIPIENTS = (("S", "jan.nowak@example.com"), ("M", "lena.schmidt@example.com"), ("L", "wei.chen@example.com"))
"""(size, recipient) of each parcel announced: one of each size of the demo locker."""


@dataclass(frozen=True, slots=True)
class AnnouncedParcel:
    tracking_number: str
    size: str
    recipient: str
    state: str


async def announce_parcels_to_deposit(site: DemoSite) -> list[AnnouncedParcel]:
    """Announce one parcel per entry of RECIPIENTS at the demo locker, as its carrier; returns them as announced."""
    stamp = int(time.time()) % 1_000_000
    announced = []
    async with aiohttp.ClientSession(site.server.base_url, timeout=aiohttp.ClientTimeout(total=30)) as http:
        carrier = LockerApiClient(AiohttpTransport(http), site.seeded.carrier_key)
        for number, (size, recipient) in enumerate(RECIPIENTS, start=1):
            shipment = await carrier.announce(f"DEMO{stamp:06d}-{number}", site.locker.id, size, recipient)
            announced.append(AnnouncedParcel(shipment["tracking_number"], size, recipient, shipment["state"]))
    return announced
